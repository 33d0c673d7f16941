#include "usage/invite/call.hpp"

#include <spdlog/spdlog.h>

#include "auth/respond.hpp"
#include "media/sdp.hpp"
#include "msg/writer.hpp"

namespace sipline::usage::invite {

namespace {

std::string in_dialog(std::string_view method, const dialog::InDialogRequest& r,
                      const transport::Transport& transport, const transport::Target& target,
                      std::string_view branch, std::string_view user_agent) {
  auto w = txn::start_request({method, r.request_uri, r.from, r.to, r.call_id, r.cseq}, transport,
                              target, branch);
  for (const std::string& route : r.routes) w.header(msg::HeaderId::kRoute, route);
  if (!user_agent.empty()) w.header(msg::HeaderId::kUserAgent, user_agent);
  return w.finish();
}

}  // namespace

Call::Call(txn::TransactionLayer& txn, transport::Transport& transport, base::TimerService& timers,
           base::Random& random, auth::Credentials credentials, const txn::Identity& identity,
           MediaPort& media)
    : txn_(txn),
      transport_(transport),
      timers_(timers),
      random_(random),
      auth_(std::move(credentials), random),
      identity_(identity),
      media_(media) {}

Call::~Call() {
  if (invite_handle_ != 0) txn_.cancel(invite_handle_);
}

void Call::apply(CallEvent e) {
  const auto next = next_state(state_, e);
  if (!next) {
    spdlog::debug("call {}: {} ignored in {}", call_id_, to_string(e), to_string(state_));
    return;
  }
  state_ = *next;
  if (state_ == CallState::kTerminated) media_.stop();
  if (on_state_) on_state_(state_);  // may destroy this: nothing after it
}

void Call::dial(std::string remote_uri, const IdentityInput& who) {
  if (state_ != CallState::kIdle) return;
  remote_uri_ = std::move(remote_uri);
  call_id_ = random_.call_id();
  from_tag_ = random_.tag();
  const IdentityHeaders h = identity_headers(who);
  auto from = msg::parse_name_addr(h.from);
  from_uri_ = from.ok() ? std::string(from.value().uri.text) : identity_.aor;
  from_display_ = from.ok() ? std::string(from.value().display_name) : std::string{};
  privacy_ = h.privacy;
  ppi_ = h.p_preferred_identity;
  request_uri_ = remote_uri_;
  media::SessionDescription offer = media::make_offer(media_.local());
  offer_ = sdp_version_.stamp(offer);
  offer_pending_ = true;
  auth_.begin_attempt();
  const std::weak_ptr<char> alive = life_;
  apply(CallEvent::kDial);
  if (!alive.expired()) send_invite(nullptr);
}

void Call::send_invite(const std::string* authorization) {
  ++cseq_;
  const std::string branch = random_.branch();
  const std::string from = msg::format_name_addr(from_display_, from_uri_, ";tag=" + from_tag_);
  const std::string to = msg::format_name_addr({}, remote_uri_);
  auto w = txn::start_request({"INVITE", request_uri_, from, to, call_id_, cseq_}, transport_,
                              identity_.target, branch);
  w.header(msg::HeaderId::kContact, msg::format_name_addr({}, identity_.contact));
  w.header(msg::HeaderId::kAllow, kAllow);
  if (privacy_) w.header(msg::HeaderId::kPrivacy, *privacy_);
  if (ppi_) w.header(msg::HeaderId::kPPreferredIdentity, *ppi_);
  if (authorization != nullptr) w.header(auth_.header_name(), *authorization);
  if (!identity_.user_agent.empty()) w.header(msg::HeaderId::kUserAgent, identity_.user_agent);
  provisional_seen_ = false;
  invite_sent_to_ = identity_.target;
  invite_handle_ =
      txn_.send_request(identity_.target, branch, "INVITE", w.finish(offer_, "application/sdp"),
                        [this](const txn::ClientEvent& e) { on_invite_event(e); });
}

void Call::on_invite_event(const txn::ClientEvent& event) {
  const auto* r = std::get_if<txn::ResponseEvent>(&event);
  if (r == nullptr) {
    invite_handle_ = 0;
    const bool timeout = std::holds_alternative<txn::TimeoutEvent>(event);
    if (invite_elsewhere(0, false, timeout ? "timeout" : "transport")) return;
    return end(CallEvent::kFailed, timeout ? 408 : 503,
               timeout ? "no response (transaction timeout)" : "transport error", false);
  }
  const int code = r->response.status_code();
  if (code < 200) return on_provisional(r->response);
  if (code < 300) return on_success(r->response);
  invite_handle_ = 0;
  on_failure(r->response);
}

void Call::on_provisional(const msg::Message& response) {
  if (response.status_code() == 100) return;
  provisional_seen_ = true;
  if (cancel_waiting_) {
    cancel_waiting_ = false;
    return send_cancel();
  }
  auto to = response.to();
  if (!dialog_ && to.ok() && !to.value().tag().empty()) {  // the early dialog (RFC 3261 §12.1.2)
    const dialog::LocalSide local{call_id_,    from_uri_,     from_tag_,
                                  remote_uri_, from_display_, cseq_};
    auto d = dialog::Dialog::from_response(local, response);
    if (d.ok()) dialog_ = std::move(d).value();
  }
  if (response.body().empty()) return apply(CallEvent::kRinging);
  // Early media (RFC 3261 §13.2.1, RFC 3264): the 183's SDP answers our offer; RTP flows both
  // ways before the 2xx.
  auto remote = answer_in(response.body());
  if (!remote.ok()) {
    spdlog::warn("call {}: {} with an unusable SDP: treated as ringing", call_id_,
                 response.status_code());
    return apply(CallEvent::kRinging);
  }
  offer_pending_ = false;
  use_remote(remote.value());
  apply(CallEvent::kEarlyMedia);
}

base::Result<media::RemoteMedia, media::OfferAnswerError> Call::answer_in(std::string_view body) {
  auto sdp = media::parse_sdp(body);
  if (!sdp.ok()) return base::fail(media::OfferAnswerError::kNoAudio);
  return media::read_answer(sdp.value());
}

void Call::use_remote(const media::RemoteMedia& remote) {
  remote_media_ = remote;
  media_started_ = true;
  media_.start(remote);
}

void Call::on_success(const msg::Message& response) {
  if (!ack_.empty()) {  // a retransmitted 2xx: our ACK was lost
    transport_.send(identity_.target, ack_);
    return;
  }
  const dialog::LocalSide local{call_id_, from_uri_, from_tag_, remote_uri_, from_display_, cseq_};
  auto d = dialog::Dialog::from_response(local, response);
  if (!d.ok()) {
    spdlog::warn("call {}: 2xx without a usable dialog ({})", call_id_,
                 dialog::describe(d.error()));
    return;
  }
  dialog_ = std::move(d).value();
  ack_ = in_dialog("ACK", dialog_->ack_request(cseq_), transport_, identity_.target,
                   random_.branch(), identity_.user_agent);
  transport_.send(identity_.target, ack_);
  if (state_ == CallState::kTerminating) return send_bye();  // answered while we cancelled
  auto remote = answer_in(response.body());
  if (remote.ok()) {
    use_remote(remote.value());  // the answer, or the early answer again (changed: updated)
  } else if (!media_started_ || !response.body().empty()) {
    spdlog::warn("call {}: 2xx without a usable SDP answer: BYE", call_id_);
    outcome_ = {488, "unusable SDP answer", false};
    apply(CallEvent::kLocalHangup);
    return send_bye();
  }  // else: no SDP in the 2xx, the 183's answer stands
  offer_pending_ = false;
  outcome_ = {response.status_code(), std::string(response.reason()), false};
  apply(CallEvent::kAnswered);
}

bool Call::invite_elsewhere(int status, bool retry_after, std::string why) {
  // Not once a provisional came (the server took the call), nor while we cancel.
  if (!fail_over_ || provisional_seen_ || state_ != CallState::kCalling) return false;
  if (!fail_over_({invite_sent_to_, status == 0, status, retry_after, std::move(why)})) {
    return false;
  }
  auth_.begin_attempt();  // another server: its own challenge
  send_invite(nullptr);
  return true;
}

void Call::on_failure(const msg::Message& response) {
  const int code = response.status_code();
  if (code == 503 &&
      invite_elsewhere(code, response.find(msg::HeaderId::kRetryAfter) != nullptr, "503")) {
    return;
  }
  if ((code == 401 || code == 407) && state_ != CallState::kTerminating) {
    auto credentials = auth::answer_challenge(auth_, response, "INVITE", request_uri_);
    if (credentials.ok()) return send_invite(&*credentials);
  }
  if (code >= 300 && code < 400 && redirect(response)) return;
  end(state_ == CallState::kTerminating ? CallEvent::kDone : CallEvent::kFailed, code,
      std::string(response.reason()), state_ != CallState::kTerminating);
}

// RFC 3261 §8.1.3.4: followed once. The first Contact (SIP or SIPS) becomes the Request-URI of
// a new INVITE in a new transaction (same Call-ID, From tag and To, CSeq up); a second 3xx, or
// one without a usable Contact, is the outcome.
bool Call::redirect(const msg::Message& response) {
  if (redirected_ || state_ == CallState::kTerminating || cancel_waiting_) return false;
  auto contacts = response.contacts();
  if (!contacts.ok()) return false;
  for (const msg::Contact& c : contacts.value()) {
    if (c.star) continue;
    auto uri = msg::parse_uri(c.addr.uri.text);
    if (!uri.ok()) continue;
    spdlog::info("call {}: {} redirects to {}", call_id_, response.status_code(), c.addr.uri.text);
    redirected_ = true;
    request_uri_ = std::string(c.addr.uri.text);
    dialog_.reset();  // an early dialog with the redirector is gone
    auth_.begin_attempt();
    send_invite(nullptr);
    return true;
  }
  return false;
}

void Call::hangup() {
  const CallState s = state_;
  if (s == CallState::kConfirmed) {
    outcome_.ended_by_remote = false;
    apply(CallEvent::kLocalHangup);
    return send_bye();
  }
  if (s != CallState::kCalling && s != CallState::kRinging && s != CallState::kEarly) return;
  apply(CallEvent::kLocalHangup);
  if (provisional_seen_) {
    send_cancel();
  } else {
    cancel_waiting_ = true;  // §9.1: not before a provisional response
  }
}

void Call::send_cancel() {
  txn_.send_cancel(invite_handle_, [](const txn::ClientEvent&) {});
}

void Call::send_bye() {
  if (!dialog_) return end(CallEvent::kDone, 0, "no dialog", false);
  const std::string branch = random_.branch();
  std::string bye = in_dialog("BYE", dialog_->next_request(), transport_, identity_.target, branch,
                              identity_.user_agent);
  txn_.send_request(identity_.target, branch, "BYE", std::move(bye),
                    [this](const txn::ClientEvent& e) {
                      const auto* r = std::get_if<txn::ResponseEvent>(&e);
                      if (r && r->response.status_code() < 200) return;
                      if (outcome_.status_code == 0) outcome_.status_code = 200;
                      apply(CallEvent::kDone);
                    });
}

void Call::end(CallEvent e, int status, std::string reason, bool remote) {
  outcome_ = {status, std::move(reason), remote};
  apply(e);
}

bool Call::on_request(const msg::Message& request, const txn::Respond& respond) {
  if (!dialog_ || !dialog_->matches(request)) return false;
  if (request.method() == "ACK") {
    on_ack(request);
    return true;
  }
  auto cseq = request.cseq();
  if (!cseq.ok() || !dialog_->accept_remote_cseq(cseq->seq)) {
    respond(msg::response_to(request, 500, "Server Internal Error").finish());
    return true;
  }
  const std::string_view method = request.method();
  if (method == "BYE") {
    respond(msg::response_to(request, 200, "OK").finish());
    retransmit_.stop();
    outcome_.ended_by_remote = true;
    apply(CallEvent::kRemoteBye);
  } else if (method == "INVITE" || method == "UPDATE") {
    on_offer(request, respond);
  } else if (method == "INFO") {
    on_info(request, respond);
  } else if (method == "OPTIONS") {
    auto ok = msg::response_to(request, 200, "OK");
    ok.header(msg::HeaderId::kAllow, kAllow);
    ok.header(msg::HeaderId::kAccept, "application/sdp");
    respond(ok.finish());
  } else {
    respond(msg::response_to(request, 501, "Not Implemented").finish());
  }
  return true;
}

}  // namespace sipline::usage::invite
