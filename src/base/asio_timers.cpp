#include "base/asio_timers.hpp"

#include <algorithm>

namespace sipline::base {

AsioTimers::~AsioTimers() {
  timer_.cancel();
}

TimerId AsioTimers::schedule_at(TimePoint when, std::function<void()> fn) {
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
  slot.live = true;
  ++live_;
  const TimerId id = (static_cast<TimerId>(slot.generation) << 32) | index;
  heap_.push_back(Entry{when, next_seq_++, index});
  slot.heap_pos = static_cast<std::uint32_t>(heap_.size() - 1);
  sift_up(heap_.size() - 1);
  if (when < armed_for_) rearm();
  return id;
}

void AsioTimers::place(std::size_t pos, const Entry& e) {
  heap_[pos] = e;
  slots_[e.slot].heap_pos = static_cast<std::uint32_t>(pos);
}

void AsioTimers::sift_up(std::size_t pos) {
  const Entry e = heap_[pos];
  while (pos > 0) {
    const std::size_t parent = (pos - 1) / 2;
    if (!before(e, heap_[parent])) break;
    place(pos, heap_[parent]);
    pos = parent;
  }
  place(pos, e);
}

void AsioTimers::sift_down(std::size_t pos) {
  const Entry e = heap_[pos];
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
    if (!before(heap_[child], e)) break;
    place(pos, heap_[child]);
    pos = child;
  }
  place(pos, e);
}

// Takes the entry at `pos` out: the last one fills its place and moves up or down.
void AsioTimers::remove_entry(std::size_t pos) {
  const std::size_t last = heap_.size() - 1;
  if (pos != last) {
    place(pos, heap_[last]);
    heap_.pop_back();
    if (pos > 0 && before(heap_[pos], heap_[(pos - 1) / 2])) {
      sift_up(pos);
    } else {
      sift_down(pos);
    }
  } else {
    heap_.pop_back();
  }
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
  slot.live = false;
  ++slot.generation;
  if (slot.generation == 0) slot.generation = 1;  // id 0 is never valid
  --live_;
  free_.push_back(index);
}

void AsioTimers::cancel(TimerId id) {
  Slot* slot = live_slot(id);
  if (slot == nullptr) return;
  remove_entry(slot->heap_pos);
  release(slot_of(id));
  // The Asio timer may stay armed for the removed entry: on_expiry then finds nothing due and
  // re-arms. Cheaper than re-arming on every cancel.
}

void AsioTimers::rearm() {
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
    if (top.when > now || top.seq >= newest) break;
    remove_entry(0);
    auto fn = std::move(slots_[top.slot].fn);
    release(top.slot);
    fn();
    if (alive.expired()) return;  // the callback destroyed the service (and its owner)
  }
  rearm();
}

}  // namespace sipline::base
