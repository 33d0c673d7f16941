// One subscription of an account and the account's policy for it (calls-and-subscriptions.md
// "Subscriptions"): when to refresh (the registration timing rule against the granted time),
// when to retry (registration_retry_wait_s, Retry-After, credential failures), what a
// terminated Subscription-State leads to, and ending it with Expires: 0. The mechanism (SUBSCRIBE
// bytes, digest, dialog, NOTIFY matching) is usage::sub::Subscription's.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/gate.hpp"
#include "base/random.hpp"
#include "base/timer.hpp"
#include "config/config.hpp"
#include "txn/next_hop.hpp"
#include "usage/sub/subscription.hpp"

namespace sipline::account {

enum class WatchState : std::uint8_t {
  kIdle,           // not started (the account is not registered yet)
  kSubscribing,    // a SUBSCRIBE (initial, refresh or retry) is in flight or waits for the gate
  kActive,         // granted; the refresh timer is armed
  kFailed,         // the last attempt failed; the retry timer is armed
  kTerminated,     // not renewed (489, rejected, noresource, ...): last_error says why
  kUnsubscribing,  // our Expires: 0 is in flight
  kStopped,        // ended by us
};
std::string_view to_string(WatchState s);

// What the account's subscriptions run on.
struct WatchStack {
  txn::TransactionLayer& txn;
  transport::Transport& transport;
  base::TimerService& timers;
  base::Random& random;
  base::Random& jitter;
  base::Gate* gate = nullptr;  // the engine's admission gate, shared with registrations
  // The account's walk through its server's targets (RFC 3263 §4.3): a SUBSCRIBE that timed
  // out, met a transport error or got a 503 without Retry-After is sent again at once when it
  // says so. Unset: the retry rule alone.
  txn::FailOver fail_over = {};
  // The account's nonces, shared with its registration (add_auth_header_on_reregister: every
  // SUBSCRIBE carries credentials from the newest challenge). Unset: the subscription's own.
  auth::NonceCache* nonces = nullptr;
};

struct WatchCounters {
  std::uint64_t subscribes_ok = 0;  // 2xx to an initial SUBSCRIBE or a refresh
  std::uint64_t failures = 0;       // failed attempts (any final non-2xx, timeout, transport)
  std::uint64_t notifies = 0;       // NOTIFYs taken (answered 200)
};

class Watch {
 public:
  // `cfg` and `identity` (the account's) must outlive the Watch.
  Watch(const config::AccountConfig& cfg, WatchStack stack, const txn::Identity& identity,
        usage::sub::Package package, std::string resource);
  ~Watch();
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  // Subscribes when not started yet (kIdle) or ended by us (kStopped); otherwise nothing: a
  // failing one has its retry timer, one the server ended stays ended.
  void start();
  // An in-dialog SUBSCRIBE now (a partial document we cannot apply asks for a full one).
  void refresh_now();
  // Ends it: Expires: 0 when there is a dialog; `done` runs once (never synchronously).
  void stop(std::function<void()> done);

  // A NOTIFY that dispatch_notify gave to this subscription (answered 200): act on its verdict.
  void on_notify(const usage::sub::StateVerdict& verdict);

  // Runs when a refresh gets 481 (RFC 6665 §4.1.2.2): the notifier no longer knows the
  // subscription, it lost its state (a restart). Called before the new subscription starts.
  void set_on_state_lost(std::function<void(const std::string& why)> fn) {
    on_state_lost_ = std::move(fn);
  }

  usage::sub::Subscription& subscription() { return sub_; }
  const usage::sub::Subscription& subscription() const { return sub_; }
  usage::sub::Package package() const { return sub_.package(); }
  const std::string& resource() const { return sub_.resource(); }
  WatchState state() const { return state_; }
  std::uint32_t granted_s() const { return granted_s_; }
  const std::string& last_error() const { return last_error_; }
  std::optional<base::Duration> next_refresh_in() const;
  std::optional<base::Duration> next_attempt_in() const;
  const WatchCounters& counters() const { return counters_; }

 private:
  void attempt();
  void send();
  // Gives the gate's place back; with how the attempt ended when a SUBSCRIBE went out.
  void leave_gate(std::optional<base::Answer> answer = std::nullopt);
  void on_outcome(const usage::sub::Outcome& o);
  void granted(std::uint32_t seconds);
  void fail(const std::string& why, base::Duration wait);
  void terminate(const std::string& why);
  std::uint32_t requested_s() const;

  const config::AccountConfig& cfg_;
  WatchStack stack_;
  const txn::Identity& identity_;
  transport::Target sent_to_;  // where the SUBSCRIBE in flight went
  usage::sub::Subscription sub_;
  base::Timer refresh_timer_;
  base::Timer retry_timer_;
  base::Timer done_timer_;
  base::Gate::Ticket ticket_ = 0;
  WatchState state_ = WatchState::kIdle;
  std::uint32_t granted_s_ = 0;
  std::uint32_t min_expires_s_ = 0;  // raised by a 423: asked for from then on
  std::string last_error_;
  WatchCounters counters_;
  std::function<void(const std::string&)> on_state_lost_;
};

}  // namespace sipline::account
