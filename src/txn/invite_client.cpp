#include "txn/invite_client.hpp"

namespace sipline::txn {

std::string_view to_string(InviteClientState s) {
  switch (s) {
    case InviteClientState::kCalling:
      return "calling";
    case InviteClientState::kProceeding:
      return "proceeding";
    case InviteClientState::kCompleted:
      return "completed";
    case InviteClientState::kAccepted:
      return "accepted";
    case InviteClientState::kTerminated:
      return "terminated";
  }
  return "?";
}

Actions InviteClient::start() {
  Actions a;
  a.send = true;
  if (!reliable_) {
    interval_ = cfg_.t1;
    a.arm(TimerName::kA, interval_);
  }
  a.arm(TimerName::kB, 64 * cfg_.t1);
  return a;
}

Actions InviteClient::on_response(int status_code) {
  Actions a;
  if (state_ == InviteClientState::kCompleted) {
    // A retransmitted final (or a late provisional): the ACK again for a final (§17.1.1.2).
    a.report = Report::kAbsorbed;
    a.send_ack = status_code >= 300;
    return a;
  }
  if (state_ == InviteClientState::kAccepted) {
    // RFC 6026 §8.4: 2xx go to the user (it re-ACKs them); anything else is dropped.
    a.report = status_code >= 200 && status_code < 300 ? Report::kResponse : Report::kAbsorbed;
    return a;
  }
  if (!pending()) return a;
  a.report = Report::kResponse;
  if (status_code < 200) {
    state_ = InviteClientState::kProceeding;
    a.stop(TimerName::kA).stop(TimerName::kB);  // the UA core decides how long it rings
    return a;
  }
  a.stop(TimerName::kA).stop(TimerName::kB);
  if (status_code < 300) {
    state_ = InviteClientState::kAccepted;
    a.arm(TimerName::kM, 64 * cfg_.t1);
    return a;
  }
  a.send_ack = true;
  if (reliable_) {
    state_ = InviteClientState::kTerminated;  // timer D is zero over TCP/TLS
  } else {
    state_ = InviteClientState::kCompleted;
    a.arm(TimerName::kD, kTimerD);
  }
  return a;
}

Actions InviteClient::on_timer(TimerName timer) {
  Actions a;
  if (timer == TimerName::kA && state_ == InviteClientState::kCalling && !reliable_) {
    a.send = true;
    interval_ = 2 * interval_;  // §17.1.1.2: no T2 cap for INVITE
    a.arm(TimerName::kA, interval_);
  } else if (timer == TimerName::kB && state_ == InviteClientState::kCalling) {
    state_ = InviteClientState::kTerminated;
    a.stop(TimerName::kA);
    a.report = Report::kTimeout;
  } else if ((timer == TimerName::kD && state_ == InviteClientState::kCompleted) ||
             (timer == TimerName::kM && state_ == InviteClientState::kAccepted)) {
    state_ = InviteClientState::kTerminated;
  }
  return a;
}

Actions InviteClient::on_transport_error() {
  Actions a;
  if (!pending()) return a;
  state_ = InviteClientState::kTerminated;
  a.stop(TimerName::kA).stop(TimerName::kB);
  a.report = Report::kTransportError;
  return a;
}

}  // namespace sipline::txn
