// One call's mechanism (RFC 3261 §13-15, calls-and-subscriptions.md "Calls"), outgoing side:
// the INVITE with an SDP offer and the seed's identity headers, digest challenges answered once
// each (same Call-ID, CSeq up), a 3xx followed once (its first Contact is the new Request-URI,
// a new INVITE in a new transaction), provisional → ringing/early (a 183 with SDP starts the
// media before the answer), the 2xx ACKed end to end (the same ACK again for each retransmitted
// 2xx), a non-2xx as the outcome, CANCEL before the answer (held until a provisional came, RFC
// 3261 §9.1), BYE from either side. In the dialog (call_dialog.cpp): re-INVITE and UPDATE
// answered with our current SDP (RFC 3264 §8; hold honoured, o= version up only when our SDP
// changes, 491/500 where RFC 3261 §14 and RFC 3311 §5.2 say), OPTIONS answered 200, INFO
// application/dtmf-relay counted as DTMF. The media session is reached through MediaPort (fake
// in unit tests). The state moves only through next_state() (call_state.hpp).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "auth/session.hpp"
#include "base/random.hpp"
#include "dialog/dialog.hpp"
#include "dialog/success_retransmit.hpp"
#include "media/offer_answer.hpp"
#include "txn/next_hop.hpp"
#include "txn/request.hpp"
#include "txn/transaction_layer.hpp"
#include "usage/invite/call_state.hpp"
#include "usage/invite/identity_headers.hpp"

namespace sipline::usage::invite {

// What we say we accept, in every INVITE, 2xx and in-dialog OPTIONS answer.
inline constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE";

// The call's audio, as the call sees it.
class MediaPort {
 public:
  virtual ~MediaPort() = default;
  // Our address, port and wanted direction for the offer/answer.
  virtual media::LocalMedia local() const = 0;
  // The remote's description is known (answer read): send and receive.
  // Called again when a re-INVITE/UPDATE or the 2xx after early media changes the remote's
  // description (hold: remote.we_send() is false, nothing is sent until it is true again).
  virtual void start(const media::RemoteMedia& remote) = 0;
  virtual void stop() = 0;
  // A DTMF digit signalled out of band (INFO application/dtmf-relay).
  virtual void dtmf_info(char digit) = 0;
};

struct CallOutcome {
  int status_code = 0;  // the final status (0: timeout or transport error before any)
  std::string reason;
  bool ended_by_remote = false;
};

class Call {
 public:
  using StateChanged = std::function<void(CallState)>;

  // `identity` and `media` must outlive the Call.
  Call(txn::TransactionLayer& txn, transport::Transport& transport, base::TimerService& timers,
       base::Random& random, auth::Credentials credentials, const txn::Identity& identity,
       MediaPort& media);
  ~Call();
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  void set_on_state(StateChanged cb) { on_state_ = std::move(cb); }
  // RFC 3263 §4.3 for the INVITE we send: before any provisional response, a timeout, a
  // transport error or a 503 without Retry-After asks `fn`; when it says so the INVITE goes
  // again at once (a new transaction) to the identity's target, which the account moved.
  void set_fail_over(txn::FailOver fn) { fail_over_ = std::move(fn); }

  // Places the call to `remote_uri` (kIdle only). `who` is read now (not kept).
  void dial(std::string remote_uri, const IdentityInput& who);
  // CANCEL before the answer, BYE after it; nothing when already ending.
  void hangup();

  // Incoming (call_incoming.cpp): an INVITE for us (kIdle only). An unreadable offer gets 400,
  // one with no codec we support 488 at once (RFC 3264 §6), and the call ends; else 180 with our
  // To tag and the call is kIncoming. `respond` is the INVITE server transaction's.
  void receive(const msg::Message& invite, txn::Respond respond);
  // 200 with our SDP answer, retransmitted (T1 doubling to T2) until the ACK; none within
  // 64*T1: BYE.
  void answer();
  // 486 Busy Here or 603 Decline (any 4xx-6xx) before the answer.
  void reject(int status_code);
  // The CANCEL of our INVITE arrived (the layer answered it 200): 487, the call ends.
  void on_cancel();
  // A request inside this call's dialog (BYE, re-INVITE, UPDATE, OPTIONS, INFO, ACK): answered
  // through `respond`.
  // False when it is not this call's (the caller tries another call or answers 481).
  bool on_request(const msg::Message& request, const txn::Respond& respond);

