// What a transaction state machine asks its owner to do after an event. The state machines
// (non_invite_client.hpp, non_invite_server.hpp) do no I/O and own no timers: they take an event
// and return Actions; the TransactionLayer sends, arms timers and reports.
#pragma once
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "base/timers.hpp"

namespace sipline::txn {

// The RFC 3261 §17 timers a transaction may run (L and M: RFC 6026). kAbandon is sipline's own:
// it frees a server transaction whose handler never responds; kTrying sends the INVITE server's
// 100 Trying when the user has not answered within 200 ms (§17.2.1).
enum class TimerName : std::uint8_t {
  kE,
  kF,
  kK,
  kJ,
  kAbandon,  // non-INVITE
  kA,
  kB,
  kD,
  kM,  // INVITE client
  kG,
  kH,
  kI,
  kL,
  kTrying,  // INVITE server
};

// One transaction never runs more than three timers at once, so a transaction keeps three
// base::Timers and each name maps to one slot: names sharing a slot never run together in one
// state machine (E/A/G/Trying: retransmit; F/B/H/Abandon: give up; K/J/D/I/L/M: linger).
inline constexpr std::size_t kTimerSlots = 3;
constexpr std::size_t timer_slot(TimerName t) {
  switch (t) {
    case TimerName::kE:
    case TimerName::kA:
    case TimerName::kG:
    case TimerName::kTrying:
      return 0;
    case TimerName::kF:
    case TimerName::kB:
    case TimerName::kH:
    case TimerName::kAbandon:
      return 1;
    default:
      return 2;
  }
}

enum class Report : std::uint8_t {
  kNone,
  kResponse,        // hand the response to the user (provisional or final)
  kAbsorbed,        // a retransmitted response, swallowed by the transaction
  kTimeout,         // timer F: no final response
  kTransportError,  // the transport failed the request
  kAckTimeout,      // INVITE server: timer H fired, the ACK for our non-2xx never came
};

struct TimerOp {
  TimerName timer;
  std::optional<base::Duration> delay;  // nullopt: stop the timer
};

// An event's timer operations, inline, so an event allocates nothing (a vector cost one
// allocation per event, several per registration). A transaction has kTimerSlots timers and an
// event at most stops and re-arms each once.
class TimerOps {
 public:
  static constexpr std::size_t kCapacity = 2 * kTimerSlots;
  void push_back(const TimerOp& op) {
    assert(n_ < kCapacity && "a state machine event names at most kCapacity timer ops");
    if (n_ < kCapacity) ops_[n_++] = op;
  }
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  const TimerOp& operator[](std::size_t i) const { return ops_[i]; }
  const TimerOp& at(std::size_t i) const {
    if (i >= n_) throw std::out_of_range("TimerOps::at");
    return ops_[i];
  }
  const TimerOp* begin() const { return ops_.data(); }
  const TimerOp* end() const { return ops_.data() + n_; }

 private:
  std::array<TimerOp, kCapacity> ops_{};
  std::size_t n_ = 0;
};

struct Actions {
  bool send = false;      // client: (re)send the request; server: send the last response
  bool send_ack = false;  // INVITE client: (re)send the ACK for the non-2xx final response
  Report report = Report::kNone;
  TimerOps timers;  // applied in order

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
