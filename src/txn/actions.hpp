// What a transaction state machine asks its owner to do after an event. The state machines
// (non_invite_client.hpp, non_invite_server.hpp) do no I/O and own no timers: they take an event
// and return Actions; the TransactionLayer sends, arms timers and reports.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "base/timers.hpp"

namespace sipline::txn {

// The RFC 3261 §17 timers a transaction may run. kAbandon is sipline's own: it frees a server
// transaction whose handler never responds. INVITE timers (A, B, D, G, H, I) join later.
enum class TimerName : std::uint8_t { kE, kF, kK, kJ, kAbandon };
inline constexpr std::size_t kTimerCount = 5;

enum class Report : std::uint8_t {
  kNone,
  kResponse,        // hand the response to the user (provisional or final)
  kAbsorbed,        // a retransmitted response, swallowed by the transaction
  kTimeout,         // timer F: no final response
  kTransportError,  // the transport failed the request
};

struct TimerOp {
  TimerName timer;
  std::optional<base::Duration> delay;  // nullopt: stop the timer
};

struct Actions {
  bool send = false;  // client: (re)send the request; server: send the last response
  Report report = Report::kNone;
  std::vector<TimerOp> timers;  // applied in order

  Actions& arm(TimerName t, base::Duration d) {
    timers.push_back({t, d});
    return *this;
  }
  Actions& stop(TimerName t) {
    timers.push_back({t, std::nullopt});
    return *this;
  }
};

}  // namespace sipline::txn
