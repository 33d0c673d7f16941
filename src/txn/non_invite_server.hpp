// The non-INVITE server transaction of RFC 3261 §17.2.2 as a pure state machine: events in,
// Actions out. Retransmitted requests are absorbed (Trying) or answered with the last response
// (Proceeding, Completed); timer J (64*T1 over UDP, zero over TCP/TLS) keeps the final response
// for retransmissions. Timer kAbandon (64*T1) frees a transaction whose handler never responds:
// by then the client has given up (its timer F).
#pragma once
#include <cstdint>
#include <string_view>

#include "txn/actions.hpp"
#include "txn/timer_config.hpp"

namespace sipline::txn {

enum class ServerState : std::uint8_t { kTrying, kProceeding, kCompleted, kTerminated };
std::string_view to_string(ServerState s);

class NonInviteServer {
 public:
  NonInviteServer(const TimerConfig& cfg, bool reliable) : cfg_(cfg), reliable_(reliable) {}

  ServerState state() const { return state_; }

  // The request arrived and was handed to the user.
  Actions start();
  // The same request again (RFC 3261 §17.2.3 matched it to this transaction).
  Actions on_retransmission();
  // The user responds (status 100..699). `send` is false when the transaction already sent a
  // final response: a second final is a user error and is not sent.
  Actions on_respond(int status_code);
  Actions on_timer(TimerName timer);

 private:
  TimerConfig cfg_;
  bool reliable_;
  ServerState state_ = ServerState::kTrying;
};

}  // namespace sipline::txn
