// One subscription's mechanism (RFC 6665 §4.1): the initial SUBSCRIBE, in-dialog refreshes and
// Expires: 0, digest challenges (auth::answer_challenge, as for REGISTER), one 423 per attempt,
// and the NOTIFYs of its dialog (a NOTIFY before the 2xx creates the dialog). One Outcome per
// attempt; when to refresh or retry is the owner's policy (the account's timing rules).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "auth/session.hpp"
#include "base/random.hpp"
#include "dialog/dialog.hpp"
#include "txn/request.hpp"
#include "txn/transaction_layer.hpp"
#include "usage/sub/policy.hpp"

namespace sipline::usage::sub {

enum class SubState : std::uint8_t { kIdle, kSubscribing, kActive, kUnsubscribing, kEnded };
std::string_view to_string(SubState s);

struct Outcome {
  ResponseAction action = ResponseAction::kRetryLater;
  int status_code = 0;  // 0: timeout / transport error
  std::uint32_t requested_s = 0;
  std::uint32_t granted_s = 0;  // 2xx: its Expires (else what we asked)
  std::optional<std::uint32_t> retry_after_s;
  std::string detail;
  // Answered only after a SUBSCRIBE was sent again (timer E): the admission gate hears of it
  // as a loss, as it does of a REGISTER's (base::Answer::kDelayed).
  bool retransmitted = false;
};

// How to answer a NOTIFY and what its Subscription-State says.
struct NotifyAnswer {
  int status_code = 200;  // 200, 400 (unreadable), 481 (not ours), 500 (CSeq out of order)
  std::string reason;     // for 400: what was wrong
  StateVerdict verdict;   // valid when status_code == 200
};

class Subscription {
 public:
  using Done = std::function<void(const Outcome&)>;

  Subscription(txn::TransactionLayer& txn, transport::Transport& transport, base::Random& random,
               auth::Credentials credentials, Package package, std::string resource);
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // `identity` (the account's) must outlive the Subscription.
  void set_identity(const txn::Identity& identity) { identity_ = &identity; }
  // Nonces shared with the account's registration and other subscriptions (must outlive this);
  // with `preemptive`, every SUBSCRIBE not answering a challenge carries credentials from the
  // newest challenge (next nc), as REGISTER refreshes do with add_auth_header_on_reregister.
  void share_nonces(auth::NonceCache* cache, bool preemptive) {
    auth_.share(cache);
    preemptive_auth_ = preemptive;
  }

  // Subscribes for `expires_s`: a refresh inside the dialog when there is one, else a new
  // subscription (new Call-ID and tag). `done` runs once, never synchronously.
  void subscribe(std::uint32_t expires_s, Done done);
  // Expires: 0 inside the dialog; false (nothing sent) when there is no dialog.
  bool unsubscribe(Done done);
  // Forgets the dialog (a 481, a terminated subscription): the next subscribe() starts anew.
  void forget_dialog();
  void cancel();  // abandons the attempt in progress: `done` will not run

  // Is this NOTIFY for us (its dialog, or — before any dialog — our Call-ID and tag)?
  bool matches(const msg::Message& notify) const;
  // Handles a NOTIFY that matches(); the caller sends the answer and reads the body.
  NotifyAnswer on_notify(const msg::Message& notify);

  SubState state() const { return state_; }
  Package package() const { return package_; }
  const std::string& resource() const { return resource_; }
  bool has_dialog() const { return dialog_.has_value(); }
  const dialog::Dialog* dialog() const { return dialog_ ? &*dialog_ : nullptr; }

 private:
  struct Attempt;
  // Sends the attempt's SUBSCRIBE; `authorization` answers a challenge (nullptr: none, or the
  // pre-emptive credentials when they are on).
  void send(const std::string* authorization);
  void on_event(const txn::ClientEvent& event);
  void on_final(const msg::Message& response);
  void finish(Outcome outcome);
  dialog::LocalSide local_side() const;

  txn::TransactionLayer& txn_;
  transport::Transport& transport_;
  base::Random& random_;
  auth::DigestSession auth_;
  Package package_;
  std::string resource_;
  const txn::Identity* identity_ = nullptr;
  SubState state_ = SubState::kIdle;
  std::string call_id_, from_tag_;
  std::uint32_t cseq_ = 0;  // initial SUBSCRIBEs (before a dialog)
  bool preemptive_auth_ = false;
  std::optional<dialog::Dialog> dialog_;
  std::uint64_t txn_handle_ = 0;
  std::unique_ptr<Attempt> attempt_;
};

}  // namespace sipline::usage::sub
