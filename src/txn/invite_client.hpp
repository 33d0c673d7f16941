// The INVITE client transaction of RFC 3261 §17.1.1 with RFC 6026's Accepted state, as a pure
// state machine: events in, Actions out. Timer A retransmits over unreliable transports (T1,
// doubling without bound) until a response or timer B (64*T1) times it out. A non-2xx final is
// reported once and ACKed inside the transaction (same branch); Completed resends that ACK for
// each retransmission of the final until timer D (32 s over UDP, zero over TCP/TLS). A 2xx moves
// to Accepted (RFC 6026 §7.2): every 2xx (retransmissions, other forks) goes on to the user, who
// ACKs it end to end, until timer M (64*T1).
#pragma once
#include <cstdint>
#include <string_view>

#include "txn/actions.hpp"
#include "txn/timer_config.hpp"

namespace sipline::txn {

enum class InviteClientState : std::uint8_t {
  kCalling,
  kProceeding,
  kCompleted,
  kAccepted,
  kTerminated
};
std::string_view to_string(InviteClientState s);

// Timer D over unreliable transports (§17.1.1.2: "at least 32 seconds").
inline constexpr base::Duration kTimerD{32'000};

class InviteClient {
 public:
  InviteClient(const TimerConfig& cfg, bool reliable) : cfg_(cfg), reliable_(reliable) {}

  InviteClientState state() const { return state_; }
  // No final response yet (a CANCEL still makes sense).
  bool pending() const {
    return state_ == InviteClientState::kCalling || state_ == InviteClientState::kProceeding;
  }
  // The user still wants events: before the final, and in Accepted (further 2xx).
  bool reporting() const { return pending() || state_ == InviteClientState::kAccepted; }

  Actions start();
  Actions on_response(int status_code);
  Actions on_timer(TimerName timer);
  Actions on_transport_error();

 private:
  TimerConfig cfg_;
  bool reliable_;
  InviteClientState state_ = InviteClientState::kCalling;
  base::Duration interval_{0};  // the current timer A interval
};

}  // namespace sipline::txn
