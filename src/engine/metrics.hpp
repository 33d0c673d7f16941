// Prometheus text exposition (format 0.0.4) of every account's counters.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "account/calls.hpp"
#include "account/registration_stats.hpp"
#include "account/watchers.hpp"
#include "sipline/engine.hpp"
#include "transport/asio_transport.hpp"
#include "txn/shared_port.hpp"
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

// One shared socket of [daemon] shared_port: what its demultiplexer did with each message.
struct SharedPortMetrics {
  std::string transport;  // "udp", "tcp", "tls"
  txn::SharedPortCounters counters;
};

// The engine's DNS resolver (RFC 3263 location of sip_server).
struct DnsMetrics {
  std::uint64_t lookups = 0;     // questions sent to a DNS server
  std::uint64_t cache_hits = 0;  // questions answered by the cache or a look-up in flight
  std::uint64_t failures = 0;    // questions that ended in an error
};

// What /metrics shows engine-wide: accounts by state and every account's registration outcomes
// (account::RegistrationStats). Without series per account (a fleet: [daemon]
// metrics_per_account), the per-account families that add up show as one engine-wide series of
// the same name (their sums, added account by account with add_to_totals: no vector of 50,000
// accounts), the others not at all.
struct EngineTotals {
  bool per_account = true;
  std::vector<std::pair<std::string, std::size_t>> states;  // AccountPage::states
  account::RegistrationStats registrations;
  account::SubscriptionTally subscriptions;  // every account's, in both modes
  std::vector<double> sums;                  // by family, in the order of the text
  std::size_t count(std::string_view state) const;
};

// Adds one account's counters (its txn and transport: no status needed) to the sums.
void add_to_totals(EngineTotals& totals, const AccountMetrics& account);

// `accounts`: every account with series per account; unused without (totals.sums instead).

std::string format_metrics(const std::vector<AccountMetrics>& accounts, const GateMetrics& gate,
                           const DnsMetrics& dns = {}, const EngineTotals& totals = {},
                           const std::vector<SharedPortMetrics>& shared_ports = {});

}  // namespace sipline::engine
