// EventBus and WatchedTimers on a virtual clock; Engine::create_from_toml and
// Engine::create(EngineConfig) with valid and invalid input (no sockets: inactive accounts).
#include <gtest/gtest.h>

#include <asio/io_context.hpp>

#include "base/timers.hpp"
#include "events.hpp"
#include "sipline/engine.hpp"

namespace sipline::engine {
namespace {

Event state_event(int account, std::string state) {
  Event e;
  e.account = account;
  e.state = std::move(state);
  return e;
}

TEST(EventBus, DeliversInOrderFromALaterTurnOnly) {
  base::VirtualTimers timers;
  EventBus bus(timers);
  std::vector<std::string> seen;
  bus.add([&](const Event& e) { seen.push_back(e.state); });
  bus.publish(state_event(1, "registering"));
  bus.publish(state_event(1, "registered"));
  EXPECT_TRUE(seen.empty());  // never from inside the publisher's stack
  timers.advance(base::Duration{0});
  EXPECT_EQ(seen, (std::vector<std::string>{"registering", "registered"}));
}

TEST(EventBus, NothingQueuedWithoutListeners) {
  base::VirtualTimers timers;
  EventBus bus(timers);
  EXPECT_FALSE(bus.wanted());
  bus.publish(state_event(1, "registering"));
  EXPECT_EQ(timers.pending(), 0u);
}

TEST(EventBus, AListenerRemovedByAnotherGetsNoMoreEvents) {
  base::VirtualTimers timers;
  EventBus bus(timers);
  int first = 0, second = 0;
  ListenerId second_id = 0;
  bus.add([&](const Event&) {
    ++first;
    bus.remove(second_id);
  });
  second_id = bus.add([&](const Event&) { ++second; });
  bus.publish(state_event(1, "a"));
  bus.publish(state_event(1, "b"));
  timers.advance(base::Duration{0});
  EXPECT_EQ(first, 2);
  EXPECT_EQ(second, 0);
}

TEST(EventBus, AHandlerMayDestroyTheBus) {
  base::VirtualTimers timers;
  auto bus = std::make_unique<EventBus>(timers);
  int calls = 0;
  bus->add([&](const Event&) {
    ++calls;
    bus.reset();
  });
  bus->publish(state_event(1, "a"));
  bus->publish(state_event(1, "b"));
  timers.advance(base::Duration{0});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(bus, nullptr);
}

// A follower that runs a function (an account's runtime observes its account).
struct After final : base::TimerFollower {
  explicit After(std::function<void()> f) : fn(std::move(f)) {}
  void after_timer() override { fn(); }
  std::function<void()> fn;
};

TEST(WatchedTimers, CallsAfterOnceEachCallbackHasRun) {
  base::VirtualTimers timers;
  std::vector<std::string> order;
  After after([&] { order.push_back("after"); });
  WatchedTimers watched(timers, after);
  watched.schedule_in(base::Duration{5}, [&] { order.push_back("fn"); });
  const auto cancelled = watched.schedule_in(base::Duration{6}, [&] { order.push_back("x"); });
  watched.cancel(cancelled);
  timers.advance(base::Duration{10});
  EXPECT_EQ(order, (std::vector<std::string>{"fn", "after"}));
}

TEST(WatchedTimers, NoAfterOnceTheServiceIsGone) {
  base::VirtualTimers timers;
  int after = 0, fn = 0;
  After follower([&] { ++after; });
  auto watched = std::make_unique<WatchedTimers>(timers, follower);
  watched->schedule_in(base::Duration{5}, [&] {
    ++fn;
    watched.reset();
  });
  timers.advance(base::Duration{10});
  EXPECT_EQ(fn, 1);
  EXPECT_EQ(after, 0);
}

constexpr std::string_view kInactive = R"(
[daemon]
http_listen = ""
[[account]]
active = false
sip_server = "127.0.0.1"
user_id = "1000"
password = "pw"
)";

TEST(EngineCreate, FromTomlText) {
  asio::io_context io;
  std::string error;
  auto engine = Engine::create_from_toml(io, kInactive, error);
  ASSERT_NE(engine, nullptr) << error;
  ASSERT_EQ(engine->accounts().size(), 1u);
  EXPECT_EQ(engine->accounts()[0].state, "disabled");
  std::string report;
  EXPECT_FALSE(engine->reload(report));
  EXPECT_NE(report.find("not built from a config file"), std::string::npos) << report;
}

TEST(EngineCreate, FromTomlTextReportsProblemsLikeAFile) {
  asio::io_context io;
  std::string error;
  auto engine = Engine::create_from_toml(io, "[[account]]\nuser_id = \"1\"\n", error, "mine");
  EXPECT_EQ(engine, nullptr);
  EXPECT_NE(error.find("mine"), std::string::npos) << error;
  EXPECT_NE(error.find("sip_server"), std::string::npos) << error;
}

TEST(EngineCreate, FromCode) {
  asio::io_context io;
  EngineConfig cfg;
  cfg.daemon = {{"http_listen", std::string("")}, {"log_level", std::string("warn")}};
  cfg.timers = {{"t1_ms", std::int64_t{250}}};
  cfg.accounts.push_back({{"active", false},
                          {"sip_server", std::string("127.0.0.1:5070")},
                          {"user_id", std::string("1000")},
                          {"password", std::string("pw")}});
  std::string error;
  auto engine = Engine::create(io, cfg, error);
  ASSERT_NE(engine, nullptr) << error;
  EXPECT_EQ(engine->log_level(), "warn");
  EXPECT_EQ(engine->accounts().size(), 1u);
}

TEST(EngineCreate, FromCodeNamesEveryBadKey) {
  asio::io_context io;
  EngineConfig cfg;
  cfg.accounts.push_back({{"sip_server", std::string("127.0.0.1")},
                          {"user_id", std::string("1000")},
                          {"register_expiration_min", std::int64_t{0}},
                          {"transport", std::string("sctp")}});
  std::string error;
  EXPECT_EQ(Engine::create(io, cfg, error), nullptr);
  EXPECT_NE(error.find("account[1].register_expiration_min"), std::string::npos) << error;
  EXPECT_NE(error.find("account[1].transport"), std::string::npos) << error;
}

TEST(EventKind, Names) {
  EXPECT_EQ(to_string(Event::Kind::kAccountState), "account_state");
  EXPECT_EQ(to_string(Event::Kind::kRegistration), "registration");
}

}  // namespace
}  // namespace sipline::engine
