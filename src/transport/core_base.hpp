// Internal: what the UDP and stream transports share. A core lives in a shared_ptr that every
// pending completion handler holds, so a handler running after the owner let go (or after the
// user destroyed the transport from inside a callback) finds `stopped_` and does nothing.
#pragma once
#include <asio/io_context.hpp>
#include <memory>
#include <string>

#include "transport/asio_transport.hpp"

namespace sipline::transport::detail {

class CoreBase : public AsioTransport, public std::enable_shared_from_this<CoreBase> {
 public:
  CoreBase(asio::io_context& io, Protocol protocol, const msg::Limits& limits)
      : io_(io), protocol_(protocol), limits_(limits) {}
  // Closes every socket; no callback reaches the user afterwards.
  virtual void stop() = 0;

  void set_user(TransportUser* user) override { user_ = user; }
  void set_trace(TraceHook hook) override { trace_ = std::move(hook); }
  const TransportCounters& counters() const override { return counters_; }
  Protocol protocol() const override { return protocol_; }

  bool stopped() const { return stopped_; }
  TransportCounters& count() { return counters_; }
  asio::io_context& io() { return io_; }

  // Hands an error to the user now: only from a completion handler, never from inside send().
  void report(TransportErrorKind kind, const Target& target, std::string detail);
  // The same, from the loop a moment later (for failures found inside send()).
  void report_later(TransportErrorKind kind, const Target& target, std::string detail);
  void trace(TraceDirection direction, const Address& local, const Address& remote,
             std::string_view bytes);
  // Parses one datagram or frame and hands it to the user; a malformed one is counted, logged
  // and dropped (returns false).
  bool deliver(std::string bytes, const Address& source, const Address& local);

 protected:
  asio::io_context& io_;
  // Only what both kinds use; the stream core keeps its whole TransportConfig (a UDP socket per
  // account has no use for TLS files, connection limits or timeouts).
  Protocol protocol_;
  msg::Limits limits_;
  TransportUser* user_ = nullptr;
  TraceHook trace_;
  TransportCounters counters_;
  bool stopped_ = false;
};

// True for bytes that are only CR/LF (and blanks): keep-alives, not messages.
bool only_crlf(std::string_view bytes);

}  // namespace sipline::transport::detail