  CallState state() const { return state_; }
  const CallOutcome& outcome() const { return outcome_; }
  const std::string& call_id() const { return call_id_; }
  const dialog::Dialog* dialog() const { return dialog_ ? &*dialog_ : nullptr; }
  // The remote's current description (what it last offered or answered).
  const media::RemoteMedia& remote_media() const { return remote_media_; }
  // The remote holds the call (a=sendonly/inactive or c=0.0.0.0): we send nothing.
  bool held_by_remote() const { return media_started_ && remote_media_.hold; }

 private:
  void send_invite(const std::string* authorization);
  // Sends the INVITE again to the account's next target when the fail-over hook says so.
  bool invite_elsewhere(int status, bool retry_after, std::string why);
  void on_invite_event(const txn::ClientEvent& event);
  void on_provisional(const msg::Message& response);
  void on_success(const msg::Message& response);
  void on_failure(const msg::Message& response);
  void send_cancel();
  void send_bye();
  void end(CallEvent e, int status, std::string reason, bool remote);
  void apply(CallEvent e);
  void on_ack(const msg::Message& ack);
  // call_dialog.cpp: an offer (or none) inside the dialog, and the DTMF of an INFO.
  void on_offer(const msg::Message& request, const txn::Respond& respond);
  void on_info(const msg::Message& request, const txn::Respond& respond);
  // Our answer or offer in a 2xx: Contact, Allow and the SDP.
  std::string success_with_sdp(const msg::Message& request, const std::string& sdp) const;
  // Sends `ok` (a 2xx to an INVITE) and retransmits it until the ACK (none within 64*T1: BYE).
  void send_invite_success(std::string ok, txn::Respond respond);
  void use_remote(const media::RemoteMedia& remote);
  // The remote's description in an SDP answer body (unreadable: kNoAudio).
  static base::Result<media::RemoteMedia, media::OfferAnswerError> answer_in(std::string_view body);
  bool redirect(const msg::Message& response);

  txn::TransactionLayer& txn_;
  transport::Transport& transport_;
  base::TimerService& timers_;
  base::Random& random_;
  auth::DigestSession auth_;
  const txn::Identity& identity_;
  MediaPort& media_;
  StateChanged on_state_;
  txn::FailOver fail_over_;
  transport::Target invite_sent_to_;  // where the INVITE in flight went
  CallState state_ = CallState::kIdle;
  CallOutcome outcome_;

  std::string remote_uri_, call_id_, from_tag_, from_uri_, from_display_;
  std::string request_uri_;  // remote_uri_, or the Contact of the 3xx we followed
  bool redirected_ = false;
  std::optional<std::string> privacy_, ppi_;
  std::string offer_;                  // our SDP offer
  media::SessionVersion sdp_version_;  // o= of every SDP we send (RFC 3264 §8)
  // We made an offer (the INVITE's, or one in a 2xx to an offerless re-INVITE) with no answer yet.
  bool offer_pending_ = false;
  bool media_started_ = false;
  std::uint32_t cseq_ = 0;
  std::uint64_t invite_handle_ = 0;
  bool provisional_seen_ = false;
  bool cancel_waiting_ = false;  // hung up before any provisional: CANCEL on the first one
  std::optional<dialog::Dialog> dialog_;
  std::string ack_;  // the ACK for our 2xx, re-sent for each retransmitted 2xx
  // Incoming.
  std::optional<msg::Message> invite_;  // the INVITE we answer
  txn::Respond respond_;
  std::string local_tag_, answer_sdp_;
  media::RemoteMedia remote_media_;
  dialog::SuccessRetransmitter retransmit_{timers_};
  std::shared_ptr<char> life_ = std::make_shared<char>('\0');
};

}  // namespace sipline::usage::invite
