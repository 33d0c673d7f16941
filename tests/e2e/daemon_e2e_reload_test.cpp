// SIGHUP against a running daemon and a real Kamailio: accounts matched by position; an
// unchanged account is left alone (no REGISTER), a changed one unregisters its old binding and
// registers the new one (on the same local port), a removed one unregisters, an added one
// registers; an invalid file changes nothing. Spec: interfaces.md (`sipline run`: SIGHUP reloads
// the config).
#include <gtest/gtest.h>

#include <fstream>

#include "e2e_support.hpp"

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;

bool log_has(const Daemon& d, const std::string& text) {
  return d.log_tail(400).find(text) != std::string::npos;
}

TEST(DaemonReload, SighupAppliesChangesAccountByAccount) {
  test::Kamailio kam;
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  auto a1 = account_for(kam, Transport::kUdp, "1401");
  auto a2 = account_for(kam, Transport::kUdp, "1402");
  auto a3 = account_for(kam, Transport::kUdp, "1403");
  for (auto* a : {&a1, &a2, &a3}) a->number("register_expiration_min", 60);  // no refresh
  Daemon d(tmp.path());
  d.write_config({a1, a2, a3});
  ASSERT_TRUE(d.start()) << d.log_tail();
  for (int i : {1, 2, 3}) ASSERT_TRUE(d.wait_registered(i, 5s)) << d.log_tail();
  const auto a1_registers = registers_seen(kam, "1401").size();

  // Account 2 becomes user 1412 on the same local port; account 3 goes away.
  auto a2_changed = a2;
  a2_changed.text("user_id", "1412").text("password", test::Kamailio::password("1412"));
  d.reload({a1, a2_changed});
  ASSERT_TRUE(eventually(
      [&] {
        return kam.bindings_of("1412").size() == 1 && kam.bindings_of("1402").empty() &&
               kam.bindings_of("1403").empty();
      },
      8s, 100ms))
      << d.log_tail(30);
  EXPECT_TRUE(log_has(d, "SIGHUP: reload: 1 unchanged, 1 changed, 0 added, 1 removed"))
      << d.log_tail(30);
  Json status;
  ASSERT_TRUE(d.wait_registered(2, 5s, &status)) << status.dump();
  EXPECT_NE(status["aor"].get<std::string>().find("1412@"), std::string::npos) << status.dump();
  auto all = d.accounts();
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 2u);
  // The unchanged account was not touched: still bound, no REGISTER since.
  EXPECT_EQ(kam.bindings_of("1401").size(), 1u);
  EXPECT_EQ(registers_seen(kam, "1401").size(), a1_registers);
  EXPECT_EQ(d.account(1)["registrations_ok"], 1);

  // An invalid file: every problem logged, nothing changes.
  auto broken = a1;
  broken.number("register_expiration_min", 0);
  d.reload({broken, a2_changed});
  ASSERT_TRUE(eventually([&] { return log_has(d, "config not reloaded"); }, 3s, 50ms))
      << d.log_tail(30);
  EXPECT_TRUE(log_has(d, "register_expiration_min")) << d.log_tail(30);
  EXPECT_EQ(d.account(1)["state"], "registered");
  EXPECT_EQ(d.account(2)["state"], "registered");

  // An account added at the end registers; the others stay as they are.
  auto a4 = account_for(kam, Transport::kUdp, "1404");
  a4.number("register_expiration_min", 60);
  d.reload({a1, a2_changed, a4});
  ASSERT_TRUE(d.wait_registered(3, 5s, &status)) << status.dump() << d.log_tail(30);
  EXPECT_EQ(kam.bindings_of("1404").size(), 1u);
  EXPECT_TRUE(log_has(d, "SIGHUP: reload: 2 unchanged, 0 changed, 1 added, 0 removed"));
  EXPECT_EQ(registers_seen(kam, "1401").size(), a1_registers);

  EXPECT_EQ(d.terminate(), 0);
  EXPECT_TRUE(kam.bindings_of("1401").empty());
  EXPECT_TRUE(kam.bindings_of("1412").empty());
  EXPECT_TRUE(kam.bindings_of("1404").empty());
}

}  // namespace
}  // namespace sipline::e2e
