#include "base/timer.hpp"

namespace sipline::base {

void Timer::arm_at(TimePoint when, std::function<void()> fn) {
  cancel();
  const std::uint64_t gen = ++generation_;
  deadline_ = when;
  id_ = service_.schedule_at(when, [this, gen, fn = std::move(fn)] {
    if (gen != generation_) return;  // re-armed or cancelled since: stale
    id_ = 0;
    fn();
  });
}

void Timer::cancel() {
  if (id_ != 0) service_.cancel(id_);
  id_ = 0;
  ++generation_;
}

}  // namespace sipline::base
