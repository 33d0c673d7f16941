#include "app/http_access.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace sipline::app {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_ip_literal(std::string_view host) {
  std::string h(host);
  unsigned char buf[16];
  return ::inet_pton(AF_INET, h.c_str(), buf) == 1 || ::inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

// A rebinding page reaches us under its own DNS name; IP literals and localhost cannot be
// rebound, configured names are the operator's.
bool host_accepted(const AccessPolicy& p, std::string_view host_header) {
  if (host_header.empty()) return true;  // HTTP/1.0 tools; browsers always send Host
  std::string_view host = host_without_port(host_header);
  if (is_ip_literal(host) || iequals(host, "localhost")) return true;
  return std::any_of(p.host_names.begin(), p.host_names.end(),
                     [&](const std::string& n) { return iequals(n, host); });
}

// Same origin: the Origin's authority ("scheme://host[:port]") is the Host header.
bool origin_foreign(std::string_view origin, std::string_view host_header) {
  if (origin.empty()) return false;
  auto scheme = origin.find("://");
  if (scheme == std::string_view::npos) return true;  // "null" and the like
  return !iequals(origin.substr(scheme + 3), host_header);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool token_matches(const AccessPolicy& p, std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      !iequals(authorization.substr(0, kBearer.size()), kBearer)) {
    return false;
  }
  return constant_time_equal(authorization.substr(kBearer.size()), p.token);
}

bool state_changing(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

bool is_json(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return iequals(media, "application/json");
}

}  // namespace

std::string_view host_without_port(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(1, close - 1);
  }
  auto colon = authority.find(':');
  if (colon != std::string_view::npos && authority.find(':', colon + 1) == std::string_view::npos) {
    return authority.substr(0, colon);
  }
  return authority;
}

AccessVerdict decide_access(const AccessPolicy& p, const AccessRequest& r) {
  if (!host_accepted(p, r.host)) return AccessVerdict::misdirected;
  if (iequals(r.sec_fetch_site, "cross-site") || origin_foreign(r.origin, r.host)) {
    return AccessVerdict::cross_site;
  }
  const bool has_auth = !r.authorization.empty();
  if (state_changing(r.method) && !has_auth && !is_json(r.content_type)) {
    return AccessVerdict::not_json;
  }
  if (p.token.empty()) return AccessVerdict::allow;
  // The page itself holds no data and asks for the token: it is served without one.
  if (r.path == "/" && !state_changing(r.method)) return AccessVerdict::allow;
  if (r.path == "/metrics" && p.metrics_public && !state_changing(r.method)) {
    return AccessVerdict::allow;
  }
  return token_matches(p, r.authorization) ? AccessVerdict::allow : AccessVerdict::unauthorized;
}

int status_of(AccessVerdict v) {
  switch (v) {
    case AccessVerdict::allow:
      return 200;
    case AccessVerdict::misdirected:
      return 421;
    case AccessVerdict::cross_site:
    case AccessVerdict::not_json:
      return 403;
    case AccessVerdict::unauthorized:
      return 401;
  }
  return 403;
}

std::string_view reason_of(AccessVerdict v) {
  switch (v) {
    case AccessVerdict::allow:
      return "";
    case AccessVerdict::misdirected:
      return "unknown Host: add it to [daemon] http_host_names or use the address";
    case AccessVerdict::cross_site:
      return "cross-site request refused";
    case AccessVerdict::not_json:
      return "a state-changing request needs Content-Type: application/json or the token";
    case AccessVerdict::unauthorized:
      return "missing or wrong token (Authorization: Bearer <the http_token_file's content>)";
  }
  return "";
}

}  // namespace sipline::app
