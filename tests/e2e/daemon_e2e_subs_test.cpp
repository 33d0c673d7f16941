// Subscriptions end to end: the sipline daemon against Kamailio's presence server
// (kamailio/sipline.cfg WITH_PRESENCE). A PUBLISHed message summary lights the account's MWI
// lamp in GET /api/accounts and /metrics and puts it out again; SIGTERM ends every subscription
// (SUBSCRIBE Expires: 0, seen by Kamailio) before the unregister, and so do disabling the account
// over REST and removing it by a reload; with subscribe_reg_event, a
// binding removed at the registrar (kamcmd ul.rm) makes the account re-REGISTER at once.
// Spec: /work/shared/spec/calls-and-subscriptions.md "Subscriptions".
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;
using test::Kamailio;

test::KamailioOptions presence_options() {
  test::KamailioOptions o;
  o.presence = true;
  return o;
}

bool subscriptions_active(const Json& a);

// Kamailio with its presence server, a temp dir and one daemon (not started).
struct SubsE2e {
  Kamailio kam{presence_options()};
  TempDir tmp;
  Daemon d{tmp.path()};
  SubsE2e() { kam.start(); }
  // Writes `acc` as the only account, starts the daemon and waits (10 s) until every
  // subscription is active; the account's JSON then, or a failure with the logs.
  ::testing::AssertionResult start(const AccountToml& acc, Json& last) {
    d.write_config({acc});
    if (auto started = d.start(); !started) return started;
    if (d.wait_account(1, subscriptions_active, 10s, &last)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << last.dump(2) << d.log_tail() << kam.log_tail();
  }
};

// On the wire at Kamailio: `user`'s first unregistering REGISTER (Expires: 0) comes after a
// SUBSCRIBE with Expires: 0 of each of `events` event packages (counted by package, so a
// retransmission of one un-SUBSCRIBE logged late by a loaded Kamailio changes nothing).
::testing::AssertionResult unsubscribed_before_unregister(const Kamailio& kam,
                                                          std::string_view user, int events) {
  const auto wire = requests_seen(kam, user);
  std::set<std::string> ended;
  for (const auto& r : wire) {
    if (r.method == "SUBSCRIBE" && r.expires == "0") ended.insert(r.event);
    if (r.method != "REGISTER" || r.expires != "0") continue;
    if (static_cast<int>(ended.size()) >= events) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "REGISTER Expires: 0 after only " << ended.size()
                                         << " of " << events << " event packages unsubscribed\n"
                                         << kam.log_tail(80);
  }
  return ::testing::AssertionFailure() << "no REGISTER Expires: 0\n" << kam.log_tail(80);
}

bool subscriptions_active(const Json& a) {
  if (!a.contains("subscriptions") || a["subscriptions"].empty()) return false;
  for (const auto& s : a["subscriptions"]) {
    if (s.value("state", "") != "active") return false;
  }
  return true;
}

class SubsOverTransport : public ::testing::TestWithParam<Transport> {};

TEST_P(SubsOverTransport, MwiLampFollowsThePublishedStateAndSigtermEndsSubscriptionsFirst) {
  SubsE2e e;
  auto& [kam, tmp, d] = e;
  auto acc = account_for(kam, GetParam(), "1201");
  acc.flag("subscribe_mwi", true);
  acc.set("blf", "[\"1299\"]");
  Json last;
  ASSERT_TRUE(e.start(acc, last));
  EXPECT_EQ(last["subscriptions"][0]["event"], "message-summary");
  EXPECT_EQ(last["subscriptions"][1]["event"], "dialog");
  // Kamailio's first NOTIFY of the dialog package: nobody on 1299 is in a call.
  ASSERT_TRUE(d.wait_account(
      1, [](const Json& a) { return a["blf"][0].value("state", "") == "idle"; }, 5s, &last))
      << last.dump(2);

  ASSERT_EQ(publish_mwi(kam, "1201", "Messages-Waiting: yes\r\nVoice-Message: 3/5 (1/0)\r\n", 1),
            200);
  ASSERT_TRUE(d.wait_account(
      1, [](const Json& a) { return a["mwi"].is_object() && a["mwi"].value("waiting", false); }, 5s,
      &last))
      << last.dump(2) << d.log_tail();
  EXPECT_EQ(last["mwi"]["new"], 3);
  EXPECT_EQ(last["mwi"]["old"], 5);
  EXPECT_EQ(last["mwi"]["urgent_new"], 1);
  EXPECT_NE(d.metrics().find("sipline_mwi_new_messages{account=\"1\""), std::string::npos);

  ASSERT_EQ(publish_mwi(kam, "1201", "Messages-Waiting: no\r\nVoice-Message: 0/8\r\n", 2), 200);
  ASSERT_TRUE(d.wait_account(
      1, [](const Json& a) { return a["mwi"].is_object() && !a["mwi"].value("waiting", true); }, 5s,
      &last))
      << last.dump(2);

  EXPECT_EQ(d.terminate(), 0);
  EXPECT_TRUE(unsubscribed_before_unregister(kam, "1201", 2));
}

INSTANTIATE_TEST_SUITE_P(Transports, SubsOverTransport,
                         ::testing::Values(Transport::kUdp, Transport::kTcp, Transport::kTls),
                         [](const auto& info) { return to_string(info.param); });

// Disabling the account over REST, or removing it from the config and reloading (SIGHUP), ends
// its subscriptions (Expires: 0) before it unregisters, as SIGTERM does; the daemon runs on.
class SubsEndBeforeUnregister : public ::testing::TestWithParam<std::string> {};

TEST_P(SubsEndBeforeUnregister, OnDisableAndOnReload) {
  SubsE2e e;
  auto& [kam, tmp, d] = e;
  auto acc = account_for(kam, Transport::kUdp, "1204");
  acc.flag("subscribe_mwi", true);
  acc.set("blf", "[\"1298\"]");
  Json last;
  ASSERT_TRUE(e.start(acc, last));
  if (GetParam() == "disable") {
    const auto [status, body] = d.http("PUT", "/api/accounts/1/settings", R"({"active":false})");
    ASSERT_EQ(status, 200) << body.dump(2);
    ASSERT_TRUE(d.wait_account(
        1, [](const Json& a) { return a.value("state", "") == "disabled"; }, 10s, &last))
        << last.dump(2) << d.log_tail();
  } else {
    auto other = account_for(kam, Transport::kUdp, "1205");
    d.reload({other});
    const std::string contact = last["contact"];
    ASSERT_TRUE(eventually([&] { return !binding(kam, "1204", contact).has_value(); }, 10s))
        << d.log_tail();
  }
  EXPECT_TRUE(unsubscribed_before_unregister(kam, "1204", 2)) << d.log_tail();
  EXPECT_TRUE(d.running());
}

INSTANTIATE_TEST_SUITE_P(Ways, SubsEndBeforeUnregister, ::testing::Values("disable", "reload"),
                         [](const auto& info) { return info.param; });

// The registrar loses our binding between two refreshes (kamcmd ul.rm, as a restart would):
// the reg-event NOTIFY makes the account re-REGISTER at once, long before its refresh.
TEST(SubsRegEvent, BindingRemovedAtTheRegistrarIsRegisteredAgainAtOnce) {
  SubsE2e e;
  auto& [kam, tmp, d] = e;
  auto acc = account_for(kam, Transport::kUdp, "1202");
  acc.flag("subscribe_reg_event", true);
  acc.number("register_expiration_min", 10);  // the next refresh is minutes away
  Json last;
  ASSERT_TRUE(e.start(acc, last));
  EXPECT_EQ(last["subscriptions"][0]["event"], "reg");
  const std::string contact = last["contact"];
  ASSERT_TRUE(binding(kam, "1202", contact)) << kam.rpc({"ul.dump"});
  const std::size_t registers_before = registers_seen(kam, "1202").size();

  kam.rpc({"ul.rm", "location", "s:1202"});  // s: keeps kamcmd from sending an int
  // The binding is back within milliseconds (too fast to see it gone): a new REGISTER, long
  // before the refresh (about 285 s away), and the log says why.
  ASSERT_TRUE(eventually(
      [&] {
        return registers_seen(kam, "1202").size() > registers_before &&
               binding(kam, "1202", contact).has_value();
      },
      5s))
      << d.log_tail() << kam.log_tail(80);
  EXPECT_NE(d.log_tail().find("reg event"), std::string::npos) << d.log_tail();
}

// The refresh comes at the registration timing rule's time, seen at Kamailio: G = 60 s granted,
// R = 57 s, so an in-dialog SUBSCRIBE 3 s after each 2xx (not before).
TEST(SubsRefresh, RefreshSeenAtKamailioAtGMinusR) {
  SubsE2e e;
  auto& [kam, tmp, d] = e;
  auto acc = account_for(kam, Transport::kUdp, "1203");
  acc.flag("subscribe_mwi", true);
  acc.number("subscribe_expiration_min", 1);
  acc.number("reregister_before_expiration_s", 57);
  Json last;
  ASSERT_TRUE(e.start(acc, last));
  const auto granted = Clock::now();
  EXPECT_EQ(last["subscriptions"][0]["granted_expires_s"], 60);
  auto subscribes = [&] {
    int n = 0;
    for (const auto& s : requests_seen(kam, "1203")) n += s.method == "SUBSCRIBE" ? 1 : 0;
    return n;
  };
  const int initial = subscribes();  // the challenged one and the one with credentials
  ASSERT_TRUE(eventually([&] { return subscribes() > initial; }, 6s))
      << "no refresh within 6 s (due 3 s after the 2xx)\n"
      << kam.log_tail(40);
  // Not before G - R (the exact time is the virtual-clock tests' job; a loaded CI machine may
  // be late, never early).
  const auto after = std::chrono::duration_cast<milliseconds>(Clock::now() - granted);
  EXPECT_GE(after.count(), 2500) << "refreshed too early";
}

}  // namespace
}  // namespace sipline::e2e
