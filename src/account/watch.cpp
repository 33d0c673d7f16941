#include "account/watch.hpp"

#include <spdlog/spdlog.h>

#include "account/policy.hpp"

namespace sipline::account {

using std::chrono::seconds;
using usage::sub::ResponseAction;
using usage::sub::StateAction;

std::string_view to_string(WatchState s) {
  switch (s) {
    case WatchState::kIdle:
      return "idle";
    case WatchState::kSubscribing:
      return "subscribing";
    case WatchState::kActive:
      return "active";
    case WatchState::kFailed:
      return "failed";
    case WatchState::kTerminated:
      return "terminated";
    case WatchState::kUnsubscribing:
      return "unsubscribing";
    case WatchState::kStopped:
      return "stopped";
  }
  return "?";
}

Watch::Watch(const config::AccountConfig& cfg, WatchStack stack, const txn::Identity& identity,
             usage::sub::Package package, std::string resource)
    : cfg_(cfg),
      stack_(stack),
      identity_(identity),
      sub_(stack.txn, stack.transport, stack.random, {cfg.auth_user(), cfg.password}, package,
           std::move(resource)),
      refresh_timer_(stack.timers),
      retry_timer_(stack.timers),
      done_timer_(stack.timers) {
  sub_.set_identity(identity);
  if (stack.nonces != nullptr) sub_.share_nonces(stack.nonces, cfg.add_auth_header_on_reregister);
}

Watch::~Watch() {
  leave_gate();
}

std::uint32_t Watch::requested_s() const {
  const auto asked = static_cast<std::uint32_t>(seconds{cfg_.subscribe_expiration_min}.count());
  return std::max(asked, min_expires_s_);
}

std::optional<base::Duration> Watch::next_refresh_in() const {
  if (!refresh_timer_.armed()) return std::nullopt;
  return std::chrono::duration_cast<base::Duration>(refresh_timer_.deadline() -
                                                    stack_.timers.now());
}

std::optional<base::Duration> Watch::next_attempt_in() const {
  if (!retry_timer_.armed()) return std::nullopt;
  return std::chrono::duration_cast<base::Duration>(retry_timer_.deadline() - stack_.timers.now());
}

void Watch::start() {
  if (state_ != WatchState::kIdle && state_ != WatchState::kStopped) return;
  sub_.forget_dialog();
  attempt();
}

void Watch::refresh_now() {
  if (state_ == WatchState::kActive) attempt();
}

void Watch::leave_gate(std::optional<base::Answer> answer) {
  if (stack_.gate != nullptr) stack_.gate->release(ticket_, answer);
  ticket_ = 0;
}

// Every SUBSCRIBE waits for a place at the engine's gate, as a REGISTER does: 1000 accounts
// with six subscriptions each keep a bounded number of transactions in flight.
void Watch::attempt() {
  refresh_timer_.cancel();
  retry_timer_.cancel();
  state_ = WatchState::kSubscribing;
  leave_gate();
  if (stack_.gate != nullptr) {
    bool granted = false;
    ticket_ = stack_.gate->acquire([this] { send(); }, granted);
    if (!granted) return;
  }
  send();
}

void Watch::send() {
  sent_to_ = identity_.target;
  sub_.subscribe(requested_s(), [this](const usage::sub::Outcome& o) { on_outcome(o); });
}

void Watch::on_outcome(const usage::sub::Outcome& o) {
  // Its answer teaches an adaptive gate as a REGISTER's does (o.status_code 0: no answer; one
  // that came only after a retransmission: a loss).
  leave_gate(base::answer_for_status(o.status_code, o.retransmitted));
  if (o.requested_s > requested_s()) min_expires_s_ = o.requested_s;  // after a 423
  if (o.action == ResponseAction::kRetryLater && stack_.fail_over &&
      stack_.fail_over({sent_to_, o.status_code == 0, o.status_code, o.retry_after_s.has_value(),
                        o.status_code != 0 ? std::to_string(o.status_code) : o.detail})) {
    last_error_ = o.detail;
    return attempt();  // at once, to the account's next target: no failure counted
  }
  switch (o.action) {
    case ResponseAction::kActive:
      ++counters_.subscribes_ok;
      if (o.granted_s == 0) {  // a 2xx that grants nothing holds nothing
        return fail("2xx granted 0 seconds", retry_delay(cfg_.registration_retry_wait_s,
                                                         std::nullopt, stack_.jitter.unit()));
      }
      last_error_.clear();
      return granted(o.granted_s);
    case ResponseAction::kNewNow:  // 481 to a refresh: the dialog is gone
      ++counters_.failures;
      last_error_ = o.detail;
      if (on_state_lost_) on_state_lost_(o.detail);
      return attempt();
    case ResponseAction::kStop:
      ++counters_.failures;
      return terminate(o.detail);
    case ResponseAction::kRetryCredentials:
      ++counters_.failures;
      return fail(o.detail, cfg_.auth_failure_retry_wait_s);
    case ResponseAction::kRetryLater:
    case ResponseAction::kRetryMinExpires:
      ++counters_.failures;
      return fail(o.detail, retry_delay(cfg_.registration_retry_wait_s, o.retry_after_s,
                                        stack_.jitter.unit()));
  }
}

void Watch::granted(std::uint32_t g) {
  granted_s_ = g;
  state_ = WatchState::kActive;
  retry_timer_.cancel();
  refresh_timer_.arm_in(
      refresh_delay(seconds{g}, cfg_.reregister_before_expiration_s, stack_.jitter.unit()),
      [this] { attempt(); });
}

void Watch::fail(const std::string& why, base::Duration wait) {
  granted_s_ = 0;
  last_error_ = why;
  state_ = WatchState::kFailed;
  refresh_timer_.cancel();
  retry_timer_.arm_in(wait, [this] { attempt(); });
  spdlog::warn("subscription {} {}: {}, next attempt in {} s", event_name(sub_.package()),
               sub_.resource(), why, std::chrono::duration_cast<seconds>(wait).count());
}

void Watch::terminate(const std::string& why) {
  granted_s_ = 0;
  last_error_ = why;
  state_ = WatchState::kTerminated;
  refresh_timer_.cancel();
  retry_timer_.cancel();
  sub_.forget_dialog();
  spdlog::warn("subscription {} {}: ended ({}), not renewed", event_name(sub_.package()),
               sub_.resource(), why);
}

void Watch::on_notify(const usage::sub::StateVerdict& v) {
  ++counters_.notifies;
  const std::string reason = v.reason.empty() ? "no reason" : v.reason;
  switch (v.action) {
    case StateAction::kKeep:
      // A NOTIFY before the 2xx, or during a refresh, leaves the attempt in flight to finish.
      if (v.expires_s && state_ == WatchState::kActive) {
        if (*v.expires_s == 0) return attempt();
        granted(*v.expires_s);
      }
      return;
    case StateAction::kNewNow:
      last_error_ = "terminated by the server: " + reason;
      sub_.cancel();
      return attempt();
    case StateAction::kNewLater: {
      sub_.cancel();
      const auto wait =
          retry_delay(cfg_.registration_retry_wait_s, v.retry_after_s, stack_.jitter.unit());
      return fail("terminated by the server: " + reason, wait);
    }
    case StateAction::kEnd:
      return;  // the final NOTIFY after our own Expires: 0
    case StateAction::kNotRenewed:
      sub_.cancel();
      return terminate("terminated by the server: " + reason);
  }
}

void Watch::stop(std::function<void()> done) {
  refresh_timer_.cancel();
  retry_timer_.cancel();
  leave_gate();
  sub_.cancel();
  granted_s_ = 0;
  const bool sent = sub_.unsubscribe([this, done](const usage::sub::Outcome&) {
    state_ = WatchState::kStopped;
    done();
  });
  if (sent) {
    state_ = WatchState::kUnsubscribing;
    return;
  }
  state_ = WatchState::kStopped;
  done_timer_.arm_in(base::Duration{0}, std::move(done));
}

}  // namespace sipline::account
