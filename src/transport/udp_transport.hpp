// Internal: the UDP transport. One socket per bound address (two for the wildcard: IPv4 and
// IPv6 on one port); each datagram is one message.
#pragma once
#include <array>
#include <asio/ip/udp.hpp>
#include <memory>
#include <vector>

#include "transport/core_base.hpp"

namespace sipline::transport::detail {

class UdpCore final : public CoreBase {
 public:
  static base::Result<std::shared_ptr<CoreBase>, BindError> open(asio::io_context& io,
                                                                 const TransportConfig& config);
  UdpCore(asio::io_context& io, TransportConfig config) : CoreBase(io, std::move(config)) {}

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
    asio::ip::udp::endpoint from;
    std::array<char, 65536> buffer{};
  };
  void start_receive(Slot& slot);
  void on_datagram(Slot& slot, std::size_t size);
  // The socket whose family matches `ip` (nullptr when none is bound for it).
  Slot* slot_for(const asio::ip::address& ip) const;

  std::vector<std::unique_ptr<Slot>> slots_;
  std::uint16_t port_ = 0;
};

}  // namespace sipline::transport::detail
