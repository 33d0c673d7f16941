// plan_reload: what a new config changes, decided by position, without a running engine.
#include <gtest/gtest.h>

#include "reload.hpp"

namespace sipline::engine {
namespace {

config::AccountConfig account(const std::string& user) {
  config::AccountConfig a = config::default_account(1);
  a.sip_server = {"127.0.0.1", 5060};
  a.user_id = user;
  return a;
}

TEST(PlanReload, MatchesAccountsByPosition) {
  config::Config running;
  const auto a = account("1"), b = account("2"), c = account("3");
  config::Config next;
  next.accounts = {a, account("22")};  // b changed, c removed
  const auto plan = plan_reload(running, {&a, &b, &c}, next);
  EXPECT_EQ(plan.slots, (std::vector<SlotAction>{SlotAction::kKeep, SlotAction::kReplace,
                                                 SlotAction::kRemove}));
  EXPECT_TRUE(plan.changes_anything());
  EXPECT_TRUE(plan.restart_needed.empty());

  next.accounts = {a, b, c, account("4")};
  const auto grown = plan_reload(running, {&a, &b, &c}, next);
  EXPECT_EQ(grown.slots, (std::vector<SlotAction>{SlotAction::kKeep, SlotAction::kKeep,
                                                  SlotAction::kKeep, SlotAction::kAdd}));
}

TEST(PlanReload, AnyKeyOfAnAccountCountsAsAChange) {
  config::Config running;
  const auto a = account("1");
  config::Config next;
  auto b = a;
  b.options_keepalive = true;
  next.accounts = {b};
  EXPECT_EQ(plan_reload(running, {&a}, next).slots[0], SlotAction::kReplace);
  b = a;
  b.password = "new secret";
  next.accounts = {b};
  EXPECT_EQ(plan_reload(running, {&a}, next).slots[0], SlotAction::kReplace);
  next.accounts = {a};
  const auto same = plan_reload(running, {&a}, next);
  EXPECT_EQ(same.slots[0], SlotAction::kKeep);
  EXPECT_FALSE(same.changes_anything());
}

TEST(PlanReload, TimersAndLogLevelApplyOtherDaemonKeysNeedARestart) {
  config::Config running;
  config::Config next;
  next.timers.t1 = base::Duration{250};
  next.daemon.log_level = config::LogLevel::debug;
  next.daemon.http_listen = {"127.0.0.1", 9999};
  next.daemon.sip_trace = "/tmp/trace.txt";
  next.daemon.registrations_in_flight = 8;
  const auto plan = plan_reload(running, {}, next);
  EXPECT_TRUE(plan.timers_changed);
  EXPECT_TRUE(plan.log_level_changed);
  EXPECT_TRUE(plan.in_flight_changed);
  EXPECT_EQ(plan.restart_needed,
            (std::vector<std::string>{"[daemon] http_listen", "[daemon] sip_trace"}));
  EXPECT_TRUE(plan.changes_anything());
}

}  // namespace
}  // namespace sipline::engine
