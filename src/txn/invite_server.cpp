#include "txn/invite_server.hpp"

#include <algorithm>

namespace sipline::txn {

std::string_view to_string(InviteServerState s) {
  switch (s) {
    case InviteServerState::kProceeding:
      return "proceeding";
    case InviteServerState::kCompleted:
      return "completed";
    case InviteServerState::kConfirmed:
      return "confirmed";
    case InviteServerState::kAccepted:
      return "accepted";
    case InviteServerState::kTerminated:
      return "terminated";
  }
  return "?";
}

Actions InviteServer::start() {
  Actions a;
  a.arm(TimerName::kTrying, kTryingDelay);
  return a;
}

Actions InviteServer::on_retransmission() {
  Actions a;
  a.report = Report::kAbsorbed;
  a.send = state_ == InviteServerState::kProceeding || state_ == InviteServerState::kCompleted;
  return a;
}

Actions InviteServer::on_respond(int status_code) {
  Actions a;
  const bool success = status_code >= 200 && status_code < 300;
  if (state_ == InviteServerState::kAccepted) {
    a.send = success;  // the user retransmits its 2xx until the ACK
    return a;
  }
  if (state_ != InviteServerState::kProceeding) return a;
  a.send = true;
  a.stop(TimerName::kTrying);
  if (status_code < 200) return a;
  if (success) {
    state_ = InviteServerState::kAccepted;
    a.arm(TimerName::kL, 64 * cfg_.t1);
    return a;
  }
  state_ = InviteServerState::kCompleted;
  if (!reliable_) {
    interval_ = cfg_.t1;
    a.arm(TimerName::kG, interval_);
  }
  a.arm(TimerName::kH, 64 * cfg_.t1);
  return a;
}

Actions InviteServer::on_ack() {
  Actions a;
  if (state_ == InviteServerState::kAccepted) {
    a.report = Report::kResponse;  // the ACK for the user's 2xx: the user wants it
    return a;
  }
  a.report = Report::kAbsorbed;
  if (state_ != InviteServerState::kCompleted) return a;
  a.stop(TimerName::kG).stop(TimerName::kH);
  if (reliable_) {
    state_ = InviteServerState::kTerminated;  // timer I is zero over TCP/TLS
  } else {
    state_ = InviteServerState::kConfirmed;
    a.arm(TimerName::kI, cfg_.t4);
  }
  return a;
}

Actions InviteServer::on_timer(TimerName timer) {
  Actions a;
  const InviteServerState s = state_;
  if (timer == TimerName::kTrying && s == InviteServerState::kProceeding) {
    a.send = true;  // the last response is the layer's own 100 Trying
  } else if (timer == TimerName::kG && s == InviteServerState::kCompleted && !reliable_) {
    a.send = true;
    interval_ = std::min(2 * interval_, cfg_.t2);
    a.arm(TimerName::kG, interval_);
  } else if (timer == TimerName::kH && s == InviteServerState::kCompleted) {
    state_ = InviteServerState::kTerminated;
    a.stop(TimerName::kG);
    a.report = Report::kAckTimeout;
  } else if ((timer == TimerName::kI && s == InviteServerState::kConfirmed) ||
             (timer == TimerName::kL && s == InviteServerState::kAccepted)) {
    state_ = InviteServerState::kTerminated;
  }
  return a;
}

}  // namespace sipline::txn
