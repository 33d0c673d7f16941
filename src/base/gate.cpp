#include "base/gate.hpp"

#include <algorithm>

namespace sipline::base {

Gate::~Gate() {
  for (auto& [ticket, h] : held_) timers_.cancel(h.grant_timer);
}

Gate::Ticket Gate::acquire(std::function<void()> on_grant, bool& granted, Priority priority) {
  // Waiters are served by ticket: every kFirst ticket sorts before every kNormal one.
  const Ticket ticket = priority == Priority::kFirst ? next_++ : (kNormalClass | next_++);
  granted = has_room() && waiting_count_ == 0;  // room, and nobody waits before us
  if (granted) {
    hold(ticket);
  } else {
    queue_of(ticket).push_back(Waiter{ticket, std::move(on_grant)});
    ++waiting_count_;
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
  } else if (!forget_waiter(ticket)) {
    return;
  }
  admit_waiters();
}

bool Gate::forget_waiter(Ticket ticket) {
  auto& queue = queue_of(ticket);
  const auto it = std::lower_bound(queue.begin(), queue.end(), ticket,
                                   [](const Waiter& w, Ticket t) { return w.ticket < t; });
  if (it == queue.end() || it->ticket != ticket || it->gone) return false;
  it->gone = true;
  it->on_grant = nullptr;
  --waiting_count_;
  drop_front_gaps();  // the rest go when admission reaches them
  return true;
}

void Gate::drop_front_gaps() {
  for (auto* queue : {&waiting_first_, &waiting_normal_}) {
    while (!queue->empty() && queue->front().gone) queue->pop_front();
  }
}

void Gate::admit_waiters() {
  while (has_room() && waiting_count_ > 0) {
    auto& queue = waiting_first_.empty() ? waiting_normal_ : waiting_first_;
    Waiter w = std::move(queue.front());
    queue.pop_front();
    if (w.gone) continue;
    --waiting_count_;
    const Ticket ticket = w.ticket;
    std::function<void()> fn = std::move(w.on_grant);
    Held& h = hold(ticket);
    // From the loop, never from inside the releasing holder's call chain.
    h.grant_timer = timers_.schedule_in(Duration{0}, [this, ticket, fn = std::move(fn)] {
      auto found = held_.find(ticket);
      if (found == held_.end()) return;
      found->second.grant_timer = 0;
      if (fn) fn();
    });
  }
  drop_front_gaps();
}

}  // namespace sipline::base
