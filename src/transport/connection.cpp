#include "transport/connection.hpp"

#include <spdlog/spdlog.h>

#include <asio/write.hpp>

#include "msg/framer.hpp"
#include "transport/core_base.hpp"
#include "transport/net.hpp"
#include "transport/policy.hpp"
#include "transport/stream_transport.hpp"
#include "transport/tls.hpp"

namespace sipline::transport::detail {

Connection::Connection(StreamCore& core, asio::ip::tcp::socket socket, Target target, bool outbound,
                       asio::ssl::context* tls)
    : core_(&core),
      socket_(std::move(socket)),
      deadline_(core.io()),
      read_deadline_(core.io()),
      target_(std::move(target)),
      outbound_(outbound) {
  if (tls != nullptr) tls_.emplace(socket_, *tls);
  std::error_code ec;
  if (!outbound_) remote_ = socket_.remote_endpoint(ec);
}

std::optional<Address> Connection::local() const {
  std::error_code ec;
  auto ep = socket_.local_endpoint(ec);
  if (ec || state_ == State::kClosed) return std::nullopt;
  return to_address(target_.remote.protocol, ep);
}

void Connection::arm_deadline() {
  deadline_.expires_after(core_->config().connect_timeout);
  deadline_.async_wait([self = shared_from_this()](const std::error_code& ec) {
    if (ec || self->state_ == State::kOpen || self->state_ == State::kClosed) return;
    self->timed_out_ = true;
    std::error_code ignored;
    self->socket_.close(ignored);  // the pending connect/handshake completes with an error
  });
}

void Connection::arm_idle(std::chrono::steady_clock::duration after) {
  deadline_.expires_after(after);
  deadline_.async_wait([self = shared_from_this()](const std::error_code& ec) {
    if (!ec) self->on_idle_check();
  });
}

void Connection::on_idle_check() {
  if (core_ == nullptr || state_ != State::kOpen) return;
  const auto timeout = core_->config().inbound_idle_timeout;
  const auto idle = std::chrono::steady_clock::now() - last_activity_;
  if (idle < timeout) {
    arm_idle(timeout - idle);
    return;
  }
  ++core_->count().connections_idle_closed;
  go_down(TransportErrorKind::kConnectionLost,
          "idle for " + std::to_string(timeout.count()) + " ms: closed");
}

void Connection::track_partial(bool consumed, std::size_t frame_size) {
  const auto timeout = core_->config().message_read_timeout;
  const bool partial = !inbox_.empty() && !only_crlf(inbox_);
  if (!partial || timeout.count() <= 0) {
    if (partial_) {
      partial_ = false;
      ++read_generation_;
      read_deadline_.cancel();
    }
    return;
  }
  const bool fresh = !partial_ || consumed;  // a frame was cut: what is left is a new message
  if (!fresh && frame_size == partial_size_) return;
  if (fresh) partial_since_ = std::chrono::steady_clock::now();
  partial_ = true;
  partial_size_ = frame_size;
  const auto generation = ++read_generation_;
  read_deadline_.expires_at(partial_since_ + message_read_deadline(timeout, frame_size));
  read_deadline_.async_wait([self = shared_from_this(), generation](const std::error_code& ec) {
    if (!ec) self->on_read_deadline(generation);
  });
}

void Connection::on_read_deadline(std::uint32_t generation) {
  if (core_ == nullptr || state_ != State::kOpen || !partial_ || generation != read_generation_) {
    return;
  }
  const auto budget = message_read_deadline(core_->config().message_read_timeout, partial_size_);
  ++core_->count().messages_read_timed_out;
  spdlog::debug("transport: {} sent {} bytes of a message in {} ms: closed",
                to_string(target_.remote), inbox_.size(), budget.count());
  go_down(TransportErrorKind::kConnectionLost,
          "message incomplete after " + std::to_string(budget.count()) + " ms: closed");
}

void Connection::connect(const asio::ip::tcp::endpoint& remote) {
  remote_ = remote;
  state_ = State::kConnecting;
  arm_deadline();
  // An unopened socket is opened by async_connect; an open failure arrives in the handler.
  socket_.async_connect(
      remote, [self = shared_from_this()](const std::error_code& ec) { self->on_connected(ec); });
}

void Connection::accept() {
  if (!tls_) {
    become_open();
    return;
  }
  arm_deadline();
  handshake();
}

void Connection::on_connected(const std::error_code& ec) {
  if (core_ == nullptr || state_ == State::kClosed) return;
  if (ec) {
    const auto ms = core_->config().connect_timeout.count();
    go_down(TransportErrorKind::kConnectFailed,
            timed_out_ ? "connect timed out after " + std::to_string(ms) + " ms" : ec.message());
    return;
  }
  std::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  if (!tls_) {
    become_open();
    return;
  }
  prepare_client(tls_->native_handle(), target_, core_->config().tls.verify);
  handshake();
}

void Connection::handshake() {
  state_ = State::kHandshaking;
  auto type = outbound_ ? asio::ssl::stream_base::client : asio::ssl::stream_base::server;
  tls_->async_handshake(
      type, [self = shared_from_this()](const std::error_code& ec) { self->on_handshake(ec); });
}

void Connection::on_handshake(const std::error_code& ec) {
  if (core_ == nullptr || state_ == State::kClosed) return;
  if (!ec) {
    become_open();
    return;
  }
  if (timed_out_) {
    const auto ms = core_->config().connect_timeout.count();
    go_down(TransportErrorKind::kTlsHandshake,
            "handshake timed out after " + std::to_string(ms) + " ms");
    return;
  }
  auto [kind, detail] = classify_handshake_failure(tls_->native_handle(), ec,
                                                   outbound_ && core_->config().tls.verify);
  go_down(kind, std::move(detail));
}

void Connection::become_open() {
  deadline_.cancel();
  state_ = State::kOpen;
  core_->on_open(*this);
  if (state_ != State::kOpen) return;
  if (!outbound_ && core_->config().inbound_idle_timeout.count() > 0) {
    last_activity_ = std::chrono::steady_clock::now();
    arm_idle(core_->config().inbound_idle_timeout);
  }
  start_read();
  if (!writing_) write_next();
}

void Connection::start_read() {
  with_stream([this](auto& stream) {
    stream.async_read_some(asio::buffer(chunk_), [self = shared_from_this()](
                                                     const std::error_code& ec, std::size_t size) {
      self->on_read(ec, size);
    });
  });
}

void Connection::on_read(const std::error_code& ec, std::size_t size) {
  if (core_ == nullptr || state_ != State::kOpen) return;
  if (ec) {
    if (!only_crlf(inbox_)) {
      ++core_->count().malformed_dropped;  // a frame cut short by the close
      spdlog::debug("transport: {} closed inside a message ({} bytes dropped)",
                    to_string(target_.remote), inbox_.size());
    }
    const bool eof = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
    go_down(TransportErrorKind::kConnectionLost, eof ? "closed by peer" : ec.message());
    return;
  }
  core_->count().bytes_in += size;
  last_activity_ = std::chrono::steady_clock::now();
  inbox_.append(chunk_.data(), size);
  if (process_frames()) start_read();
}

bool Connection::process_frames() {
  const auto& limits = core_->config().limits;
  const std::size_t max_pending = limits.max_header_bytes + limits.max_content_length + 4096;
  std::size_t pos = 0;
  std::size_t partial_size = 0;
  while (pos < inbox_.size()) {
    const auto frame = msg::next_frame(std::string_view(inbox_).substr(pos), limits);
    if (frame.kind == msg::Frame::Kind::kNeedMore) {
      partial_size = frame.size;
      if (inbox_.size() - pos <= max_pending) break;
      ++core_->count().malformed_dropped;
      go_down(TransportErrorKind::kConnectionLost, "unframeable stream: message too large");
      return false;
    }
    if (frame.kind == msg::Frame::Kind::kError) {
      ++core_->count().malformed_dropped;
      go_down(TransportErrorKind::kConnectionLost,
              "unframeable stream: " + std::string(msg::describe(frame.error.code)) + " at byte " +
                  std::to_string(frame.error.offset));
      return false;
    }
    const std::size_t size = frame.size == 0 ? 1 : frame.size;  // never loop in place
    if (frame.kind == msg::Frame::Kind::kKeepAlive) {
      ++core_->count().keepalives_in;
      pos += size;
      if (size >= 4) {  // RFC 5626 §4.4.1: a CRLFCRLF ping gets a CRLF pong
        ++core_->count().pongs_out;
        write("\r\n", false);
      } else if (size == 2) {  // a CRLF pong: the answer to our ping, for whoever waits on it
        core_->on_pong(*this);
        if (core_ == nullptr || state_ != State::kOpen) return false;  // the user closed it
      }
      continue;
    }
    std::string bytes = inbox_.substr(pos, size);
    pos += size;
    core_->on_frame(*this, std::move(bytes));
    if (core_ == nullptr || state_ != State::kOpen) return false;  // the user closed it
  }
  inbox_.erase(0, pos);
  track_partial(pos > 0, partial_size);
  return true;
}

void Connection::write(std::string bytes, bool message) {
  if (state_ == State::kClosed || core_ == nullptr) return;
  if (queued_bytes_ + bytes.size() > core_->config().max_queued_bytes) {
    ++core_->count().send_failures;
    core_->report_later(TransportErrorKind::kSendFailed, target_,
                        "write queue full (" + std::to_string(queued_bytes_) + " bytes waiting)");
    return;
  }
  queued_bytes_ += bytes.size();
  queue_.push_back(Pending{std::move(bytes), message});
  if (state_ == State::kOpen && !writing_) write_next();
}

void Connection::write_next() {
  if (queue_.empty()) {
    writing_ = false;
    return;
  }
  writing_ = true;
  const Pending& front = queue_.front();
  if (front.message) {
    if (auto local = this->local()) {
      core_->trace(TraceDirection::kSent, *local, to_address(target_.remote.protocol, remote_),
                   front.bytes);
    }
  }
  with_stream([this, &front](auto& stream) {
    asio::async_write(stream, asio::buffer(front.bytes),
                      [self = shared_from_this()](const std::error_code& ec, std::size_t size) {
                        self->on_written(ec, size);
                      });
  });
}

void Connection::on_written(const std::error_code& ec, std::size_t size) {
  if (core_ == nullptr || state_ != State::kOpen) return;
  if (ec) {
    go_down(TransportErrorKind::kConnectionLost, "write failed: " + ec.message());
    return;
  }
  core_->count().bytes_out += size;
  last_activity_ = std::chrono::steady_clock::now();
  if (queue_.front().message) ++core_->count().messages_out;
  queued_bytes_ -= queue_.front().bytes.size();
  queue_.pop_front();
  write_next();
}

void Connection::close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  deadline_.cancel();
  read_deadline_.cancel();
  std::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);  // a pending write completes aborted; its buffer stays queued till then
}

void Connection::detach() {
  close();
  core_ = nullptr;
}

void Connection::go_down(TransportErrorKind kind, std::string detail) {
  if (state_ == State::kClosed) return;
  const bool was_open = state_ == State::kOpen;
  close();
  if (core_ != nullptr) core_->on_down(*this, kind, std::move(detail), was_open);
}

}  // namespace sipline::transport::detail
