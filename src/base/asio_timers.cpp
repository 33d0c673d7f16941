#include "base/asio_timers.hpp"

namespace sipline::base {

AsioTimers::~AsioTimers() {
  timer_.cancel();
}

TimerId AsioTimers::schedule_at(TimePoint when, std::function<void()> fn) {
  const TimerId id = next_id_++;
  queue_.emplace(Key{when, id}, std::move(fn));
  by_id_.emplace(id, when);
  if (when < armed_for_) rearm();
  return id;
}

void AsioTimers::cancel(TimerId id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  queue_.erase(Key{it->second, id});
  by_id_.erase(it);
  // The Asio timer may stay armed for the cancelled deadline: on_expiry then finds nothing due
  // and re-arms for the next one. Cheaper than re-arming on every cancel.
}

void AsioTimers::rearm() {
  if (queue_.empty()) {
    armed_for_ = TimePoint::max();  // the next schedule_at arms
    return;
  }
  const TimePoint next = queue_.begin()->first.first;
  armed_for_ = next;
  timer_.expires_at(next);  // cancels the wait in progress (its handler sees operation_aborted)
  timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const std::error_code& ec) {
    // No shared_ptr held across on_expiry(): a callback may destroy the service, and on_expiry
    // must then see `alive_` expire.
    if (ec || alive.expired()) return;
    on_expiry();
  });
}

void AsioTimers::on_expiry() {
  // While the callbacks run, what they schedule does not arm the Asio timer: it is armed once,
  // for the head of the queue, when they are done.
  armed_for_ = TimePoint::min();
  const TimePoint now = Clock::now();
  // Timers scheduled by the callbacks below wait for the next turn of the loop, even when due.
  const TimerId newest = next_id_;
  const std::weak_ptr<bool> alive = alive_;
  while (!queue_.empty()) {
    auto it = queue_.begin();
    if (it->first.first > now || it->first.second >= newest) break;
    auto fn = std::move(it->second);
    by_id_.erase(it->first.second);
    queue_.erase(it);
    fn();
    if (alive.expired()) return;  // the callback destroyed the service (and its owner)
  }
  rearm();
}

}  // namespace sipline::base
