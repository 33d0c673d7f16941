// Admission control for bursts: at most `capacity` holders at once, the rest wait in arrival
// order. The engine puts every account's registration attempts through one Gate, so 1000
// accounts starting together keep a bounded number of REGISTER transactions in flight (the
// registrar's socket does not overflow, and in-flight memory stays bounded).
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <unordered_map>

#include "base/admission.hpp"
#include "base/timers.hpp"

namespace sipline::base {

class Gate {
 public:
  using Ticket = std::uint64_t;  // 0 is never a valid ticket

  // capacity 0: unlimited (every acquire is granted at once).
  Gate(TimerService& timers, std::size_t capacity) : timers_(timers), capacity_(capacity) {}
  ~Gate();
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  // Who goes first among waiters: kFirst before every kNormal waiter (each class in arrival
  // order). Refreshes of bindings still held go first: behind a fleet's start-up backlog they
  // would all leave together when it clears, and come back together every cycle.
  enum class Priority : std::uint8_t { kNormal, kFirst };

  // Asks for a place. When one is free and nobody waits, `granted` is set true and the caller
  // goes on at once (`on_grant` is dropped). Otherwise the caller waits: `on_grant` runs later,
  // from the loop, when a holder releases. Either way the ticket must be released once.
  Ticket acquire(std::function<void()> on_grant, bool& granted,
                 Priority priority = Priority::kNormal);
  // Gives the place back (holder done) or stops waiting; unknown tickets and 0 are no-ops.
  // `answer`: how a holder's attempt ended, when it knows; an adaptive gate (adapt()) learns
  // its capacity from it. A waiter's answer is not counted (it sent nothing).
  void release(Ticket ticket, std::optional<Answer> answer = std::nullopt);

  std::size_t holding() const { return held_.size(); }
  std::size_t waiting() const { return waiting_count_; }
  std::size_t capacity() const { return capacity_; }
  // A new limit; more room admits waiters (from the loop), less lets holders finish first.
  void set_capacity(std::size_t capacity) {
    capacity_ = capacity;
    admit_waiters();
  }
  std::uint64_t waited_total() const { return waited_total_; }  // acquires that had to wait
  // Adaptive admission: `control` sets the capacity from now on, from the answers holders
  // report. nullopt: a fixed capacity (set_capacity).
  void adapt(std::optional<AdmissionControl> control);
  const AdmissionControl* control() const { return control_ ? &*control_ : nullptr; }

 private:
  struct Held {
    TimerId grant_timer = 0;  // the loop callback that runs a waiter's on_grant
    std::uint64_t epoch = 0;  // the control's epoch when it got its place
    TimePoint since{};        // when it got its place
  };
  static constexpr Ticket kNormalClass = Ticket{1} << 63;
  Held& hold(Ticket ticket);
  bool has_room() const { return capacity_ == 0 || held_.size() < capacity_; }
  void admit_waiters();

  TimerService& timers_;
  std::size_t capacity_;
  Ticket next_ = 1;
  std::uint64_t waited_total_ = 0;
  // Waiters of each class in arrival order, so in ticket order (a release finds one by binary
  // search). One that stops waiting leaves a gap (no callback) that admission skips and drops:
  // 40 bytes a waiter in blocks, where a map node cost 80 (a fleet's start queues every account).
  struct Waiter {
    Ticket ticket = 0;
    std::function<void()> on_grant;
    bool gone = false;
  };
  std::deque<Waiter>& queue_of(Ticket ticket) {
    return (ticket & kNormalClass) != 0 ? waiting_normal_ : waiting_first_;
  }
  bool forget_waiter(Ticket ticket);  // false: not waiting
  void drop_front_gaps();
  std::deque<Waiter> waiting_first_;
  std::deque<Waiter> waiting_normal_;
  std::size_t waiting_count_ = 0;
  std::unordered_map<Ticket, Held> held_;
  std::optional<AdmissionControl> control_;
};

}  // namespace sipline::base
