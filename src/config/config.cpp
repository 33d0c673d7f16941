#include "config/config.hpp"

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

AccountConfig default_account(int index) {
  AccountConfig a;
  a.name = "Account " + std::to_string(index);
  a.user_agent = "sipline/" SIPLINE_VERSION_STRING;
  const long port = 5060L + 2L * (static_cast<long>(index) - 1);
  a.local_sip_port = (port >= 5 && port <= 65535) ? static_cast<std::uint16_t>(port) : 0;
  return a;
}

}  // namespace sipline::config
