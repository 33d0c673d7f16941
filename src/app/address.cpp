#include "app/address.hpp"

#include <charconv>

namespace sipline::app {

bool split_host_port(std::string_view text, HostPort& out, std::string& error) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      error = "expected [IPv6]:port in \"" + std::string(text) + "\"";
      return false;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      error = "expected host:port in \"" + std::string(text) + "\"";
      return false;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    error = "bad port in \"" + std::string(text) + "\"";
    return false;
  }
  out.host = host.empty() ? "0.0.0.0" : std::string(host);
  out.port = static_cast<std::uint16_t>(value);
  return true;
}

HostPort client_address(const HostPort& listen) {
  HostPort hp = listen;
  if (hp.host == "0.0.0.0") hp.host = "127.0.0.1";
  if (hp.host == "::") hp.host = "::1";
  return hp;
}

std::string to_string(const HostPort& hp) {
  if (hp.host.find(':') != std::string::npos) {
    return "[" + hp.host + "]:" + std::to_string(hp.port);
  }
  return hp.host + ":" + std::to_string(hp.port);
}

}  // namespace sipline::app
