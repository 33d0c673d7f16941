#include "transport/net.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>

namespace sipline::transport::detail {

std::optional<asio::ip::address> parse_ip(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  std::error_code ec;
  auto a = asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return a;
}

std::string describe_bind_error(const std::error_code& ec, std::uint16_t port) {
  // Asio's system errors and std::system_category() errors both carry errno values.
  const bool os = ec.category() == std::system_category() ||
                  ec.category() == asio::error::get_system_category();
  const int e = os ? ec.value() : 0;
  if (e == EADDRINUSE) return "address already in use";
  if (e == EACCES || e == EPERM) {
    if (port != 0 && port < 1024) return "permission denied: ports below 1024 need privilege";
    return "permission denied";
  }
  if (e == EADDRNOTAVAIL) return "address not available on this host";
  if (e == EAFNOSUPPORT) return "address family not supported";
  return ec.message();
}

std::optional<std::vector<asio::ip::address>> bind_addresses(const std::string& bind_address) {
  if (bind_address.empty()) {
    return std::vector<asio::ip::address>{asio::ip::address_v4::any(), asio::ip::address_v6::any()};
  }
  auto a = parse_ip(bind_address);
  if (!a) return std::nullopt;
  return std::vector<asio::ip::address>{*a};
}

namespace {

std::error_code bind_one(asio::ip::udp::socket& s, const asio::ip::address& a, std::uint16_t port) {
  asio::ip::udp::endpoint ep(a, port);
  std::error_code ec;
  s.open(ep.protocol(), ec);
  if (!ec && a.is_v6()) s.set_option(asio::ip::v6_only(true), ec);
  if (!ec) s.bind(ep, ec);
  if (ec) s.close();
  return ec;
}

std::error_code bind_one(asio::ip::tcp::acceptor& s, const asio::ip::address& a,
                         std::uint16_t port) {
  asio::ip::tcp::endpoint ep(a, port);
  std::error_code ec;
  s.open(ep.protocol(), ec);
  // SO_REUSEADDR on a listener only skips TIME_WAIT leftovers; two listeners still conflict.
  if (!ec) s.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && a.is_v6()) s.set_option(asio::ip::v6_only(true), ec);
  if (!ec) s.bind(ep, ec);
  if (!ec) s.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) s.close();
  return ec;
}

bool ipv6_unavailable(const std::error_code& ec) {
  return ec.value() == EADDRNOTAVAIL || ec.value() == EAFNOSUPPORT;
}

}  // namespace

template <typename Socket>
base::Result<std::vector<Socket>, BindError> bind_sockets(asio::io_context& io, Protocol p,
                                                          const std::string& bind_address,
                                                          std::uint16_t port) {
  auto addrs = bind_addresses(bind_address);
  if (!addrs) {
    return base::fail(BindError{p, bind_address, port, "not an IP address"});
  }
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::vector<Socket> sockets;
    std::uint16_t chosen = port;
    bool retry = false;
    for (std::size_t i = 0; i < addrs->size(); ++i) {
      const auto& a = (*addrs)[i];
      Socket s(io);
      if (auto ec = bind_one(s, a, chosen)) {
        if (i == 0)
          return base::fail(BindError{p, a.to_string(), port, describe_bind_error(ec, port)});
        if (port == 0 && ec.value() == EADDRINUSE) {
          retry = true;  // the IPv4 pick is taken on IPv6: pick again
          break;
        }
        if (ipv6_unavailable(ec)) {
          spdlog::debug("transport: no IPv6 on this host ({}), {} binds IPv4 only", ec.message(),
                        to_string(p));
          break;
        }
        return base::fail(BindError{p, a.to_string(), chosen, describe_bind_error(ec, chosen)});
      }
      if (chosen == 0) chosen = s.local_endpoint().port();
      sockets.push_back(std::move(s));
    }
    if (!retry) return sockets;
  }
  return base::fail(BindError{p, bind_address, port, "no port free on both IPv4 and IPv6"});
}

template base::Result<std::vector<asio::ip::udp::socket>, BindError>
bind_sockets<asio::ip::udp::socket>(asio::io_context&, Protocol, const std::string&, std::uint16_t);
template base::Result<std::vector<asio::ip::tcp::acceptor>, BindError>
bind_sockets<asio::ip::tcp::acceptor>(asio::io_context&, Protocol, const std::string&,
                                      std::uint16_t);

}  // namespace sipline::transport::detail
