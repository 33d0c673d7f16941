// One named timer of a protocol object: arming it again replaces the previous deadline (the old
// one is cancelled, so a stale expiry can never act). Destroying or cancelling it guarantees the
// callback will not run. It is no longer armed once its callback has started.
#pragma once
#include <cstdint>
#include <functional>

#include "base/timers.hpp"

namespace sipline::base {

class Timer {
 public:
  explicit Timer(TimerService& service) : service_(service) {}
  ~Timer() { cancel(); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void arm_at(TimePoint when, std::function<void()> fn);
  void arm_in(Duration d, std::function<void()> fn) { arm_at(service_.now() + d, std::move(fn)); }
  void cancel();
  bool armed() const;
  TimePoint now() const { return service_.now(); }
  // When it fires; TimePoint::max() when not armed.
  TimePoint deadline() const { return armed() ? deadline_ : TimePoint::max(); }

 private:
  TimerService& service_;
  TimerId id_ = 0;
  TimePoint deadline_{};
};

}  // namespace sipline::base
