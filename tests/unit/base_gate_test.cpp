// base::Gate (admission in arrival order, grants from the loop) and base::AsioTimers (one Asio
// timer for a queue of deadlines) on a real io_context.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>

#include <asio/io_context.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/asio_timers.hpp"
#include "base/gate.hpp"
#include "base/timer.hpp"

namespace sipline::base {
namespace {

TEST(Gate, GrantsUpToCapacityThenQueuesInArrivalOrder) {
  VirtualTimers timers;
  Gate gate(timers, 2);
  std::vector<int> order;
  bool g1 = false, g2 = false, g3 = false, g4 = false;
  auto t1 = gate.acquire([&] { order.push_back(1); }, g1);
  auto t2 = gate.acquire([&] { order.push_back(2); }, g2);
  auto t3 = gate.acquire([&] { order.push_back(3); }, g3);
  auto t4 = gate.acquire([&] { order.push_back(4); }, g4);
  EXPECT_TRUE(g1);
  EXPECT_TRUE(g2);
  EXPECT_FALSE(g3);
  EXPECT_FALSE(g4);
  EXPECT_TRUE(order.empty()) << "callbacks of immediate grants are never called";
  EXPECT_EQ(gate.holding(), 2u);
  EXPECT_EQ(gate.waiting(), 2u);
  EXPECT_EQ(gate.waited_total(), 2u);

  gate.release(t2);
  EXPECT_TRUE(order.empty()) << "a grant never runs inside release()";
  timers.advance(Duration{0});
  EXPECT_EQ(order, (std::vector<int>{3}));
  gate.release(t1);
  timers.advance(Duration{0});
  EXPECT_EQ(order, (std::vector<int>{3, 4}));
  gate.release(t3);
  gate.release(t4);
  EXPECT_EQ(gate.holding(), 0u);
  EXPECT_EQ(gate.waiting(), 0u);
}

// Waiters of priority kFirst (refreshes of held bindings) are served before every kNormal
// waiter, each class in arrival order; a waiter that leaves is skipped.
TEST(Gate, FirstPriorityWaitersGoAheadOfNormalOnes) {
  VirtualTimers timers;
  Gate gate(timers, 1);
  std::vector<char> order;
  bool g = false;
  const auto holder = gate.acquire([] {}, g);
  ASSERT_TRUE(g);
  std::vector<Gate::Ticket> tickets;
  for (const auto& [name, priority] :
       std::vector<std::pair<char, Gate::Priority>>{{'a', Gate::Priority::kNormal},
                                                    {'b', Gate::Priority::kFirst},
                                                    {'c', Gate::Priority::kNormal},
                                                    {'d', Gate::Priority::kFirst},
                                                    {'e', Gate::Priority::kFirst}}) {
    tickets.push_back(gate.acquire([&order, n = name] { order.push_back(n); }, g, priority));
    EXPECT_FALSE(g) << name;
  }
  EXPECT_EQ(gate.waiting(), 5u);
  gate.release(tickets[4]);  // 'e' gives up waiting
  Gate::Ticket held = holder;
  for (int i = 0; i < 4; ++i) {
    gate.release(held);
    timers.advance(Duration{0});
    ASSERT_EQ(order.size(), static_cast<std::size_t>(i + 1));
    const std::string names = "bdac";
    held = tickets[names[i] == 'a' ? 0 : names[i] == 'b' ? 1 : names[i] == 'c' ? 2 : 3];
  }
  EXPECT_EQ(order, (std::vector<char>{'b', 'd', 'a', 'c'}));
  gate.release(held);
  EXPECT_EQ(gate.holding(), 0u);
  EXPECT_EQ(gate.waiting(), 0u);
}

// A fleet's start queues thousands of waiters; some give up (an account stopped, an attempt
// restarted) anywhere in the queue, in any order. The rest are granted in order (kFirst, then
// kNormal), once each; a ticket released twice, or a holder's ticket released as a waiter's,
// changes nothing.
TEST(Gate, WaitersThatGiveUpAnywhereAreSkippedAndTheRestKeepTheirOrder) {
  VirtualTimers timers;
  Gate gate(timers, 1);
  bool g = false;
  Gate::Ticket held = gate.acquire([] {}, g);
  ASSERT_TRUE(g);
  std::mt19937 rng(7);
  struct W {
    Gate::Ticket ticket;
    bool first;
    bool gone = false;
  };
  std::vector<W> waiters;
  std::vector<int> granted;
  for (int i = 0; i < 300; ++i) {
    const bool first = rng() % 3 == 0;
    const auto t = gate.acquire([&granted, i] { granted.push_back(i); }, g,
                                first ? Gate::Priority::kFirst : Gate::Priority::kNormal);
    ASSERT_FALSE(g);
    waiters.push_back({t, first});
  }
  std::vector<int> order(waiters.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::shuffle(order.begin(), order.end(), rng);
  std::size_t left = waiters.size();
  for (int k = 0; k < 120; ++k) {
    auto& w = waiters[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])];
    gate.release(w.ticket);
    gate.release(w.ticket);  // twice: a no-op
    w.gone = true;
    --left;
    ASSERT_EQ(gate.waiting(), left);
  }
  EXPECT_EQ(gate.holding(), 1u);
  std::vector<int> expected;
  for (const bool first : {true, false}) {
    for (std::size_t i = 0; i < waiters.size(); ++i) {
      if (waiters[i].first == first && !waiters[i].gone) expected.push_back(static_cast<int>(i));
    }
  }
  while (granted.size() < expected.size()) {
    const std::size_t before = granted.size();
    gate.release(held);
    timers.advance(Duration{0});
    ASSERT_EQ(granted.size(), before + 1);
    held = waiters[static_cast<std::size_t>(granted.back())].ticket;
    ASSERT_EQ(gate.holding(), 1u);
  }
  EXPECT_EQ(granted, expected);
  EXPECT_EQ(gate.waiting(), 0u);
  gate.release(held);
  EXPECT_EQ(gate.holding(), 0u);
  // Nobody waits: the next comer is granted at once, whatever gaps were left behind.
  gate.acquire([] {}, g, Gate::Priority::kNormal);
  EXPECT_TRUE(g);
}

TEST(Gate, NewcomerDoesNotOvertakeWaiters) {
  VirtualTimers timers;
  Gate gate(timers, 1);
  bool g = false;
  auto t1 = gate.acquire([] {}, g);
  int second = 0;
  auto t2 = gate.acquire([&] { ++second; }, g);
  EXPECT_FALSE(g);
  gate.release(t1);  // t2 now holds (its grant is on its way)
  bool g3 = true;
  auto t3 = gate.acquire([] {}, g3);
  EXPECT_FALSE(g3);
  timers.advance(Duration{0});
  EXPECT_EQ(second, 1);
  gate.release(t2);
  gate.release(t3);
}

TEST(Gate, WaiterThatGivesUpIsNeverGrantedAndFreesNothing) {
  VirtualTimers timers;
  Gate gate(timers, 1);
  bool g = false;
  auto t1 = gate.acquire([] {}, g);
  int called = 0;
  auto t2 = gate.acquire([&] { ++called; }, g);
  auto t3 = gate.acquire([&] { called += 10; }, g);
  gate.release(t2);  // gives up while waiting
  EXPECT_EQ(gate.holding(), 1u);
  gate.release(t1);
  gate.release(t3);  // granted, but released before the loop ran its grant
  timers.advance(Duration{0});
  EXPECT_EQ(called, 0);
  EXPECT_EQ(gate.holding(), 0u);
  gate.release(t3);  // twice: no-op
  gate.release(0);
}

TEST(Gate, RaisingTheCapacityAdmitsWaitersLoweringItLetsHoldersFinish) {
  VirtualTimers timers;
  Gate gate(timers, 1);
  bool g = false;
  int granted = 0;
  auto t1 = gate.acquire([] {}, g);
  auto t2 = gate.acquire([&] { ++granted; }, g);
  auto t3 = gate.acquire([&] { ++granted; }, g);
  gate.set_capacity(3);
  timers.advance(Duration{0});
  EXPECT_EQ(granted, 2);
  EXPECT_EQ(gate.holding(), 3u);
  gate.set_capacity(1);
  EXPECT_EQ(gate.holding(), 3u) << "nobody is thrown out";
  gate.release(t1);
  gate.release(t2);
  bool g4 = true;
  auto t4 = gate.acquire([] {}, g4);
  EXPECT_FALSE(g4) << "t3 still holds the one place";
  gate.release(t3);
  timers.advance(Duration{0});
  EXPECT_EQ(gate.holding(), 1u);
  gate.release(t4);
}

TEST(Gate, CapacityZeroIsUnlimited) {
  VirtualTimers timers;
  Gate gate(timers, 0);
  for (int i = 0; i < 100; ++i) {
    bool g = false;
    gate.acquire([] {}, g);
    EXPECT_TRUE(g);
  }
  EXPECT_EQ(gate.holding(), 100u);
}

TEST(AsioTimers, FireInDeadlineOrderAndCancelledNeverFire) {
  asio::io_context io;
  AsioTimers timers(io);
  std::vector<int> fired;
  const auto now = timers.now();
  timers.schedule_at(now + Duration{30}, [&] { fired.push_back(3); });
  const auto cancelled = timers.schedule_at(now + Duration{5}, [&] { fired.push_back(99); });
  timers.schedule_at(now + Duration{10}, [&] { fired.push_back(1); });
  timers.schedule_at(now + Duration{20}, [&] {
    fired.push_back(2);
    // Scheduled from a callback, already due: runs on a later turn, after the queue's order.
    timers.schedule_in(Duration{0}, [&] { fired.push_back(21); });
  });
  timers.cancel(cancelled);
  EXPECT_EQ(timers.pending(), 3u);
  io.run_for(std::chrono::seconds(2));
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 21, 3}));
  EXPECT_EQ(timers.pending(), 0u);
}

