#include "base/asio_timers.hpp"

#include <algorithm>

namespace sipline::base {

namespace {
// std::push_heap and friends build a max-heap: "greater" puts the earliest deadline on top.
// "a comes up after b": a min-heap keeps no entry below one that comes up after it.
template <typename E>
bool later(const E& a, const E& b) {
  return a.when != b.when ? a.when > b.when : a.seq > b.seq;
}
}  // namespace

// Both move a hole rather than swap: one copy an entry passed, where a swap made three.
void AsioTimers::heap_push(const Entry& e) {
  std::size_t i = heap_.size();
  heap_.push_back(e);
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (!later(heap_[parent], e)) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
}

void AsioTimers::heap_pop() {
  heap_.front() = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0);
}

void AsioTimers::sift_down(std::size_t i) {
  const std::size_t n = heap_.size();
  const Entry e = heap_[i];
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && later(heap_[child], heap_[child + 1])) ++child;
    if (!later(e, heap_[child])) break;
    heap_[i] = heap_[child];
    i = child;
  }
  heap_[i] = e;
}

AsioTimers::~AsioTimers() {
  timer_.cancel();
}

TimerId AsioTimers::schedule_followed(TimePoint when, std::function<void()> fn,
                                      FollowerId follower) {
  std::uint32_t index = 0;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& slot = slots_[index];
  slot.fn = std::move(fn);
  slot.follower = follower;
  slot.live = 1;
  ++live_;
  const TimerId id = (static_cast<TimerId>(slot.generation) << 32) | index;
  heap_push(Entry{when, next_seq_++, id});
  if (when < armed_for_) rearm();
  return id;
}

AsioTimers::Slot* AsioTimers::live_slot(TimerId id) {
  const std::uint32_t index = slot_of(id);
  if (index >= slots_.size()) return nullptr;
  Slot& slot = slots_[index];
  return slot.live && slot.generation == generation_of(id) ? &slot : nullptr;
}

bool AsioTimers::is_pending(TimerId id) const {
  const std::uint32_t index = slot_of(id);
  return index < slots_.size() && slots_[index].live &&
         slots_[index].generation == generation_of(id);
}

void AsioTimers::release(std::uint32_t index) {
  Slot& slot = slots_[index];
  slot.fn = nullptr;
  slot.follower = 0;
  slot.live = 0;
  ++slot.generation;
  if (slot.generation == 0) slot.generation = 1;  // id 0 is never valid
  --live_;
  free_.push_back(index);
}

void AsioTimers::cancel(TimerId id) {
  if (live_slot(id) == nullptr) return;
  release(slot_of(id));
  // The heap entry stays until it comes up (prune), and the Asio timer may stay armed for it:
  // on_expiry then finds nothing due and re-arms. Cheaper than re-arming on every cancel.
}

void AsioTimers::prune() {
  while (!heap_.empty() && live_slot(heap_.front().id) == nullptr) heap_pop();
  if (heap_.size() <= 2 * live_ + 1024) return;
  // Mostly cancelled entries (transaction timers that never fired): keep the live ones only.
  heap_.keep_if([this](const Entry& e) { return live_slot(e.id) != nullptr; });
  for (std::size_t i = heap_.size() / 2; i-- > 0;) sift_down(i);
  heap_.clear_unused();
}

void AsioTimers::rearm() {
  prune();
  if (heap_.empty()) {
    armed_for_ = TimePoint::max();  // the next schedule_at arms
    return;
  }
  const TimePoint next = heap_.front().when;
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
  const std::uint64_t newest = next_seq_;
  const std::weak_ptr<bool> alive = alive_;
  while (!heap_.empty()) {
    const Entry top = heap_.front();
    if (live_slot(top.id) == nullptr) {  // cancelled
      heap_pop();
      continue;
    }
    if (top.when > now || top.seq >= newest) break;
    heap_pop();
    auto fn = std::move(slots_[slot_of(top.id)].fn);
    const FollowerId follower = slots_[slot_of(top.id)].follower;
    release(slot_of(top.id));
    fn();
    if (alive.expired()) return;  // the callback destroyed the service (and its owner)
    followers_.run(follower);
  }
  rearm();
}

}  // namespace sipline::base
