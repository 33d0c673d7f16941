#include "transport/stream_transport.hpp"

#include <spdlog/spdlog.h>

#include <asio/steady_timer.hpp>

#include "transport/net.hpp"
#include "transport/policy.hpp"
#include "transport/tls.hpp"

namespace sipline::transport::detail {

base::Result<std::shared_ptr<CoreBase>, BindError> StreamCore::open(asio::io_context& io,
                                                                    const TransportConfig& config) {
  auto core = std::make_shared<StreamCore>(io, config);
  const bool tls = config.protocol == Protocol::kTls;
  auto fail = [&](std::string reason) {
    return base::fail(BindError{config.protocol, config.bind_address, config.port, reason});
  };
  if (tls) {
    auto client = make_client_context(config.tls);
    if (!client) return fail(client.error());
    core->client_tls_ = std::move(client).value();
    auto server = make_server_context(config.tls);
    if (!server) return fail(server.error());
    core->server_tls_ = std::move(server).value();
  }
  core->port_ = config.port;
  core->bound_ =
      parse_ip(config.bind_address).value_or(asio::ip::address(asio::ip::address_v4::any()));
  auto acceptors =
      bind_sockets<asio::ip::tcp::acceptor>(io, config.protocol, config.bind_address, config.port);
  if (!acceptors) return base::fail(acceptors.error());
  core->listeners_ = std::move(acceptors).value();
  for (auto& a : core->listeners_) {
    std::error_code ec;
    auto ep = a.local_endpoint(ec);
    core->listener_addresses_.push_back(to_address(config.protocol, ep));
    core->port_ = ep.port();
  }
  core->accept_failures_in_row_.assign(core->listeners_.size(), 0);
  for (std::size_t i = 0; i < core->listeners_.size(); ++i) core->start_accept(i);
  return std::shared_ptr<CoreBase>(core);
}

void StreamCore::start_accept(std::size_t index) {
  auto self = std::static_pointer_cast<StreamCore>(shared_from_this());
  listeners_[index].async_accept(
      [self, index](const std::error_code& ec, asio::ip::tcp::socket socket) {
        self->on_accept(index, ec, std::move(socket));
      });
}

void StreamCore::on_accept(std::size_t index, const std::error_code& ec,
                           asio::ip::tcp::socket socket) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    on_accept_failed(index, ec);
    return;
  }
  accept_failures_in_row_[index] = 0;
  std::error_code peer_ec;
  auto remote = socket.remote_endpoint(peer_ec);
  const bool full = count_open(false) >= config_.max_inbound_connections;
  if (peer_ec || full) {
    if (full) ++counters_.connections_refused;
    spdlog::debug("transport: refused a connection on {} ({})",
                  to_string(listener_addresses_[index]),
                  peer_ec ? peer_ec.message() : "too many inbound connections");
    std::error_code ignored;
    socket.close(ignored);
  } else {
    try {
      Target source{to_address(config_.protocol, remote), {}};
      auto conn = std::make_shared<Connection>(*this, std::move(socket), std::move(source), false,
                                               server_tls_.get());
      ++counters_.connections_accepted;
      connections_.emplace(remote, conn);
      conn->accept();
    } catch (const std::system_error& e) {
      spdlog::warn("transport: cannot set up an accepted connection: {}", e.what());
    }
  }
  if (!stopped_) start_accept(index);
}

void StreamCore::on_accept_failed(std::size_t index, const std::error_code& ec) {
  ++counters_.accept_failures;
  const auto now = std::chrono::steady_clock::now();
  if (accept_logged_at_ == std::chrono::steady_clock::time_point{} ||
      now - accept_logged_at_ >= kAcceptLogInterval) {
    spdlog::warn("transport: accept on {} failed: {} ({} more failures since the last report)",
                 to_string(listener_addresses_[index]), ec.message(), accept_failures_unlogged_);
    accept_logged_at_ = now;
    accept_failures_unlogged_ = 0;
  } else {
    ++accept_failures_unlogged_;
  }
  // Out of descriptors and the like: wait, longer each time, instead of spinning on the error.
  const auto wait = accept_backoff(++accept_failures_in_row_[index]);
  auto timer = std::make_shared<asio::steady_timer>(io_, wait);
  auto self = std::static_pointer_cast<StreamCore>(shared_from_this());
  timer->async_wait([self, timer, index](const std::error_code&) {
    if (!self->stopped_) self->start_accept(index);
  });
}

std::size_t StreamCore::count_open(bool outbound) const {
  std::size_t n = 0;
  for (const auto& [remote, conn] : connections_) {
    if (conn->outbound() == outbound) ++n;
  }
  return n;
}

std::shared_ptr<Connection> StreamCore::find(const asio::ip::tcp::endpoint& remote) const {
  auto [begin, end] = connections_.equal_range(remote);
  for (auto it = begin; it != end; ++it) {
    if (it->second->state() != Connection::State::kClosed) return it->second;
  }
  return nullptr;
}

