// Prometheus text exposition (format 0.0.4) of every account's counters.
#pragma once
#include <string>
#include <vector>

#include "sipline/engine.hpp"
#include "transport/asio_transport.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::engine {

struct AccountMetrics {
  AccountStatus status;
  txn::Counters txn;
  transport::TransportCounters transport;
};

std::string format_metrics(const std::vector<AccountMetrics>& accounts);

}  // namespace sipline::engine
