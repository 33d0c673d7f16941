// Call: the incoming side (RFC 3261 §13.3, calls-and-subscriptions.md "Incoming").
#include <spdlog/spdlog.h>

#include "media/sdp.hpp"
#include "msg/writer.hpp"
#include "usage/invite/call.hpp"

namespace sipline::usage::invite {

void Call::receive(const msg::Message& invite, txn::Respond respond) {
  if (state_ != CallState::kIdle) return;
  invite_ = invite;
  respond_ = std::move(respond);
  call_id_ = std::string(invite.call_id());
  local_tag_ = random_.tag();
  auto offer = media::parse_sdp(invite.body());
  if (!offer.ok()) {
    apply(CallEvent::kOffered);
    return reject(400);
  }
  auto answer = media::answer_offer(offer.value(), media_.local());
  if (!answer.ok()) {
    apply(CallEvent::kOffered);
    return reject(488);  // RFC 3264 §6: no codec in common, before ringing
  }
  answer_sdp_ = sdp_version_.stamp(answer.value().sdp);
  remote_media_ = answer.value().remote;
  auto d = dialog::Dialog::from_incoming(invite, local_tag_);
  if (!d.ok()) {
    apply(CallEvent::kOffered);
    return reject(400);
  }
  dialog_ = std::move(d).value();
  auto ringing = msg::response_to(invite, 180, "Ringing", local_tag_);
  ringing.header(msg::HeaderId::kContact, msg::format_name_addr({}, identity_.contact));
  respond_(ringing.finish());
  apply(CallEvent::kOffered);
}

void Call::answer() {
  if (state_ != CallState::kIncoming) return;
  send_invite_success(success_with_sdp(*invite_, answer_sdp_), respond_);
  use_remote(remote_media_);
  outcome_ = {200, "OK", false};
  apply(CallEvent::kAnswered);
}

void Call::reject(int status_code) {
  if (state_ != CallState::kIncoming || status_code < 300) return;
  respond_(msg::response_to(*invite_, status_code, msg::reason_phrase(status_code), local_tag_)
               .finish());
  end(CallEvent::kFailed, status_code, std::string(msg::reason_phrase(status_code)), false);
}

void Call::on_cancel() {
  if (state_ != CallState::kIncoming) return;
  respond_(msg::response_to(*invite_, 487, "Request Terminated", local_tag_).finish());
  end(CallEvent::kFailed, 487, "Request Terminated", true);
}

}  // namespace sipline::usage::invite
