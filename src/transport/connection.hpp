// Internal: one TCP or TLS connection of a StreamCore, either direction. It connects (with a
// deadline covering connect and handshake), queues writes until open, reads and frames the
// stream, answers CRLFCRLF pings, and tells its core when it opens, delivers or goes down. An
// inbound connection that neither reads nor writes for inbound_idle_timeout is closed; a
// message begun but not complete within its read deadline (policy.hpp) closes it too.
#pragma once
#include <array>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "transport/transport.hpp"

namespace sipline::transport::detail {

class StreamCore;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class State : std::uint8_t { kIdle, kConnecting, kHandshaking, kOpen, kClosed };

  // `tls` is the client or server context for a TLS connection, nullptr for TCP.
  Connection(StreamCore& core, asio::ip::tcp::socket socket, Target target, bool outbound,
             asio::ssl::context* tls);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void connect(const asio::ip::tcp::endpoint& remote);  // outbound: connect, handshake, read
  void accept();                                        // inbound: handshake (TLS), read
  // Queues bytes; written once the connection is open. `message`: counted and traced.
  void write(std::string bytes, bool message);
  // Closes without telling the core (reset, stop).
  void close();
  // The core is going away: close and never call it again.
  void detach();

  State state() const { return state_; }
  bool outbound() const { return outbound_; }
  const Target& target() const { return target_; }
  const asio::ip::tcp::endpoint& remote() const { return remote_; }
  // The connection's local address (IP and ephemeral or listener port); empty before connect.
  std::optional<Address> local() const;

 private:
  struct Pending {
    std::string bytes;
    bool message = false;
  };
  template <typename F>
  void with_stream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(socket_);
    }
  }
  void arm_deadline();
  // Inbound only, once open: the deadline timer checks for idling, re-armed lazily (every read
  // and write only records the time, so busy connections cost no timer operations).
  void arm_idle(std::chrono::steady_clock::duration after);
  void on_idle_check();
  // After framing: starts, re-arms (headers now in) or stops the partial message's deadline.
  void track_partial(bool consumed, std::size_t frame_size);
  void on_read_deadline(std::uint32_t generation);
  void on_connected(const std::error_code& ec);
  void handshake();
  void on_handshake(const std::error_code& ec);
  void become_open();
  void start_read();
  void on_read(const std::error_code& ec, std::size_t size);
  // Cuts every complete frame from the buffer; false once the connection went down.
  bool process_frames();
  void write_next();
  void on_written(const std::error_code& ec, std::size_t size);
  void go_down(TransportErrorKind kind, std::string detail);

  StreamCore* core_;
  asio::ip::tcp::socket socket_;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  asio::steady_timer deadline_;  // connect/handshake deadline, then (inbound) the idle check
  std::chrono::steady_clock::time_point last_activity_;
  asio::steady_timer read_deadline_;  // armed while a message is partially read
  std::chrono::steady_clock::time_point partial_since_;
  std::size_t partial_size_ = 0;  // the partial frame's size once its headers are in
  std::uint32_t read_generation_ = 0;
  bool partial_ = false;
  Target target_;
  asio::ip::tcp::endpoint remote_;
  bool outbound_;
  State state_ = State::kIdle;
  bool timed_out_ = false;
  bool writing_ = false;
  std::deque<Pending> queue_;
  std::size_t queued_bytes_ = 0;
  std::string inbox_;
  std::array<char, 16 * 1024> chunk_{};
};

}  // namespace sipline::transport::detail
