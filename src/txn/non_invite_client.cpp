#include "txn/non_invite_client.hpp"

#include <algorithm>

namespace sipline::txn {

std::string_view to_string(ClientState s) {
  switch (s) {
    case ClientState::kTrying:
      return "trying";
    case ClientState::kProceeding:
      return "proceeding";
    case ClientState::kCompleted:
      return "completed";
    case ClientState::kTerminated:
      return "terminated";
  }
  return "?";
}

Actions NonInviteClient::start() {
  Actions a;
  a.send = true;
  if (!reliable_) {
    interval_ = cfg_.t1;
    a.arm(TimerName::kE, interval_);
  }
  a.arm(TimerName::kF, 64 * cfg_.t1);
  return a;
}

Actions NonInviteClient::on_response(int status_code) {
  Actions a;
  if (state_ == ClientState::kCompleted) {
    a.report = Report::kAbsorbed;  // a retransmitted final response (or a late provisional)
    return a;
  }
  if (!pending()) return a;
  a.report = Report::kResponse;
  if (status_code < 200) {
    state_ = ClientState::kProceeding;
    return a;
  }
  a.stop(TimerName::kE).stop(TimerName::kF);
  if (reliable_) {
    state_ = ClientState::kTerminated;  // timer K is zero over TCP/TLS
  } else {
    state_ = ClientState::kCompleted;
    a.arm(TimerName::kK, cfg_.t4);
  }
  return a;
}

Actions NonInviteClient::on_timer(TimerName timer) {
  Actions a;
  if (timer == TimerName::kE && pending() && !reliable_) {
    a.send = true;
    interval_ = state_ == ClientState::kTrying ? std::min(2 * interval_, cfg_.t2) : cfg_.t2;
    a.arm(TimerName::kE, interval_);
  } else if (timer == TimerName::kF && pending()) {
    state_ = ClientState::kTerminated;
    a.stop(TimerName::kE);
    a.report = Report::kTimeout;
  } else if (timer == TimerName::kK && state_ == ClientState::kCompleted) {
    state_ = ClientState::kTerminated;
  }
  return a;
}

Actions NonInviteClient::on_transport_error() {
  Actions a;
  if (!pending()) return a;
  state_ = ClientState::kTerminated;
  a.stop(TimerName::kE).stop(TimerName::kF);
  a.report = Report::kTransportError;
  return a;
}

}  // namespace sipline::txn
