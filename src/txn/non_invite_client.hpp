// The non-INVITE client transaction of RFC 3261 §17.1.2 as a pure state machine: events in,
// Actions out. Timer E retransmits over unreliable transports (T1 doubling up to T2; T2 once a
// provisional arrived), timer F (64*T1) ends it with a timeout, timer K (T4 over UDP, zero over
// TCP/TLS) absorbs retransmitted final responses.
#pragma once
#include <cstdint>
#include <string_view>

#include "txn/actions.hpp"
#include "txn/timer_config.hpp"

namespace sipline::txn {

enum class ClientState : std::uint8_t { kTrying, kProceeding, kCompleted, kTerminated };
std::string_view to_string(ClientState s);

class NonInviteClient {
 public:
  NonInviteClient(const TimerConfig& cfg, bool reliable) : cfg_(cfg), reliable_(reliable) {}

  ClientState state() const { return state_; }
  bool pending() const {
    return state_ == ClientState::kTrying || state_ == ClientState::kProceeding;
  }

  // The request leaves: send it, arm E (unreliable only) and F.
  Actions start();
  // A response matched this transaction (status 100..699).
  Actions on_response(int status_code);
  Actions on_timer(TimerName timer);
  // The transport could not deliver the request (RFC 3261 §17.1.4).
  Actions on_transport_error();

 private:
  TimerConfig cfg_;
  bool reliable_;
  ClientState state_ = ClientState::kTrying;
  base::Duration interval_{0};  // the current timer E interval
};

}  // namespace sipline::txn
