#include "config/config.hpp"

#include <charconv>
#include <unordered_map>

#include "config/host_port.hpp"

namespace sipline::config {

std::string_view to_string(LogLevel v) {
  switch (v) {
    case LogLevel::trace:
      return "trace";
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "?";
}

std::string_view to_string(UnregisterMode v) {
  switch (v) {
    case UnregisterMode::no:
      return "no";
    case UnregisterMode::all:
      return "all";
    case UnregisterMode::instance:
      return "instance";
  }
  return "?";
}

std::string_view to_string(Transport v) {
  switch (v) {
    case Transport::udp:
      return "udp";
    case Transport::tcp:
      return "tcp";
    case Transport::tls:
      return "tls";
    case Transport::automatic:
      return "auto";
  }
  return "?";
}

std::string_view to_string(UriScheme v) {
  return v == UriScheme::sips ? "sips" : "sip";
}

std::uint16_t default_sip_port(int index) {
  const long port = 5060L + 2L * (static_cast<long>(index) - 1);
  return (port >= 5 && port <= 65535) ? static_cast<std::uint16_t>(port) : 0;
}

AccountConfig default_account(int index) {
  // One copy of the default User-Agent, shared by every account that keeps it.
  static const base::SharedText kUserAgent("sipline/" SIPLINE_VERSION_STRING);
  AccountConfig a;
  a.name = "Account " + std::to_string(index);
  a.user_agent = kUserAgent;
  a.local_sip_port = default_sip_port(index);
  return a;
}

bool parse_shared_ports(std::string_view text, std::vector<SharedPortSpec>& out, std::string& why) {
  out.clear();
  for (const std::string& entry : split_list(text)) {
    const std::string quoted = "entry \"" + entry + "\": ";
    const std::size_t colon = entry.find(':');
    if (colon == std::string::npos) {
      why = quoted + "not PROTOCOL:PORT";
      return false;
    }
    const std::string_view proto = std::string_view(entry).substr(0, colon);
    const std::string_view digits = std::string_view(entry).substr(colon + 1);
    SharedPortSpec spec;
    if (proto == "udp") {
      spec.transport = Transport::udp;
    } else if (proto == "tcp") {
      spec.transport = Transport::tcp;
    } else if (proto == "tls") {
      spec.transport = Transport::tls;
    } else {
      why = quoted + "protocol must be udp, tcp or tls";
      return false;
    }
    unsigned long port = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || port < 1 ||
        port > 65535) {
      why = quoted + "port must be 1..65535";
      return false;
    }
    spec.port = static_cast<std::uint16_t>(port);
    for (const SharedPortSpec& seen : out) {
      if (seen.transport == spec.transport) {
        why = quoted + std::string(to_string(spec.transport)) + " is listed twice";
        return false;
      }
    }
    out.push_back(spec);
  }
  return true;
}

void assign_contact_lines(Config& config) {
  std::vector<SharedPortSpec> shared;
  std::string why;
  if (!parse_shared_ports(config.daemon.shared_port, shared, why)) shared.clear();
  const auto sharing = [&shared](const AccountConfig& a) {
    return a.shares_port(Transport::udp, shared) || a.shares_port(Transport::tcp, shared) ||
           a.shares_port(Transport::tls, shared);
  };
  std::unordered_map<std::string_view, int> users;
  for (const AccountConfig& a : config.accounts) {
    if (sharing(a)) ++users[a.user_id];
  }
  for (std::size_t i = 0; i < config.accounts.size(); ++i) {
    AccountConfig& a = config.accounts[i];
    a.contact_line.clear();
    if (sharing(a) && users[a.user_id] > 1) a.contact_line = "l" + std::to_string(i + 1);
  }
}

}  // namespace sipline::config