void StreamCore::erase(const Connection& connection) {
  auto [begin, end] = connections_.equal_range(connection.remote());
  for (auto it = begin; it != end; ++it) {
    if (it->second.get() == &connection) {
      connections_.erase(it);
      return;
    }
  }
}

void StreamCore::send(const Target& target, std::string bytes) {
  if (stopped_) return;
  auto ip = parse_ip(target.remote.address);
  if (!ip) {
    ++counters_.send_failures;
    report_later(TransportErrorKind::kSendFailed, target,
                 "not an IP address: '" + target.remote.address + "'");
    return;
  }
  asio::ip::tcp::endpoint remote(*ip, target.remote.port);
  auto conn = find(remote);
  if (!conn) {
    // Via and Contact were named from the route (local_address()): none known, nothing sent.
    if (auto source = source_for(bound_, *ip, target.remote); !source) {
      ++counters_.send_failures;
      report_later(TransportErrorKind::kSendFailed, target, source.error());
      return;
    }
    if (count_open(true) >= config_.max_outbound_connections) {
      ++counters_.send_failures;
      report_later(TransportErrorKind::kSendFailed, target, "too many outbound connections");
      return;
    }
    try {
      asio::ip::tcp::socket socket(io_);
      if (!bound_.is_unspecified()) {  // one bind address: connections leave from it as well
        socket.open(remote.protocol());
        socket.bind(asio::ip::tcp::endpoint(bound_, 0));
      }
      conn =
          std::make_shared<Connection>(*this, std::move(socket), target, true, client_tls_.get());
    } catch (const std::system_error& e) {
      ++counters_.send_failures;
      report_later(TransportErrorKind::kSendFailed, target, e.what());
      return;
    }
    connections_.emplace(remote, conn);
    conn->connect(remote);
  }
  const bool message = !only_crlf(bytes);
  conn->write(std::move(bytes), message);
}

void StreamCore::reset(const Target& target) {
  auto ip = parse_ip(target.remote.address);
  if (!ip) return;
  asio::ip::tcp::endpoint remote(*ip, target.remote.port);
  auto [begin, end] = connections_.equal_range(remote);
  for (auto it = begin; it != end; ++it) it->second->close();
  connections_.erase(begin, end);
}

Address StreamCore::local_address(const Target& target) const {
  Address out{config_.protocol, "", port_};
  auto ip = parse_ip(target.remote.address);
  if (!ip) return out;  // send() fails for this target too
  auto conn = find(asio::ip::tcp::endpoint(*ip, target.remote.port));
  auto local = conn && conn->state() == Connection::State::kOpen ? conn->local() : std::nullopt;
  if (local) {
    out.address = local->address;
    if (listeners_.empty() && port_ == 0) out.port = local->port;
    return out;
  }
  auto source = source_for(bound_, *ip, target.remote);
  if (source)
    out.address = to_address(config_.protocol, asio::ip::tcp::endpoint(*source, 0)).address;
  return out;
}

std::vector<Address> StreamCore::bound_addresses() const {
  return listener_addresses_;
}

void StreamCore::on_open(Connection& connection) {
  if (connection.outbound()) ++counters_.connections_opened;
  spdlog::debug("transport: {} connection {} {} open", to_string(config_.protocol),
                connection.outbound() ? "to" : "from", to_string(connection.target().remote));
}

void StreamCore::on_frame(Connection& connection, std::string frame) {
  Address source = to_address(config_.protocol, connection.remote());
  Address local = connection.local().value_or(Address{config_.protocol, "", port_});
  deliver(std::move(frame), source, local);
}

void StreamCore::on_pong(Connection& connection) {
  ++counters_.pongs_in;
  if (user_ != nullptr) user_->on_pong(Pong{connection.target(), {}, std::nullopt});
}

void StreamCore::on_down(Connection& connection, TransportErrorKind kind, std::string detail,
                         bool was_open) {
  auto keep = connection.shared_from_this();
  erase(connection);
  if (was_open) {
    ++counters_.connections_lost;
  } else if (connection.outbound()) {
    ++counters_.connections_failed;
  }
  if (connection.outbound() && !was_open) forget_route(connection.remote().address());
  if (kind == TransportErrorKind::kTlsCertificate || kind == TransportErrorKind::kTlsHandshake) {
    ++counters_.tls_failures;
  }
  if (connection.outbound()) {
    report(kind, connection.target(), std::move(detail));
  } else {
    spdlog::debug("transport: inbound {} connection from {} closed: {}",
                  to_string(config_.protocol), to_string(connection.target().remote), detail);
  }
}

void StreamCore::stop() {
  stopped_ = true;
  user_ = nullptr;
  trace_ = nullptr;
  for (auto& l : listeners_) {
    std::error_code ec;
    l.close(ec);
  }
  for (auto& [remote, conn] : connections_) conn->detach();
  connections_.clear();
}

}  // namespace sipline::transport::detail
