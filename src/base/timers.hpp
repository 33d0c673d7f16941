// Injected time: every protocol object asks a TimerService for "now" and for timers, so tests
// drive a virtual clock and production drives Asio's steady_timer.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <vector>

namespace sipline::base {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::milliseconds;
using TimerId = std::uint64_t;  // 0 is never a valid id

// `t` rounded up to a whole multiple of `grain` of its clock: for housekeeping deadlines that
// may come a little late, so that thousands of them (one per account) share one wake-up of the
// loop per grain instead of one each.
inline TimePoint coarse(TimePoint t, Duration grain) {
  const auto since = t.time_since_epoch();
  const auto g = std::chrono::duration_cast<TimePoint::duration>(grain);
  const auto rest = since % g;
  return rest == TimePoint::duration::zero() ? t : t + (g - rest);
}

// Runs after every callback of the timers scheduled for it (TimerService::schedule_followed):
// the engine looks at an account after each of its stack's timers.
class TimerFollower {
 public:
  virtual void after_timer() = 0;

 protected:
  ~TimerFollower() = default;
};
using FollowerId = std::uint32_t;  // 0: none

class TimerService {
 public:
  virtual ~TimerService() = default;
  virtual TimePoint now() const = 0;
  // Runs `fn` once at `when` on the loop unless cancelled first. Never runs it synchronously.
  virtual TimerId schedule_at(TimePoint when, std::function<void()> fn) = 0;
  TimerId schedule_in(Duration d, std::function<void()> fn) {
    return schedule_at(now() + d, std::move(fn));
  }
  // Cancelling an unknown or fired id is a no-op.
  virtual void cancel(TimerId id) = 0;
  virtual std::size_t pending() const = 0;
  // Whether `id` is still to fire: false once its callback has started, or it was cancelled.
  // An id is never reused for another timer while anything may still hold it.
  virtual bool is_pending(TimerId id) const = 0;

  // Followers. `f` must stay alive until remove_follower(); a timer scheduled with its id runs
  // f.after_timer() after its callback, unless the follower was removed meanwhile (even by that
  // callback). An id may be reused after removal: a timer left pending by a removed follower
  // then runs the new one's after_timer(), which a follower must take (it only looks).
  virtual FollowerId add_follower(TimerFollower& f) = 0;
  virtual void remove_follower(FollowerId id) = 0;
  // schedule_at(), then the follower: AsioTimers stores it with the timer (no allocation beyond
  // fn's own).
  virtual TimerId schedule_followed(TimePoint when, std::function<void()> fn,
                                    FollowerId follower) = 0;
};

// The followers of a service that runs timers (AsioTimers, VirtualTimers), by id.
class Followers {
 public:
  FollowerId add(TimerFollower& f);
  void remove(FollowerId id);
  void run(FollowerId id) const {
    if (id < by_id_.size() && by_id_[id] != nullptr) by_id_[id]->after_timer();
  }

 private:
  std::vector<TimerFollower*> by_id_{nullptr};  // [0] is "none"
  std::vector<FollowerId> free_;
};

// A virtual clock for tests: time moves only when the test says so, timers fire in order.
class VirtualTimers final : public TimerService {
 public:
  explicit VirtualTimers(TimePoint start = TimePoint{} + std::chrono::hours(1)) : now_(start) {}
  TimePoint now() const override { return now_; }
  TimerId schedule_at(TimePoint when, std::function<void()> fn) override;
  void cancel(TimerId id) override;
  std::size_t pending() const override { return by_id_.size(); }
  bool is_pending(TimerId id) const override { return by_id_.count(id) != 0; }
  FollowerId add_follower(TimerFollower& f) override { return followers_.add(f); }
  void remove_follower(FollowerId id) override { followers_.remove(id); }
  // Wraps fn (tests only: an allocation per timer is fine here).
  TimerId schedule_followed(TimePoint when, std::function<void()> fn, FollowerId follower) override;

  // Fires every timer due at or before now()+d in time order, moving now() to each.
  void advance(Duration d);
  // Fires timers until `pred()` is true or none remain before `limit`; returns pred().
  bool run_until(const std::function<bool()>& pred, Duration limit);
  // Fires the next due timer (moving the clock to it); false when none is pending.
  bool step();
  // Time of the next pending timer, or TimePoint::max() when none.
  TimePoint next_due() const;

 private:
  TimePoint now_;
  TimerId next_id_ = 1;
  std::multimap<std::pair<TimePoint, TimerId>, std::function<void()>> queue_;
  std::unordered_map<TimerId, TimePoint> by_id_;
  Followers followers_;
};

}  // namespace sipline::base
