#include "base/gate.hpp"

namespace sipline::base {

Gate::~Gate() {
  for (auto& [ticket, e] : entries_) timers_.cancel(e.grant_timer);
}

Gate::Ticket Gate::acquire(std::function<void()> on_grant, bool& granted) {
  const Ticket ticket = next_++;
  granted = has_room() && holding_ == entries_.size();  // room, and nobody waits before us
  if (granted) {
    hold(entries_.emplace(ticket, Entry{}).first->second);
  } else {
    entries_.emplace(ticket, Entry{std::move(on_grant), false, 0, 0});
    ++waited_total_;
  }
  return ticket;
}

void Gate::hold(Entry& e) {
  e.holding = true;
  e.epoch = control_ ? control_->epoch() : 0;
  ++holding_;
}

void Gate::release(Ticket ticket, Answer answer) {
  auto it = entries_.find(ticket);
  if (it == entries_.end()) return;
  if (control_ && it->second.holding) {
    capacity_ = control_->on_answer(answer, it->second.epoch);
  }
  release(ticket);
}

void Gate::adapt(std::optional<AdmissionControl> control) {
  control_ = std::move(control);
  if (control_) set_capacity(control_->capacity());
}

void Gate::release(Ticket ticket) {
  auto it = entries_.find(ticket);
  if (it == entries_.end()) return;
  timers_.cancel(it->second.grant_timer);
  if (it->second.holding) --holding_;
  entries_.erase(it);
  admit_waiters();
}

void Gate::admit_waiters() {
  for (auto it = entries_.begin(); it != entries_.end() && has_room(); ++it) {
    Entry& e = it->second;
    if (e.holding) continue;
    hold(e);
    const Ticket ticket = it->first;
    // From the loop, never from inside the releasing holder's call chain.
    e.grant_timer = timers_.schedule_in(Duration{0}, [this, ticket] {
      auto found = entries_.find(ticket);
      if (found == entries_.end()) return;
      found->second.grant_timer = 0;
      auto fn = std::move(found->second.on_grant);
      found->second.on_grant = nullptr;
      if (fn) fn();
    });
  }
}

}  // namespace sipline::base
