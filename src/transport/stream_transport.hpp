// Internal: the TCP and TLS transports. Listeners on the local port (TLS: serving cert_file or
// the generated certificate), and one connection per remote address, shared by both directions:
// a send to the source of a request that came in on a connection goes back on it (RFC 3261
// §18.2.2). Inbound and outbound connections have separate limits; idle inbound ones close.
#pragma once
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include "transport/connection.hpp"
#include "transport/core_base.hpp"

namespace sipline::transport::detail {

class StreamCore final : public CoreBase {
 public:
  static base::Result<std::shared_ptr<CoreBase>, BindError> open(asio::io_context& io,
                                                                 const TransportConfig& config);
  StreamCore(asio::io_context& io, TransportConfig config)
      : CoreBase(io, config.protocol, config.limits), config_(std::move(config)) {}
  const TransportConfig& config() const { return config_; }

  void send(const Target& target, std::string bytes) override;
  Address local_address(const Target& target) const override;
  void reset(const Target& target) override;
  std::uint16_t port() const override { return port_; }
  std::vector<Address> bound_addresses() const override;
  std::size_t connection_count() const override { return connections_.size(); }
  void stop() override;

  // From connections.
  void on_open(Connection& connection);
  void on_frame(Connection& connection, std::string frame);
  void on_pong(Connection& connection);
  void on_down(Connection& connection, TransportErrorKind kind, std::string detail, bool was_open);

 private:
  void start_accept(std::size_t index);
  void on_accept(std::size_t index, const std::error_code& ec, asio::ip::tcp::socket socket);
  // Counts the failure, logs it (rate-limited) and accepts again after a growing back-off.
  void on_accept_failed(std::size_t index, const std::error_code& ec);
  std::shared_ptr<Connection> find(const asio::ip::tcp::endpoint& remote) const;
  // Connections in the table that were opened by us (true) or accepted (false).
  std::size_t count_open(bool outbound) const;
  void erase(const Connection& connection);

  TransportConfig config_;
  std::vector<asio::ip::tcp::acceptor> listeners_;
  std::vector<Address> listener_addresses_;
  std::shared_ptr<asio::ssl::context> client_tls_;
  std::shared_ptr<asio::ssl::context> server_tls_;
  std::multimap<asio::ip::tcp::endpoint, std::shared_ptr<Connection>> connections_;
  std::uint16_t port_ = 0;
  asio::ip::address bound_;                       // bind_address, or the IPv4 wildcard when empty
  std::vector<unsigned> accept_failures_in_row_;  // per listener; 0 after a good accept
  std::chrono::steady_clock::time_point accept_logged_at_{};
  std::uint64_t accept_failures_unlogged_ = 0;
};

}  // namespace sipline::transport::detail
