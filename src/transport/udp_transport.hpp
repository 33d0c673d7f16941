// Internal: the UDP transport. One socket per bound address (two for the wildcard: IPv4 and
// IPv6 on one port); each datagram is one message. A socket holds no receive buffer of its own:
// it waits until readable, then reads up to 16 datagrams per recvmmsg into buffers shared by
// every UDP socket of the thread (thousands of accounts would otherwise keep 64 KiB each).
// Sends go straight to the socket, through the reactor only when its buffer is full; with
// batch_sends, those of one turn of the loop go together in one sendmmsg at its end.
#pragma once
#include <asio/ip/udp.hpp>
#include <memory>
#include <string_view>
#include <vector>

#include "transport/core_base.hpp"

namespace sipline::transport::detail {

class UdpCore final : public CoreBase {
 public:
  static base::Result<std::shared_ptr<CoreBase>, BindError> open(asio::io_context& io,
                                                                 const TransportConfig& config);
  UdpCore(asio::io_context& io, const TransportConfig& config)
      : CoreBase(io, config.protocol, config.limits), batch_sends_(config.batch_sends) {}

  void send(const Target& target, std::string bytes) override;
  Address local_address(const Target& target) const override;
  void reset(const Target&) override {}  // nothing to close for UDP
  std::uint16_t port() const override { return port_; }
  std::vector<Address> bound_addresses() const override;
  std::size_t connection_count() const override { return 0; }
  void stop() override;

 private:
  struct Slot {
    explicit Slot(asio::ip::udp::socket s) : socket(std::move(s)) {}
    asio::ip::udp::socket socket;
    Address local;
    asio::ip::address bound;  // what it is bound to (maybe a wildcard)
    bool v4 = true;           // the socket's address family
  };
  void start_receive(Slot& slot);
  // Reads what is queued on the socket (at most a bounded batch, so one busy socket cannot
  // starve the others); true when the batch was full and more may be queued.
  bool drain(Slot& slot);
  // drain(), then waits for readiness, or reads on from the loop when the batch was full.
  void drain_then_wait(Slot& slot);
  // Sends one datagram now (through the reactor when the socket's buffer is full).
  void send_now(Slot& slot, const asio::ip::udp::endpoint& to, std::string bytes,
                const Target& target, bool message);
  // batch_sends: what send() queued this turn, one sendmmsg per socket (send_now() for what
  // the kernel did not take).
  void flush_batch();
  // Counts a datagram that left.
  void sent(std::size_t size, bool message);
  // Reads the socket's error queue (IP_RECVERR): an ICMP unreachable for one of our sends fails
  // what waits on that destination at once instead of after timer B/F (RFC 3261 §18.4).
  void drain_errors(Slot& slot);
  void on_datagram(const Slot& slot, std::string_view data, const asio::ip::udp::endpoint& from);
  // A STUN datagram (RFC 5626 §4.4.2 keep-alive answer): a Binding success goes to the user.
  void on_stun(std::string_view data, const asio::ip::udp::endpoint& from);
  // The index of the socket whose family matches `ip` (slots_.size() when none is bound for it).
  std::size_t slot_for(const asio::ip::address& ip) const;

  std::vector<Slot> slots_;  // never grows after open(): handlers hold references
  std::uint16_t port_ = 0;
  struct Queued {
    Slot* slot;
    asio::ip::udp::endpoint to;
    std::string bytes;
    Target target;
    bool message;
  };
  bool batch_sends_ = false;
  std::vector<Queued> batch_;  // batch_sends: queued this turn; a flush is posted when not empty
};

}  // namespace sipline::transport::detail
