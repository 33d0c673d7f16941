#include "base/asio_timers.hpp"

namespace sipline::base {

AsioTimers::~AsioTimers() {
  for (auto& [id, t] : timers_) t->cancel();
}

TimerId AsioTimers::schedule_at(TimePoint when, std::function<void()> fn) {
  TimerId id = next_id_++;
  auto timer = std::make_unique<asio::steady_timer>(io_, when);
  timer->async_wait([this, id, fn = std::move(fn)](const std::error_code& ec) {
    if (ec) return;  // cancelled
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    // Keep the timer object alive until the handler returns, then drop it.
    auto keep = std::move(it->second);
    timers_.erase(it);
    fn();
  });
  timers_.emplace(id, std::move(timer));
  return id;
}

void AsioTimers::cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->cancel();
  timers_.erase(it);
}

}  // namespace sipline::base
