// The INVITE server transaction of RFC 3261 §17.2.1 with RFC 6026's Accepted state, as a pure
// state machine: events in, Actions out ("send" = send the last response).
//  - Proceeding: 100 Trying after 200 ms unless the user answered first (timer kTrying); a
//    retransmitted INVITE gets the last provisional again.
//  - A 2xx moves to Accepted (RFC 6026 §7.1): the user retransmits its 2xx through the
//    transaction until its ACK (RFC 3261 §13.3.1.4); retransmitted INVITEs are absorbed; ACKs go
//    to the user; timer L (64*T1) ends it.
//  - A 300-699 moves to Completed: timer G resends it (T1 doubling up to T2, unreliable only)
//    until the ACK, which is absorbed (Confirmed, timer I = T4 over UDP, zero over TCP/TLS);
//    timer H (64*T1) gives up and reports kAckTimeout.
#pragma once
#include <cstdint>
#include <string_view>

#include "txn/actions.hpp"
#include "txn/timer_config.hpp"

namespace sipline::txn {

enum class InviteServerState : std::uint8_t {
  kProceeding,
  kCompleted,
  kConfirmed,
  kAccepted,
  kTerminated
};
std::string_view to_string(InviteServerState s);

// How long the server waits for the user's first response before it sends 100 Trying itself.
inline constexpr base::Duration kTryingDelay{200};

class InviteServer {
 public:
  InviteServer(const TimerConfig& cfg, bool reliable) : cfg_(cfg), reliable_(reliable) {}

  InviteServerState state() const { return state_; }
  // No final response yet: a CANCEL still applies (RFC 3261 §9.2).
  bool cancellable() const { return state_ == InviteServerState::kProceeding; }

  Actions start();
  // The same INVITE again.
  Actions on_retransmission();
  // The user responds (100..699). In Accepted only a 2xx is sent (the user's retransmission).
  Actions on_respond(int status_code);
  // An ACK matched this transaction. report == kResponse: hand it to the user (Accepted).
  Actions on_ack();
  Actions on_timer(TimerName timer);

 private:
  TimerConfig cfg_;
  bool reliable_;
  InviteServerState state_ = InviteServerState::kProceeding;
  base::Duration interval_{0};  // the current timer G interval
};

}  // namespace sipline::txn
