#include "config/host_port.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace sipline::config {
namespace {

using HostResult = base::Result<HostPort, std::string>;

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
  in6_addr a{};
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

bool is_dns_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (s.back() == '.') s.remove_suffix(1);  // fully qualified "example.com."
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) dot = s.size();
    std::string_view label = s.substr(start, dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = dot + 1;
  }
  return true;
}

bool all_digits_and_dots(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// "5060" -> 5060; anything else (empty, sign, > 65535, 0) is an error.
base::Result<std::uint16_t, std::string> parse_port(std::string_view s) {
  if (s.empty()) return base::fail(std::string("port missing after ':'"));
  if (s.size() > 5) return base::fail("port " + std::string(s) + " out of range 1..65535");
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return base::fail("port \"" + std::string(s) + "\" is not a number");
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v < 1 || v > 65535) return base::fail("port " + std::string(s) + " out of range 1..65535");
  return static_cast<std::uint16_t>(v);
}

HostResult parse_bracketed(std::string_view text) {
  const auto close = text.find(']');
  if (close == std::string_view::npos) return base::fail(std::string("missing ']'"));
  HostPort hp;
  hp.host = std::string(text.substr(1, close - 1));
  if (!is_ipv6(hp.host)) return base::fail("\"" + hp.host + "\" is not an IPv6 address");
  std::string_view rest = text.substr(close + 1);
  if (rest.empty()) return hp;
  if (rest.front() != ':') return base::fail(std::string("unexpected text after ']'"));
  auto port = parse_port(rest.substr(1));
  if (!port) return base::fail(port.error());
  hp.port = *port;
  return hp;
}

}  // namespace

HostResult parse_host_port(std::string_view text, bool port_required) {
  if (text.empty()) return base::fail(std::string("empty"));
  if (text.starts_with("sip:") || text.starts_with("sips:")) {
    return base::fail(std::string("give host[:port], not a URI"));
  }
  HostResult r = HostPort{};
  if (text.front() == '[') {
    r = parse_bracketed(text);
  } else if (std::count(text.begin(), text.end(), ':') > 1) {
    return base::fail(std::string("IPv6 address must be in brackets, e.g. [2001:db8::1]:5060"));
  } else {
    HostPort hp;
    const auto colon = text.find(':');
    hp.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      auto port = parse_port(text.substr(colon + 1));
      if (!port) return base::fail(port.error());
      hp.port = *port;
    }
    if (all_digits_and_dots(hp.host) ? !is_ipv4(hp.host) : !is_dns_name(hp.host)) {
      return base::fail("\"" + hp.host + "\" is not a host name or IP address");
    }
    r = std::move(hp);
  }
  if (r && port_required && !r->port) return base::fail(std::string("port required (host:port)"));
  return r;
}

std::string HostPort::to_string() const {
  if (host.empty()) return {};
  std::string s = is_ipv6() ? "[" + host.str() + "]" : host.str();
  if (port) {
    s += ':';  // appended piece by piece: g++ 12 -O3 warns falsely on ":" + string (PR 105651)
    s += std::to_string(*port);
  }
  return s;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  if (text.find_first_not_of(' ') == std::string_view::npos) return out;
  for (std::size_t at = 0;;) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    std::string_view one = text.substr(at, comma - at);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    out.emplace_back(one);
    if (comma == text.size()) return out;
    at = comma + 1;
  }
}

HostResult parse_ip_port(std::string_view text) {
  auto hp = parse_host_port(text, false);
  if (!hp) return hp;
  if (!hp->is_ipv6() && !is_ipv4(hp->host)) {
    return base::fail("\"" + hp->host +
                      "\" is not an IP address (a DNS server is named by address)");
  }
  return hp;
}

bool is_loopback(std::string_view host) {
  return host == "localhost" || host == "::1" || host.substr(0, 4) == "127.";
}

}  // namespace sipline::config
