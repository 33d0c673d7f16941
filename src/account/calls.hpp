// One account's calls (calls-and-subscriptions.md "Calls"): places outgoing calls, takes
// incoming INVITEs (max_calls → 486, accept_calls_from_server_only → 403, a Request-URI for
// another user → 404, auto_answer after auto_answer_delay_s), routes CANCEL, ACK and in-dialog
// requests to their call, and keeps the ended calls in a history (the last 1000). Each call's
// audio is an RtpMediaPort. The usage's Call does the protocol; this is the account's policy.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "account/rtp_media.hpp"
#include "base/timer.hpp"
#include "config/config.hpp"
#include "txn/next_hop.hpp"
#include "usage/invite/call.hpp"

namespace sipline::account {

using WallTime = std::chrono::system_clock::time_point;

// One call as the interfaces show it.
struct CallRecord {
  std::uint64_t id = 0;
  int account = 0;
  bool outgoing = false;
  std::string remote;  // the other party's URI
  bool anonymous = false;
  // calling | ringing | early | incoming | confirmed | ending | ended
  std::string state;
  WallTime started_at{};
  std::optional<WallTime> answered_at, ended_at;
  std::optional<usage::invite::CallOutcome> outcome;  // once ended
  std::string codec;
  bool held = false;  // by the remote, now (an ended call: false)
  RtpFigures rtp;
};

struct DialError {
  int status = 0;  // the HTTP status an interface answers with: 400, 404, 409, 503
  std::string message;
};

// Totals since the account started (calls leave the history, these stay).
struct CallTotals {
  // Ended calls by (outgoing, final status): 0 is a timeout or transport error.
  std::map<std::pair<bool, int>, std::uint64_t> ended;
  double answered_seconds = 0;                                 // summed durations of answered calls
  std::uint64_t rtp_sent = 0, rtp_received = 0, rtp_lost = 0;  // ended and active calls
  std::uint64_t active_in = 0, active_out = 0;
  double max_jitter_ms = 0;  // of the active calls
};

enum class CallAction { kOk, kUnknown, kNotNow };  // kNotNow: the call is not in that state

class Calls {
 public:
  static constexpr std::size_t kHistory = 1000;

  struct Stack {
    txn::TransactionLayer& txn;
    transport::Transport& transport;
    base::TimerService& timers;
    base::Random& random;
    txn::FailOver fail_over = {};  // the account's target walk for outgoing INVITEs
  };
  // `cfg`, `identity` and `env` must outlive the Calls.
  Calls(int index, const config::AccountConfig& cfg, Stack stack, const txn::Identity& identity,
        CallMediaEnv& env);
  ~Calls();
  Calls(const Calls&) = delete;
  Calls& operator=(const Calls&) = delete;

  // An incoming INVITE, CANCEL, ACK, BYE, INFO or UPDATE (the methods the account hands it;
  // OPTIONS outside a dialog stays the transaction layer's default 200).
  void on_request(const msg::Message& req, const transport::Address& source, txn::Respond respond);

  // Called after each state change of a call with its record then and its state before ("" for
  // a new call); the last one is "ended", with the outcome and the RTP figures. It runs inside
  // the call's own callback: it must not dial, answer or hang up.
  using ChangeHandler = std::function<void(const CallRecord& now, const std::string& before)>;
  void set_on_change(ChangeHandler handler) { on_change_ = std::move(handler); }

  // `to`: a SIP URI, or a bare user / number (sip:USER@sip_server as written, port included).
  base::Result<std::uint64_t, DialError> dial(const std::string& to, bool anonymous);
  CallAction answer(std::uint64_t id);
  // Before the answer: incoming 486 (603 with `decline`), outgoing CANCEL; after: BYE.
  CallAction hangup(std::uint64_t id, bool decline);
  void hangup_all();

  std::size_t active() const;
  // Active calls first (oldest first), then the history (latest first).
  std::vector<CallRecord> records() const;
  std::optional<CallRecord> record(std::uint64_t id) const;
  CallTotals totals() const;

  // The URI a bare user or number is called at (a URI is kept as is).
  static std::string target_uri(const config::AccountConfig& cfg, const std::string& to);

 private:
  struct Entry {
    std::unique_ptr<RtpMediaPort> media;
    std::unique_ptr<usage::invite::Call> call;
    CallRecord record;
    std::unique_ptr<base::Timer> auto_answer;
  };
  Entry* create(bool outgoing, const std::string& remote, bool anonymous, DialError& error);
  void on_state(std::uint64_t id, usage::invite::CallState s);
  CallRecord live(const Entry& e) const;
  void on_invite(const msg::Message& req, const transport::Address& source, txn::Respond respond);
  void on_cancel(const msg::Message& req);
  void in_dialog(const msg::Message& req, const txn::Respond& respond);
  bool from_server(const transport::Address& source) const;

  int index_;
  const config::AccountConfig& cfg_;
  Stack stack_;
  const txn::Identity& identity_;
  CallMediaEnv& env_;
  std::shared_ptr<const media::Samples> source_;  // media_file, or null: silence
  std::map<std::uint64_t, std::unique_ptr<Entry>> entries_;
  // Latest first; made at the first ended call (an empty deque allocates ~600 bytes, and a
  // fleet's accounts mostly never call).
  std::optional<std::deque<CallRecord>> history_;
  CallTotals ended_;  // the ended calls' part of totals()
  ChangeHandler on_change_;
  std::shared_ptr<char> life_ = std::make_shared<char>('\0');
};

}  // namespace sipline::account
