// Prometheus text exposition (format 0.0.4) of every account's counters.
#pragma once
#include <string>
#include <vector>

#include "account/calls.hpp"
#include "sipline/engine.hpp"
#include "transport/asio_transport.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::engine {

struct AccountMetrics {
  AccountStatus status;
  txn::Counters txn;
  transport::TransportCounters transport;
  account::CallTotals calls;
};

// The engine-wide gate of registration attempts (base::Gate).
struct GateMetrics {
  std::size_t in_flight = 0;
  std::size_t waiting = 0;
  std::size_t capacity = 0;
  std::uint64_t waited_total = 0;
};

// The engine's DNS resolver (RFC 3263 location of sip_server).
struct DnsMetrics {
  std::uint64_t lookups = 0;     // questions sent to a DNS server
  std::uint64_t cache_hits = 0;  // questions answered by the cache or a look-up in flight
  std::uint64_t failures = 0;    // questions that ended in an error
};

std::string format_metrics(const std::vector<AccountMetrics>& accounts, const GateMetrics& gate,
                           const DnsMetrics& dns = {});

}  // namespace sipline::engine
