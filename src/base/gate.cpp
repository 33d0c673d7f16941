#include "base/gate.hpp"

namespace sipline::base {

Gate::~Gate() {
  for (auto& [ticket, h] : held_) timers_.cancel(h.grant_timer);
}

Gate::Ticket Gate::acquire(std::function<void()> on_grant, bool& granted, Priority priority) {
  // Waiters are served by ticket: every kFirst ticket sorts before every kNormal one.
  const Ticket ticket = priority == Priority::kFirst ? next_++ : (kNormalClass | next_++);
  granted = has_room() && waiting_.empty();  // room, and nobody waits before us
  if (granted) {
    hold(ticket);
  } else {
    waiting_.emplace(ticket, std::move(on_grant));
    ++waited_total_;
  }
  return ticket;
}

Gate::Held& Gate::hold(Ticket ticket) {
  return held_.emplace(ticket, Held{0, control_ ? control_->epoch() : 0, timers_.now()})
      .first->second;
}

void Gate::adapt(std::optional<AdmissionControl> control) {
  control_ = std::move(control);
  if (control_) set_capacity(control_->capacity());
}

void Gate::release(Ticket ticket, std::optional<Answer> answer) {
  if (auto it = held_.find(ticket); it != held_.end()) {
    if (answer && control_) {
      capacity_ = control_->on_answer(*answer, it->second.epoch, timers_.now() - it->second.since);
    }
    timers_.cancel(it->second.grant_timer);
    held_.erase(it);
  } else if (waiting_.erase(ticket) == 0) {
    return;
  }
  admit_waiters();
}

void Gate::admit_waiters() {
  while (has_room() && !waiting_.empty()) {
    auto first = waiting_.begin();
    const Ticket ticket = first->first;
    std::function<void()> fn = std::move(first->second);
    waiting_.erase(first);
    Held& h = hold(ticket);
    // From the loop, never from inside the releasing holder's call chain.
    h.grant_timer = timers_.schedule_in(Duration{0}, [this, ticket, fn = std::move(fn)] {
      auto found = held_.find(ticket);
      if (found == held_.end()) return;
      found->second.grant_timer = 0;
      if (fn) fn();
    });
  }
}

}  // namespace sipline::base
