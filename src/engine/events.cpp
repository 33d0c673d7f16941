#include "events.hpp"

#include <algorithm>

#include "call_status.hpp"

namespace sipline {

std::string_view to_string(Event::Kind kind) {
  switch (kind) {
    case Event::Kind::kAccountState:
      return "account_state";
    case Event::Kind::kRegistration:
      return "registration";
    case Event::Kind::kMwi:
      return "mwi";
    case Event::Kind::kBlf:
      return "blf";
    case Event::Kind::kCall:
      return "call";
  }
  return "unknown";
}

namespace engine {

ListenerId EventBus::add(EventHandler handler) {
  const ListenerId id = next_id_++;
  listeners_.emplace_back(id, std::make_shared<EventHandler>(std::move(handler)));
  return id;
}

void EventBus::remove(ListenerId id) {
  std::erase_if(listeners_, [id](const auto& l) { return l.first == id; });
}

void EventBus::publish(Event event) {
  if (!wanted()) return;
  queue_.push_back(std::move(event));
  if (!flush_timer_.armed()) flush_timer_.arm_in(base::Duration{0}, [this] { flush(); });
}

void EventBus::flush() {
  const auto alive = alive_;
  const auto events = std::move(queue_);
  queue_.clear();
  for (const Event& e : events) {
    const auto listeners = listeners_;  // a handler may add or remove listeners
    for (const auto& [id, handler] : listeners) {
      const bool still_there = std::any_of(listeners_.begin(), listeners_.end(),
                                           [id = id](const auto& l) { return l.first == id; });
      if (still_there) (*handler)(e);
      if (!*alive) return;  // a handler destroyed the engine
    }
  }
}

namespace {
Event event_of(Event::Kind kind, int index, const account::Snapshot& s) {
  Event e;
  e.kind = kind;
  e.account = index;
  e.account_name = s.name;
  e.aor = s.aor;
  e.state = std::string(account::to_string(s.state));
  return e;
}
}  // namespace

std::optional<MwiStatus> public_mwi(const account::MwiStatus& mwi) {
  if (!mwi.known) return std::nullopt;
  const auto& v = mwi.voice;
  return MwiStatus{mwi.waiting, v.new_msgs, v.old_msgs, v.urgent_new, v.urgent_old};
}

BlfStatus public_blf(const account::BlfLamp& lamp) {
  return BlfStatus{lamp.uri, lamp.state, lamp.remote};
}

void AccountWatch::reset(const account::Account& account) {
  const account::Snapshot s = account.snapshot();
  state_ = s.state;
  ok_ = s.registrations_ok;
  failed_ = s.registration_failures;
  auto mwi = public_mwi(s.mwi);
  if (!mwi && s.blf.empty()) {
    lamps_.reset();
    return;
  }
  lamps_ = std::make_unique<Lamps>();
  lamps_->mwi = std::move(mwi);
  for (const auto& lamp : s.blf) lamps_->blf.push_back(public_blf(lamp));
}

void AccountWatch::observe(const account::Account& account, EventBus& bus) {
  if (!bus.wanted()) {
    state_ = account.state();
    return;
  }
  const account::Snapshot s = account.snapshot();
  if (s.registrations_ok != ok_ || s.registration_failures != failed_) {
    Event e = event_of(Event::Kind::kRegistration, index_, s);
    e.ok = s.registrations_ok != ok_ && s.registration_failures == failed_;
    e.status_code = s.last_status_code;
    if (!e.ok) {
      e.failure_class = std::string(usage::reg::to_string(s.failure_class));
      e.detail = s.last_error;
    } else {
      e.expires_s = s.granted_expires_s;
    }
    ok_ = s.registrations_ok;
    failed_ = s.registration_failures;
    bus.publish(std::move(e));
  }
  if (s.state != state_) {
    Event e = event_of(Event::Kind::kAccountState, index_, s);
    e.previous_state = std::string(account::to_string(state_));
    state_ = s.state;
    bus.publish(std::move(e));
  }
  observe_lamps(s, bus);
}

void AccountWatch::observe_lamps(const account::Snapshot& s, EventBus& bus) {
  auto mwi = public_mwi(s.mwi);
  if (!mwi && s.blf.empty() && !lamps_) return;
  if (!lamps_) lamps_ = std::make_unique<Lamps>();
  if (mwi && mwi != lamps_->mwi) {
    Event e = event_of(Event::Kind::kMwi, index_, s);
    e.mwi = *mwi;
    lamps_->mwi = mwi;
    bus.publish(std::move(e));
  }
  auto& blf = lamps_->blf;
  blf.resize(s.blf.size());
  for (std::size_t i = 0; i < s.blf.size(); ++i) {
    BlfStatus now = public_blf(s.blf[i]);
    BlfStatus& before = blf[i];
    // A lamp not seen before (a new account) was "unknown", as every lamp starts.
    const std::string previous =
        before.uri == now.uri && !before.state.empty() ? before.state : "unknown";
    if (now.state != previous || (before.uri == now.uri && now.remote != before.remote)) {
      Event e = event_of(Event::Kind::kBlf, index_, s);
      e.previous_state = previous;
      e.blf = now;
      bus.publish(std::move(e));
    }
    before = std::move(now);
  }
}

void publish_call_change(const account::Account& account, const account::CallRecord& now,
                         const std::string& before, EventBus& bus) {
  if (!bus.wanted()) return;
  Event e = event_of(Event::Kind::kCall, account.index(), account.snapshot());
  e.previous_state = before;
  e.call = to_status(now);
  bus.publish(std::move(e));
}

}  // namespace engine
}  // namespace sipline
