#include "base/timer.hpp"

namespace sipline::base {

void Timer::arm_at(TimePoint when, std::function<void()> fn) {
  cancel();
  deadline_ = when;
  // The callback goes to the service as it is: no wrapper (and no allocation for one). The id
  // names this arming only, so a cancel after it fired, or a re-arm, never touches another.
  id_ = service_.schedule_at(when, std::move(fn));
}

void Timer::cancel() {
  if (id_ != 0) service_.cancel(id_);
  id_ = 0;
}

bool Timer::armed() const {
  return id_ != 0 && service_.is_pending(id_);
}

}  // namespace sipline::base
