#include "base/timers.hpp"

namespace sipline::base {

FollowerId Followers::add(TimerFollower& f) {
  if (!free_.empty()) {
    const FollowerId id = free_.back();
    free_.pop_back();
    by_id_[id] = &f;
    return id;
  }
  by_id_.push_back(&f);
  return static_cast<FollowerId>(by_id_.size() - 1);
}

void Followers::remove(FollowerId id) {
  if (id == 0 || id >= by_id_.size() || by_id_[id] == nullptr) return;
  by_id_[id] = nullptr;
  free_.push_back(id);
}

TimerId VirtualTimers::schedule_followed(TimePoint when, std::function<void()> fn,
                                         FollowerId follower) {
  return schedule_at(when, [this, fn = std::move(fn), follower] {
    fn();
    followers_.run(follower);  // the service outlives its timers
  });
}

TimerId VirtualTimers::schedule_at(TimePoint when, std::function<void()> fn) {
  TimerId id = next_id_++;
  if (when < now_) when = now_;
  queue_.emplace(std::make_pair(when, id), std::move(fn));
  by_id_.emplace(id, when);
  return id;
}

void VirtualTimers::cancel(TimerId id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  queue_.erase(std::make_pair(it->second, id));
  by_id_.erase(it);
}

bool VirtualTimers::step() {
  if (queue_.empty()) return false;
  auto it = queue_.begin();
  auto [when, id] = it->first;
  auto fn = std::move(it->second);
  queue_.erase(it);
  by_id_.erase(id);
  now_ = when;
  fn();
  return true;
}

TimePoint VirtualTimers::next_due() const {
  return queue_.empty() ? TimePoint::max() : queue_.begin()->first.first;
}

void VirtualTimers::advance(Duration d) {
  const TimePoint target = now_ + d;
  while (!queue_.empty() && queue_.begin()->first.first <= target) step();
  now_ = target;
}

bool VirtualTimers::run_until(const std::function<bool()>& pred, Duration limit) {
  const TimePoint end = now_ + limit;
  while (!pred()) {
    if (queue_.empty() || queue_.begin()->first.first > end) {
      now_ = end;
      return pred();
    }
    step();
  }
  return true;
}

}  // namespace sipline::base
