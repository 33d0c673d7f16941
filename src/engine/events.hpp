// Events for embedders (include/sipline/engine.hpp: Engine::add_listener): an account's state
// changes, the outcomes of its REGISTER attempts, its message summary and busy lamps, and its
// calls, delivered to listeners on the loop.
//
// The account layer has no observer of its own, so the runtime watches it from outside: every
// change of an account happens inside a call from the engine (start, stop, re-register), a
// message or transport error from its socket, or a timer of its stack. The runtime routes its
// stack's timers through WatchedTimers and looks at the account after each of those
// (AccountWatch), which costs nothing while no one listens. Calls report each change themselves
// (account::Calls::set_on_change): a call can pass through a state within one message.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "account/account.hpp"
#include "account/calls.hpp"
#include "base/timer.hpp"
#include "base/timers.hpp"
#include "sipline/engine.hpp"

namespace sipline::engine {

// Queues events and hands them to the listeners from a timer of their own (a clean stack).
class EventBus {
 public:
  explicit EventBus(base::TimerService& timers) : flush_timer_(timers) {}
  ~EventBus() { *alive_ = false; }
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  ListenerId add(EventHandler handler);
  void remove(ListenerId id);
  bool wanted() const { return !listeners_.empty(); }
  void publish(Event event);

 private:
  void flush();

  base::Timer flush_timer_;
  std::vector<Event> queue_;
  std::vector<std::pair<ListenerId, std::shared_ptr<EventHandler>>> listeners_;
  ListenerId next_id_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The account layer's message summary and lamps as the public API shows them.
std::optional<MwiStatus> public_mwi(const account::MwiStatus& mwi);  // nullopt: none received
BlfStatus public_blf(const account::BlfLamp& lamp);

// What one account looked like last time: publishes the difference.
class AccountWatch {
 public:
  explicit AccountWatch(int index) : index_(index) {}
  void observe(const account::Account& account, EventBus& bus);
  // Takes the account as it is now, publishing nothing (a first listener was added).
  void reset(const account::Account& account);

 private:
  void observe_lamps(const account::Snapshot& s, EventBus& bus);

  int index_;
  account::State state_ = account::State::kDisabled;
  std::uint64_t ok_ = 0;
  std::uint64_t failed_ = 0;
  // What the lamps showed: made when the account first has one (most accounts of a fleet
  // subscribe to nothing: 8 bytes, not 48).
  struct Lamps {
    std::optional<MwiStatus> mwi;
    std::vector<BlfStatus> blf;  // by position, as the account's blf list
  };
  std::unique_ptr<Lamps> lamps_;
};

// A call of `account` changed (account::CallMediaEnv::on_change): publishes kCall.
void publish_call_change(const account::Account& account, const account::CallRecord& now,
                         const std::string& before, EventBus& bus);

// A TimerService that forwards to `inner` and runs `after` (after_timer()) once each callback has
// run (unless this service is gone by then). Ids are the inner service's. `after` must outlive
// this service; an account's runtime is its own follower (24 bytes here, where a std::function
// made it 64).
class WatchedTimers final : public base::TimerService {
 public:
  WatchedTimers(base::TimerService& inner, base::TimerFollower& after)
      : inner_(inner), follower_(inner.add_follower(after)) {}
  ~WatchedTimers() override { inner_.remove_follower(follower_); }
  WatchedTimers(const WatchedTimers&) = delete;
  WatchedTimers& operator=(const WatchedTimers&) = delete;
  base::TimePoint now() const override { return inner_.now(); }
  // The inner service runs `after` once fn is done (without wrapping fn: no allocation).
  base::TimerId schedule_at(base::TimePoint when, std::function<void()> fn) override {
    return inner_.schedule_followed(when, std::move(fn), follower_);
  }
  void cancel(base::TimerId id) override { inner_.cancel(id); }
  std::size_t pending() const override { return inner_.pending(); }
  bool is_pending(base::TimerId id) const override { return inner_.is_pending(id); }
  base::FollowerId add_follower(base::TimerFollower& f) override { return inner_.add_follower(f); }
  void remove_follower(base::FollowerId id) override { inner_.remove_follower(id); }
  base::TimerId schedule_followed(base::TimePoint when, std::function<void()> fn,
                                  base::FollowerId follower) override {
    // A follower of the caller's: only that one, not this service's (no wrapping here).
    return inner_.schedule_followed(when, std::move(fn), follower);
  }

 private:
  base::TimerService& inner_;
  base::FollowerId follower_;
};

}  // namespace sipline::engine
