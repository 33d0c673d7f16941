// "host:port" of http_listen, split for sockets: "127.0.0.1:8080", "[::1]:8080", "name:80".
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace sipline::app {

struct HostPort {
  std::string host;  // without IPv6 brackets
  std::uint16_t port = 0;
};

// False (and `error`) when there is no port or the port is not 0..65535.
bool split_host_port(std::string_view text, HostPort& out, std::string& error);

// Where a client reaches a server listening on `listen`: a wildcard address ("0.0.0.0", "::")
// becomes the loopback address of the same family.
HostPort client_address(const HostPort& listen);

// "host:port", or "[v6]:port".
std::string to_string(const HostPort& hp);

}  // namespace sipline::app
