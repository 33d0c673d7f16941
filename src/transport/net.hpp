// Internal helpers shared by the socket transports: address conversion, binding with plain
// error reasons, and the kernel's choice of source address.
#pragma once
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/ip/v6_only.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "transport/asio_transport.hpp"

namespace sipline::transport::detail {

// An IP literal (IPv6 with or without brackets) or nullopt.
std::optional<asio::ip::address> parse_ip(std::string_view text);

template <typename Endpoint>
Address to_address(Protocol p, const Endpoint& ep) {
  asio::ip::address a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  }
  return Address{p, a.to_string(), ep.port()};
}

// "address already in use", "permission denied: ports below 1024 need privilege", ...
std::string describe_bind_error(const std::error_code& ec, std::uint16_t port);

// The addresses to bind for `bind_address` (empty: 0.0.0.0 then ::); nullopt if not a literal.
std::optional<std::vector<asio::ip::address>> bind_addresses(const std::string& bind_address);

// Opens and binds one socket (udp::socket or tcp::acceptor, which is also listen()ed) per
// address on one port. With several addresses (the wildcard case) IPv6 is optional: a host
// without it binds IPv4 only; with port 0 the pair is retried until both get the same port.
template <typename Socket>
base::Result<std::vector<Socket>, BindError> bind_sockets(asio::io_context& io, Protocol p,
                                                          const std::string& bind_address,
                                                          std::uint16_t port);

}  // namespace sipline::transport::detail
