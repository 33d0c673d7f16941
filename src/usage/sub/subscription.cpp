#include "usage/sub/subscription.hpp"

#include "auth/respond.hpp"
#include "usage/sub/request.hpp"

namespace sipline::usage::sub {

std::string_view to_string(SubState s) {
  switch (s) {
    case SubState::kIdle:
      return "idle";
    case SubState::kSubscribing:
      return "subscribing";
    case SubState::kActive:
      return "active";
    case SubState::kUnsubscribing:
      return "unsubscribing";
    case SubState::kEnded:
      return "ended";
  }
  return "";
}

struct Subscription::Attempt {
  std::uint32_t expires_s = 0;
  bool refresh = false;  // in-dialog
  bool got_423 = false;
  std::string request_uri;     // for the digest uri
  bool retransmitted = false;  // one of its SUBSCRIBEs had to be sent again (admission)
  Done done;
};

Subscription::Subscription(txn::TransactionLayer& txn, transport::Transport& transport,
                           base::Random& random, auth::Credentials credentials, Package package,
                           std::string resource)
    : txn_(txn),
      transport_(transport),
      random_(random),
      auth_(std::move(credentials), random),
      package_(package),
      resource_(std::move(resource)) {}

Subscription::~Subscription() {
  cancel();
}

void Subscription::cancel() {
  if (txn_handle_ != 0) txn_.cancel(txn_handle_);
  txn_handle_ = 0;
  attempt_.reset();
}

void Subscription::forget_dialog() {
  dialog_.reset();
}

void Subscription::subscribe(std::uint32_t expires_s, Done done) {
  cancel();
  attempt_ = std::make_unique<Attempt>();
  attempt_->expires_s = expires_s;
  attempt_->refresh = dialog_.has_value();
  attempt_->done = std::move(done);
  auth_.begin_attempt();  // the wrong-password guard is this attempt's own (as REGISTER's)
  if (!dialog_) {
    call_id_ = random_.call_id();
    from_tag_ = random_.tag();
    cseq_ = 0;
    state_ = SubState::kSubscribing;
  }
  send(nullptr);
}

bool Subscription::unsubscribe(Done done) {
  if (!dialog_) return false;
  subscribe(0, std::move(done));
  state_ = SubState::kUnsubscribing;
  return true;
}

dialog::LocalSide Subscription::local_side() const {
  return {call_id_, identity_->aor, from_tag_, resource_, identity_->display_name, cseq_};
}

void Subscription::send(const std::string* authorization) {
  const std::string branch = random_.branch();
  std::optional<dialog::InDialogRequest> in_dialog;
  if (dialog_) {
    in_dialog = dialog_->next_request();
    attempt_->request_uri = in_dialog->request_uri;
  } else {
    ++cseq_;
    attempt_->request_uri = resource_;
  }
  std::string preemptive;
  if (authorization == nullptr && preemptive_auth_) {
    if (auto r = auth_.reauthorize("SUBSCRIBE", attempt_->request_uri); r.ok()) {
      preemptive = std::move(*r);
      authorization = &preemptive;
    }
  }
  const SubscribeFields f{package_,
                          attempt_->expires_s,
                          identity_->contact,
                          identity_->user_agent,
                          auth_.header_name(),
                          authorization};
  std::string bytes =
      in_dialog ? in_dialog_subscribe(*in_dialog, f, transport_, identity_->target, branch)
                : initial_subscribe(*identity_, resource_, from_tag_, call_id_, cseq_, f,
                                    transport_, identity_->target, branch);
  txn_handle_ = txn_.send_request(identity_->target, branch, "SUBSCRIBE", std::move(bytes),
                                  [this](const txn::ClientEvent& e) { on_event(e); });
}

void Subscription::on_event(const txn::ClientEvent& event) {
  if (!attempt_) return;
  if (const auto* r = std::get_if<txn::ResponseEvent>(&event)) {
    attempt_->retransmitted = attempt_->retransmitted || r->retransmitted;
    if (r->response.status_code() >= 200) {
      txn_handle_ = 0;
      on_final(r->response);
    }
    return;
  }
  txn_handle_ = 0;
  Outcome o;
  o.requested_s = attempt_->expires_s;
  o.detail = std::holds_alternative<txn::TimeoutEvent>(event)
                 ? "no response (transaction timeout)"
                 : "transport: " + std::get<txn::TransportErrorEvent>(event).error.detail;
  finish(std::move(o));
}

void Subscription::on_final(const msg::Message& response) {
  const int code = response.status_code();
  if (code == 401 || code == 407) {
    auto credentials = auth::answer_challenge(auth_, response, "SUBSCRIBE", attempt_->request_uri);
    if (credentials.ok()) return send(&*credentials);
    Outcome o;
    o.status_code = code;
    o.requested_s = attempt_->expires_s;
    o.action = credentials.error().credentials ? ResponseAction::kRetryCredentials
                                               : ResponseAction::kRetryLater;
    o.detail = credentials.error().detail;
    return finish(std::move(o));
  }
  auth_.on_success();
  Outcome o;
  o.status_code = code;
  o.requested_s = attempt_->expires_s;
  o.detail = std::to_string(code) + " " + std::string(response.reason());
  if (auto ra = response.retry_after(); ra.ok()) o.retry_after_s = ra->seconds;
  const auto min = response.uint_header(msg::HeaderId::kMinExpires);
  o.action =
      on_final_response({code, attempt_->refresh, attempt_->got_423, attempt_->expires_s, min});
  if (o.action == ResponseAction::kRetryMinExpires) {
    attempt_->got_423 = true;
    attempt_->expires_s = *min;
    return send(nullptr);
  }
  if (o.action == ResponseAction::kActive) {
    o.granted_s = granted_expiry(response, attempt_->expires_s);
    if (!dialog_) {
      auto d = dialog::Dialog::from_response(local_side(), response);
      if (!d.ok()) {
        o.action = ResponseAction::kRetryLater;
        o.detail = "2xx without a usable dialog: " + std::string(dialog::describe(d.error()));
        return finish(std::move(o));
      }
      dialog_ = std::move(d).value();
    } else {
      dialog_->refresh_target(response);
    }
  } else if (o.action == ResponseAction::kNewNow) {
    dialog_.reset();
  }
  finish(std::move(o));
}

void Subscription::finish(Outcome outcome) {
  if (state_ != SubState::kUnsubscribing) {
    state_ = outcome.action == ResponseAction::kActive ? SubState::kActive : SubState::kIdle;
  } else if (outcome.action != ResponseAction::kActive) {
    state_ = SubState::kEnded;  // nothing more to wait for
    dialog_.reset();
  }
  auto attempt = std::move(attempt_);
  if (attempt) outcome.retransmitted = attempt->retransmitted;
  if (attempt && attempt->done) attempt->done(outcome);
}

bool Subscription::matches(const msg::Message& notify) const {
  if (dialog_) return dialog_->matches(notify);
  if (state_ != SubState::kSubscribing) return false;
  const auto id = dialog::incoming_id(notify);
  return id && id->call_id == call_id_ && id->local_tag == from_tag_ && !id->remote_tag.empty();
}

NotifyAnswer Subscription::on_notify(const msg::Message& notify) {
  NotifyAnswer a;
  if (!matches(notify)) return {481, "no such subscription", {}};
  auto ss = notify.subscription_state();
  if (!ss.ok() || notify.find(msg::HeaderId::kSubscriptionState) == nullptr) {
    return {400, "missing or malformed Subscription-State", {}};
  }
  auto cseq = notify.cseq();
  if (!cseq.ok()) return {400, "malformed CSeq", {}};
  if (!dialog_) {
    auto d = dialog::Dialog::from_request(local_side(), notify);
    if (!d.ok()) return {400, std::string(dialog::describe(d.error())), {}};
    dialog_ = std::move(d).value();
  } else {
    if (!dialog_->accept_remote_cseq(cseq->seq)) return {500, "CSeq out of order", {}};
    dialog_->refresh_target(notify);
  }
  a.verdict = on_subscription_state(*ss, state_ == SubState::kUnsubscribing);
  if (a.verdict.action != StateAction::kKeep) {
    state_ = SubState::kEnded;
    dialog_.reset();
  }
  return a;
}

}  // namespace sipline::usage::sub
