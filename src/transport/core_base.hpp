// Internal: what the UDP and stream transports share. A core lives in a shared_ptr that every
// pending completion handler holds, so a handler running after the owner let go (or after the
// user destroyed the transport from inside a callback) finds `stopped_` and does nothing.
#pragma once
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <memory>
#include <string>

#include "transport/asio_transport.hpp"
#include "transport/source_routes.hpp"

namespace sipline::transport::detail {

class CoreBase : public AsioTransport, public std::enable_shared_from_this<CoreBase> {
 public:
  CoreBase(asio::io_context& io, Protocol protocol, const msg::Limits& limits)
      : io_(io), routes_(source_routes(io)), protocol_(protocol), limits_(limits) {}
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
  // The address to name in Via and Contact for a socket bound to `bound` sending to `remote`:
  // `bound` itself unless it is a wildcard, else the route's source address. Never a wildcard:
  // an error ("no usable source address toward ...") when the route's source is unknown.
  base::Result<asio::ip::address, std::string> source_for(const asio::ip::address& bound,
                                                          const asio::ip::address& remote,
                                                          const Address& destination) const;
  // After a send or connect error toward `remote`: ask the route again next time.
  void forget_route(const asio::ip::address& remote) { routes_.forget(remote); }

 protected:
  asio::io_context& io_;
  SourceRoutes& routes_;  // shared by every transport of io_
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
