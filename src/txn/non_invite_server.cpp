#include "txn/non_invite_server.hpp"

namespace sipline::txn {

std::string_view to_string(ServerState s) {
  switch (s) {
    case ServerState::kTrying:
      return "trying";
    case ServerState::kProceeding:
      return "proceeding";
    case ServerState::kCompleted:
      return "completed";
    case ServerState::kTerminated:
      return "terminated";
  }
  return "?";
}

Actions NonInviteServer::start() {
  Actions a;
  a.arm(TimerName::kAbandon, 64 * cfg_.t1);
  return a;
}

Actions NonInviteServer::on_retransmission() {
  Actions a;
  a.report = Report::kAbsorbed;
  // Trying: nothing to resend yet (§17.2.2: discarded). Later: resend the last response.
  a.send = state_ == ServerState::kProceeding || state_ == ServerState::kCompleted;
  return a;
}

Actions NonInviteServer::on_respond(int status_code) {
  Actions a;
  if (state_ != ServerState::kTrying && state_ != ServerState::kProceeding) return a;
  a.send = true;
  if (status_code < 200) {
    state_ = ServerState::kProceeding;
    return a;
  }
  a.stop(TimerName::kAbandon);
  if (reliable_) {
    state_ = ServerState::kTerminated;  // timer J is zero over TCP/TLS
  } else {
    state_ = ServerState::kCompleted;
    a.arm(TimerName::kJ, 64 * cfg_.t1);
  }
  return a;
}

Actions NonInviteServer::on_timer(TimerName timer) {
  Actions a;
  const bool open = state_ == ServerState::kTrying || state_ == ServerState::kProceeding;
  if ((timer == TimerName::kJ && state_ == ServerState::kCompleted) ||
      (timer == TimerName::kAbandon && open)) {
    state_ = ServerState::kTerminated;
  }
  return a;
}

}  // namespace sipline::txn
