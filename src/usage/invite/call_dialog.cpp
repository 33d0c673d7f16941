// Call: offers and other requests inside the dialog (calls-and-subscriptions.md "In-dialog").
// A re-INVITE or UPDATE with an offer gets 200 with our answer (RFC 3264 §8): the remote's hold
// (a=sendonly/inactive, or c=0.0.0.0) is honoured — we answer recvonly/inactive and send nothing
// until it offers sendrecv again — and the o= version goes up only when our SDP changes. A
// re-INVITE without an offer gets our offer in the 2xx and its answer in the ACK. Where an
// offer cannot be taken now: 491 while an offer of ours waits for its answer (RFC 3261 §14.2,
// RFC 3311 §5.2), 500 with Retry-After while the previous INVITE's 2xx waits for its ACK or
// the initial offer has no answer yet (RFC 3261 §14.2, RFC 3311 §5.2).
#include <spdlog/spdlog.h>

#include "base/text.hpp"
#include "media/sdp.hpp"
#include "msg/writer.hpp"
#include "usage/invite/call.hpp"

namespace sipline::usage::invite {

namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

void reply(const msg::Message& request, const txn::Respond& respond, int code) {
  respond(msg::response_to(request, code, msg::reason_phrase(code)).finish());
}

// 500 with a Retry-After of 0-10 s (RFC 3261 §14.2, RFC 3311 §5.2).
void retry_later(const msg::Message& request, const txn::Respond& respond, base::Random& random) {
  auto w = msg::response_to(request, 500, "Server Internal Error");
  w.header(msg::HeaderId::kRetryAfter, std::to_string(random.below(11)));
  respond(w.finish());
}

// The digit of an application/dtmf-relay body ("Signal=5\r\nDuration=160"), nullopt when none.
std::optional<char> dtmf_relay_digit(std::string_view body) {
  while (!body.empty()) {
    const std::size_t eol = body.find('\n');
    std::string_view line = body.substr(0, eol);
    body = eol == std::string_view::npos ? std::string_view{} : body.substr(eol + 1);
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    if (!base::iequals(trim(line.substr(0, eq)), "Signal")) continue;
    const std::string_view value = trim(line.substr(eq + 1));
    if (value.size() != 1) return std::nullopt;
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(value[0])));
    if ((c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D')) return c;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string Call::success_with_sdp(const msg::Message& request, const std::string& sdp) const {
  auto ok = msg::response_to(request, 200, "OK", local_tag_);
  ok.header(msg::HeaderId::kContact, msg::format_name_addr({}, identity_.contact));
  ok.header(msg::HeaderId::kAllow, kAllow);
  return sdp.empty() ? ok.finish() : ok.finish(sdp, "application/sdp");
}

void Call::send_invite_success(std::string ok, txn::Respond respond) {
  respond(ok);
  const txn::TimerConfig& cfg = txn_.timer_config();
  retransmit_.start(
      cfg.t1, cfg.t2, [respond, ok = std::move(ok)] { respond(ok); },
      [this] {
        spdlog::info("call {}: no ACK for our 2xx within 64*T1: BYE", call_id_);
        outcome_ = {408, "no ACK", false};
        apply(CallEvent::kLocalHangup);
        send_bye();
      });
}

void Call::on_ack(const msg::Message& ack) {
  retransmit_.stop();
  if (!offer_pending_ || ack.body().empty()) return;
  // The answer to the offer we put in the 2xx of an offerless re-INVITE (RFC 3264 §8).
  offer_pending_ = false;
  auto remote = answer_in(ack.body());
  if (!remote.ok()) {
    spdlog::warn("call {}: the ACK's SDP answer is unusable: the media stays as it was", call_id_);
    return;
  }
  use_remote(remote.value());
}

void Call::on_offer(const msg::Message& request, const txn::Respond& respond) {
  const bool invite = request.method() == "INVITE";
  const bool early = state_ == CallState::kEarly;
  if (state_ != CallState::kConfirmed && !(early && !invite)) {
    if (offer_pending_) return reply(request, respond, 491);  // our INVITE's offer: glare
    // Our incoming call not answered yet (its offer has no answer), or the call is ending.
    return retry_later(request, respond, random_);
  }
  if (offer_pending_) return reply(request, respond, 491);
  // RFC 3261 §14.2: the previous INVITE is not done (its 2xx waits for the ACK).
  if (invite && retransmit_.active()) return retry_later(request, respond, random_);
  dialog_->refresh_target(request);  // both are target refresh requests (RFC 3261 §12.2.2)
  if (request.body().empty()) {
    if (!invite) return reply(request, respond, 200);  // an UPDATE with no offer
    media::SessionDescription offer = media::make_offer(media_.local());
    answer_sdp_ = sdp_version_.stamp(offer);
    offer_pending_ = true;  // the answer comes in the ACK
    return send_invite_success(success_with_sdp(request, answer_sdp_), respond);
  }
  auto sdp = media::parse_sdp(request.body());
  if (!sdp.ok()) {
    spdlog::info("call {}: {} with unreadable SDP ({}): 400, the session unchanged", call_id_,
                 request.method(), media::to_string(sdp.error().kind));
    return reply(request, respond, 400);
  }
  auto answer = media::answer_offer(sdp.value(), media_.local());
  if (!answer.ok()) {  // RFC 3264 §8: a rejected re-offer leaves the session as it was
    return reply(request, respond, 488);
  }
  const bool was_held = remote_media_.hold;
  answer_sdp_ = sdp_version_.stamp(answer.value().sdp);
  use_remote(answer.value().remote);
  if (was_held != remote_media_.hold) {
    spdlog::info("call {}: {} by the remote ({} {})", call_id_,
                 remote_media_.hold ? "held" : "resumed", request.method(),
                 media::to_string(remote_media_.direction));
  }
  const std::string ok = success_with_sdp(request, answer_sdp_);
  if (invite) return send_invite_success(ok, respond);
  respond(ok);
}

void Call::on_info(const msg::Message& request, const txn::Respond& respond) {
  const auto* type = request.find(msg::HeaderId::kContentType);
  const std::string_view content_type =
      type == nullptr ? std::string_view{} : trim(type->value.substr(0, type->value.find(';')));
  if (base::iequals(content_type, "application/dtmf-relay")) {
    auto digit = dtmf_relay_digit(request.body());
    if (!digit) return reply(request, respond, 400);
    spdlog::debug("call {}: INFO DTMF '{}'", call_id_, *digit);
    media_.dtmf_info(*digit);
  }
  reply(request, respond, 200);
}

}  // namespace sipline::usage::invite
