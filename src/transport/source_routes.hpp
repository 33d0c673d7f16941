// Internal: the local address the kernel sends from toward a destination, learned once per
// route and shared by every transport of one io_context (a daemon opens one UDP transport per
// account; they all reach the same registrar by the same route).
//
// A transport bound to a wildcard (0.0.0.0 / ::) must name a real address in Via and Contact.
// The probe asks the kernel's routing table (netlink RTM_GETROUTE, the `ip route get` query),
// which needs no socket port; a UDP connect() probe is the fallback, and that one needs a free
// ephemeral port. A known source is kept for kKnownFor, then asked again (a network change);
// forget() drops it at once after a send error toward that destination. A failed probe is
// remembered for kUnknownFor so hundreds of accounts do not probe in a burst.
#pragma once
#include <asio/execution_context.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "base/result.hpp"

namespace sipline::transport::detail {

// The source address toward `remote`, or why there is none ("network is unreachable").
using SourceProbe =
    std::function<base::Result<asio::ip::address, std::string>(const asio::ip::address& remote)>;

// The system's probe: netlink first, then a UDP connect() probe.
base::Result<asio::ip::address, std::string> probe_source(const asio::ip::address& remote);
// Each of the two alone (exposed for tests).
base::Result<asio::ip::address, std::string> probe_source_netlink(const asio::ip::address& remote);
base::Result<asio::ip::address, std::string> probe_source_connect(const asio::ip::address& remote);

class SourceRoutes {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kKnownFor{60};
  static constexpr std::chrono::seconds kUnknownFor{1};
  static constexpr std::size_t kMaxEntries = 1024;

  explicit SourceRoutes(SourceProbe probe = probe_source) : probe_(std::move(probe)) {}

  // The cached answer for `remote`, or a new probe when there is none or it is too old. Never a
  // wildcard: a probe answering one counts as a failure.
  base::Result<asio::ip::address, std::string> source(const asio::ip::address& remote,
                                                      Clock::time_point now);
  // Drops what is known about `remote` (after a send or connect error toward it).
  void forget(const asio::ip::address& remote) { entries_.erase(remote); }
  void set_probe(SourceProbe probe);  // also forgets everything
  std::uint64_t probes() const { return probes_; }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::optional<asio::ip::address> source;
    std::string why;  // when source is empty
    Clock::time_point until;
  };
  SourceProbe probe_;
  std::map<asio::ip::address, Entry> entries_;
  std::uint64_t probes_ = 0;
};

// "no usable source address toward udp:192.0.2.1:5060 (network is unreachable)".
std::string no_source_reason(const std::string& destination, const std::string& why);

// One SourceRoutes per io_context (an Asio service: made on first use, gone with the context).
SourceRoutes& source_routes(asio::io_context& io);

}  // namespace sipline::transport::detail
