// The production TimerService: one Asio steady_timer on the single loop, armed for the earliest
// deadline of a binary heap. A pending timer costs a heap entry (24 bytes) and a slot in a
// reused table (its callback): scheduling allocates nothing but what the callback itself needs,
// and cancelling only frees the slot (the heap entry is skipped when it comes up). Thousands of
// accounts each keep a refresh, a retry or a keep-alive timer armed, and every transaction arms
// and cancels two or three.
#pragma once
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/chunked_array.hpp"
#include "base/timers.hpp"

namespace sipline::base {

class AsioTimers final : public TimerService {
 public:
  explicit AsioTimers(asio::io_context& io) : timer_(io) {}
  ~AsioTimers() override;
  TimePoint now() const override { return Clock::now(); }
  TimerId schedule_at(TimePoint when, std::function<void()> fn) override {
    return schedule_followed(when, std::move(fn), 0);
  }
  TimerId schedule_followed(TimePoint when, std::function<void()> fn, FollowerId follower) override;
  FollowerId add_follower(TimerFollower& f) override { return followers_.add(f); }
  void remove_follower(FollowerId id) override { followers_.remove(id); }
  void cancel(TimerId id) override;
  std::size_t pending() const override { return live_; }
  bool is_pending(TimerId id) const override;

 private:
  // Ids name a slot and its generation: a cancelled or fired id never matches the slot again.
  // 40 bytes: the follower and the live flag share a word.
  struct Slot {
    std::function<void()> fn;
    std::uint32_t generation = 1;
    std::uint32_t follower : 31 = 0;
    std::uint32_t live : 1 = 0;
  };
  struct Entry {
    TimePoint when;
    std::uint64_t seq;  // schedule order: equal deadlines fire first-scheduled first
    TimerId id;
  };
  static std::uint32_t slot_of(TimerId id) { return static_cast<std::uint32_t>(id); }
  static std::uint32_t generation_of(TimerId id) { return static_cast<std::uint32_t>(id >> 32); }
  // The slot `id` names while the timer is pending, else nullptr.
  Slot* live_slot(TimerId id);
  void release(std::uint32_t index);
  // Drops cancelled entries from the top of the heap; rebuilds it when they outnumber the live.
  void prune();
  // The heap (earliest deadline on top) over a chunked array: pushing, popping the top,
  // and restoring the order below entry `i`.
  void heap_push(const Entry& e);
  void heap_pop();
  void sift_down(std::size_t i);
  // Arms the Asio timer for the earliest deadline (or leaves it idle when none is pending).
  void rearm();
  void on_expiry();

  asio::steady_timer timer_;
  TimePoint armed_for_ = TimePoint::max();
  std::uint64_t next_seq_ = 0;
  // In chunks, not vectors: with 10,000 accounts registering, the peak of the process was the
  // moment these doubled (the old and the new copy, and half of the new one unused).
  ChunkedArray<Slot> slots_;
  std::vector<std::uint32_t> free_;  // slots to reuse
  ChunkedArray<Entry> heap_;         // min-heap by (when, seq); may hold cancelled ids
  std::size_t live_ = 0;
  Followers followers_;
  // Expires with the service: handlers already queued on the loop (and on_expiry, after each
  // callback) check it, so none touches a destroyed service.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sipline::base