// Transactions arm and cancel thousands of timers that never fire: the cancelled are dropped
// (their slots reused, the heap rebuilt) and the live ones still fire in order, once each.
TEST(AsioTimers, ManyCancelledTimersAreDroppedAndTheLiveOnesFireInOrder) {
  asio::io_context io;
  AsioTimers timers(io);
  std::vector<int> fired;
  const auto now = timers.now();
  for (int round = 0; round < 3; ++round) {
    std::vector<TimerId> ids;
    for (int i = 0; i < 5000; ++i) {
      ids.push_back(timers.schedule_at(now + Duration{1 + i % 7}, [&] { fired.push_back(-1); }));
    }
    for (TimerId id : ids) timers.cancel(id);
    timers.cancel(ids.front());  // twice: a no-op
  }
  EXPECT_EQ(timers.pending(), 0u);
  timers.schedule_at(now + Duration{20}, [&] { fired.push_back(2); });
  const TimerId gone = timers.schedule_at(now + Duration{5}, [&] { fired.push_back(-2); });
  timers.schedule_at(now + Duration{5}, [&] { fired.push_back(0); });
  timers.schedule_at(now + Duration{5}, [&] { fired.push_back(1); });  // same deadline: after
  timers.cancel(gone);
  EXPECT_EQ(timers.pending(), 3u);
  io.run_for(std::chrono::seconds(1));
  EXPECT_EQ(fired, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(timers.pending(), 0u);
  timers.cancel(gone);  // an id whose slot was reused never cancels the new timer
  bool later = false;
  timers.schedule_in(Duration{1}, [&] { later = true; });
  timers.cancel(gone);
  io.restart();
  io.run_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(later);
}

// Timers cancelled anywhere in the heap (their entries skipped when they come up): with random
// deadlines and random cancellations the rest still fire in (deadline, schedule) order, and
// pending() is the live count throughout.
TEST(AsioTimers, CancellingFromTheMiddleKeepsTheOrder) {
  asio::io_context io;
  AsioTimers timers(io);
  std::mt19937 rng(7);
  const auto now = timers.now();
  struct Scheduled {
    int deadline_ms;
    int seq;
    TimerId id;
    bool cancelled = false;
  };
  std::vector<Scheduled> all;
  std::vector<int> fired;
  for (int i = 0; i < 3000; ++i) {
    const int d = static_cast<int>(rng() % 50);  // in the past: all due at once, many ties
    const TimerId id =
        timers.schedule_at(now - std::chrono::milliseconds(d), [&fired, i] { fired.push_back(i); });
    all.push_back({d, i, id});
  }
  std::size_t live = all.size();
  for (int k = 0; k < 2000; ++k) {
    Scheduled& s = all[rng() % all.size()];
    timers.cancel(s.id);  // twice for some: a no-op
    if (!s.cancelled) --live;
    s.cancelled = true;
    ASSERT_EQ(timers.pending(), live);
  }
  std::vector<Scheduled> expected;
  for (const auto& s : all) {
    if (!s.cancelled) expected.push_back(s);
  }
  // Earliest deadline first (the largest "ago"), then schedule order.
  std::stable_sort(expected.begin(), expected.end(), [](const Scheduled& a, const Scheduled& b) {
    return a.deadline_ms > b.deadline_ms;
  });
  std::vector<int> want;
  for (const auto& s : expected) want.push_back(s.seq);
  io.run_for(std::chrono::seconds(1));
  EXPECT_EQ(fired, want);
  EXPECT_EQ(timers.pending(), 0u);
}

TEST(AsioTimers, EarlierTimerAddedLaterStillFiresFirst) {
  asio::io_context io;
  AsioTimers timers(io);
  std::vector<int> fired;
  timers.schedule_in(Duration{200}, [&] { fired.push_back(2); });
  timers.schedule_in(Duration{1}, [&] { fired.push_back(1); });
  io.run_for(std::chrono::seconds(2));
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
}

TEST(AsioTimers, ACallbackMayDestroyTheService) {
  asio::io_context io;
  auto timers = std::make_unique<AsioTimers>(io);
  int fired = 0;
  const auto when = timers->now();
  timers->schedule_at(when, [&] {
    ++fired;
    timers.reset();  // an embedder tearing the engine down from a timer
  });
  timers->schedule_at(when, [&] { ++fired; });  // due in the same turn: never runs
  io.run_for(std::chrono::milliseconds(100));
  EXPECT_EQ(fired, 1);
}

TEST(AsioTimers, DestroyedServiceRunsNothing) {
  asio::io_context io;
  int fired = 0;
  {
    AsioTimers timers(io);
    timers.schedule_in(Duration{0}, [&] { ++fired; });
  }
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(fired, 0);
}

// base::Timer hands its callback to the service as it is: whether it is armed is the service's
// answer for its id, which no other timer ever gets while it may still be held.
TEST(AsioTimers, ATimerIsDisarmedInItsCallbackAndItsStaleIdCancelsNoOtherTimer) {
  asio::io_context io;
  AsioTimers timers(io);
  Timer timer(timers);
  std::vector<std::string> seen;
  timer.arm_in(Duration{1}, [&] {
    seen.push_back(timer.armed() ? "armed in callback" : "disarmed in callback");
    // The slot it held is free now: the next timer takes it, under a new id.
    timers.schedule_in(Duration{1}, [&] { seen.push_back("other fired"); });
    timer.cancel();  // its own, stale id: must leave the other alone
  });
  EXPECT_TRUE(timer.armed());
  io.run_for(std::chrono::seconds(1));
  EXPECT_EQ(seen, (std::vector<std::string>{"disarmed in callback", "other fired"}));
  EXPECT_FALSE(timer.armed());

  // Re-armed from its own callback: armed again, fires again, and a cancel stops it.
  int fired = 0;
  timer.arm_in(Duration{1}, [&] {
    if (++fired == 1) timer.arm_in(Duration{1}, [&] { ++fired; });
  });
  io.restart();
  io.run_for(std::chrono::milliseconds(200));
  EXPECT_EQ(fired, 2);
  timer.arm_in(std::chrono::milliseconds(50), [&] { fired = 100; });
  const TimerId other = timers.schedule_in(std::chrono::milliseconds(60), [&] { ++fired; });
  EXPECT_TRUE(timers.is_pending(other));
  timer.cancel();
  EXPECT_FALSE(timer.armed());
  io.restart();
  io.run_for(std::chrono::milliseconds(200));
  EXPECT_EQ(fired, 3);
  EXPECT_FALSE(timers.is_pending(other));
}

// A follower runs after each callback of the timers scheduled for it, stored with the timer
// (AsioTimers) or by wrapping (VirtualTimers): never for a cancelled timer, never once removed,
// not even when the callback itself removes it.
struct CountingFollower final : TimerFollower {
  std::vector<std::string>* order = nullptr;
  std::string name;
  void after_timer() override { order->push_back("after " + name); }
};

void check_followers(TimerService& timers, const std::function<void()>& run) {
  std::vector<std::string> order;
  CountingFollower a, b;
  a.order = b.order = &order;
  a.name = "a";
  b.name = "b";
  FollowerId fa = timers.add_follower(a);
  const FollowerId fb = timers.add_follower(b);
  ASSERT_NE(fa, 0u);
  ASSERT_NE(fa, fb);
  const auto now = timers.now();
  timers.schedule_followed(
      now + Duration{1}, [&] { order.push_back("1"); }, fa);
  const TimerId cancelled = timers.schedule_followed(
      now + Duration{2}, [&] { order.push_back("x"); }, fb);
  timers.schedule_followed(
      now + Duration{3}, [&] { order.push_back("2"); }, fb);
  timers.schedule_at(now + Duration{4}, [&] { order.push_back("3"); });  // no follower
  timers.schedule_followed(
      now + Duration{5},
      [&] {
        order.push_back("4");
        timers.remove_follower(fa);  // removed by its own timer: no "after a"
      },
      fa);
  timers.cancel(cancelled);
  run();
  EXPECT_EQ(order, (std::vector<std::string>{"1", "after a", "2", "after b", "3", "4"}));
  timers.remove_follower(fa);  // twice: a no-op
  timers.remove_follower(fb);
  fa = timers.add_follower(a);  // an id is reused once free
  EXPECT_TRUE(fa == 1 || fa == 2);
  timers.remove_follower(fa);
}

TEST(AsioTimers, FollowersRunAfterTheirTimersCallbacksOnly) {
  asio::io_context io;
  AsioTimers timers(io);
  check_followers(timers, [&] { io.run_for(std::chrono::milliseconds(200)); });
}

TEST(VirtualTimersFollowers, FollowersRunAfterTheirTimersCallbacksOnly) {
  VirtualTimers timers;
  check_followers(timers, [&] { timers.advance(Duration{10}); });
}

}  // namespace
}  // namespace sipline::base
