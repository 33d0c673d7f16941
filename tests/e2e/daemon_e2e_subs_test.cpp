// Subscriptions end to end: the sipline daemon against Kamailio's presence server
// (kamailio/sipline.cfg WITH_PRESENCE). A PUBLISHed message summary lights the account's MWI
// lamp in GET /api/accounts and /metrics and puts it out again; SIGTERM ends every subscription
// (SUBSCRIBE Expires: 0, seen by Kamailio) before the unregister; with subscribe_reg_event, a
// binding removed at the registrar (kamcmd ul.rm) makes the account re-REGISTER at once.
// Spec: /work/shared/spec/calls-and-subscriptions.md "Subscriptions".
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "e2e_support.hpp"
#include "support/net.hpp"
#include "support/raw_sip.hpp"

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;
using test::Kamailio;

test::KamailioOptions presence_options() {
  test::KamailioOptions o;
  o.presence = true;
  return o;
}

// One "<METHOD> seen:" line of Kamailio's log (REGISTER and the presence route log them).
struct Seen {
  std::string method;
  std::string user;
  std::string event;
  std::string expires;
};
std::vector<Seen> seen(const Kamailio& kam, const std::string& user) {
  std::vector<Seen> out;
  std::ifstream in(kam.log_path());
  auto field = [](const std::string& line, const std::string& key) {
    const auto at = line.find(key);
    if (at == std::string::npos) return std::string();
    const auto from = at + key.size();
    return line.substr(from, line.find(' ', from) - from);
  };
  for (std::string line; std::getline(in, line);) {
    for (const char* m : {"REGISTER", "SUBSCRIBE"}) {
      if (line.find(std::string(m) + " seen: ") == std::string::npos) continue;
      Seen s{m, field(line, " user="), field(line, " event="), field(line, " expires=")};
      if (s.user == user) out.push_back(s);
    }
  }
  return out;
}

// The mailbox stand-in: PUBLISHes a message summary for `user` (accepted from 127.0.0.1).
int publish_mwi(const Kamailio& kam, const std::string& user, const std::string& body, int n) {
  test::UdpSocket sock;
  test::RawRequest pub;
  pub.method = "PUBLISH";
  pub.request_uri = "sip:" + user + "@127.0.0.1:" + std::to_string(kam.udp_port());
  pub.user = user;
  pub.local_port = sock.local_port();
  pub.expires = 300;
  pub.call_id = "mwi-pub-" + user + "-" + std::to_string(n);
  pub.branch = "z9hG4bK-pub-" + std::to_string(n);
  sock.send_to(test::with_extras(test::make_request(pub),
                                 "Event: message-summary\r\n"
                                 "Content-Type: application/simple-message-summary\r\n",
                                 body),
               "127.0.0.1", kam.udp_port());
  auto reply = sock.recv(3000ms);
  return reply ? test::status_code(*reply) : 0;
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
  Kamailio kam(presence_options());
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  Daemon d(tmp.path());
  auto acc = account_for(kam, GetParam(), "1201");
  acc.flag("subscribe_mwi", true);
  acc.set("blf", "[\"1299\"]");
  d.write_config({acc});
  ASSERT_TRUE(d.start());
  Json last;
  ASSERT_TRUE(d.wait_account(1, subscriptions_active, 10s, &last))
      << last.dump(2) << d.log_tail() << kam.log_tail();
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
  // On the wire at Kamailio: both Expires: 0 SUBSCRIBEs, then the unregistering REGISTER.
  const auto wire = seen(kam, "1201");
  int unsubscribes = 0;
  std::size_t last_unsubscribe = 0, unregister = 0;
  for (std::size_t i = 0; i < wire.size(); ++i) {
    if (wire[i].method == "SUBSCRIBE" && wire[i].expires == "0") {
      ++unsubscribes;
      last_unsubscribe = i;
    }
    if (wire[i].method == "REGISTER" && wire[i].expires == "0") unregister = i;
  }
  EXPECT_GE(unsubscribes, 2) << kam.log_tail(80);
  EXPECT_GT(unregister, last_unsubscribe) << kam.log_tail(80);
}

INSTANTIATE_TEST_SUITE_P(Transports, SubsOverTransport,
                         ::testing::Values(Transport::kUdp, Transport::kTcp, Transport::kTls),
                         [](const auto& info) { return to_string(info.param); });

// The registrar loses our binding between two refreshes (kamcmd ul.rm, as a restart would):
// the reg-event NOTIFY makes the account re-REGISTER at once, long before its refresh.
TEST(SubsRegEvent, BindingRemovedAtTheRegistrarIsRegisteredAgainAtOnce) {
  Kamailio kam(presence_options());
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  Daemon d(tmp.path());
  auto acc = account_for(kam, Transport::kUdp, "1202");
  acc.flag("subscribe_reg_event", true);
  acc.number("register_expiration_min", 10);  // the next refresh is minutes away
  d.write_config({acc});
  ASSERT_TRUE(d.start());
  Json last;
  ASSERT_TRUE(d.wait_account(1, subscriptions_active, 10s, &last)) << last.dump(2) << d.log_tail();
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

}  // namespace
}  // namespace sipline::e2e

namespace sipline::e2e {
namespace {

// The refresh comes at the registration timing rule's time, seen at Kamailio: G = 60 s granted,
// R = 57 s, so an in-dialog SUBSCRIBE 3 s after each 2xx (not before).
TEST(SubsRefresh, RefreshSeenAtKamailioAtGMinusR) {
  Kamailio kam(presence_options());
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  Daemon d(tmp.path());
  auto acc = account_for(kam, Transport::kUdp, "1203");
  acc.flag("subscribe_mwi", true);
  acc.number("subscribe_expiration_min", 1);
  acc.number("reregister_before_expiration_s", 57);
  d.write_config({acc});
  ASSERT_TRUE(d.start());
  Json last;
  ASSERT_TRUE(d.wait_account(1, subscriptions_active, 10s, &last)) << last.dump(2);
  const auto granted = Clock::now();
  EXPECT_EQ(last["subscriptions"][0]["granted_expires_s"], 60);
  auto subscribes = [&] {
    int n = 0;
    for (const auto& s : seen(kam, "1203")) n += s.method == "SUBSCRIBE" ? 1 : 0;
    return n;
  };
  const int initial = subscribes();  // the challenged one and the one with credentials
  ASSERT_TRUE(eventually([&] { return subscribes() > initial; }, 6s)) << kam.log_tail(40);
  const auto after = std::chrono::duration_cast<milliseconds>(Clock::now() - granted);
  EXPECT_GE(after.count(), 2500) << "refreshed too early";
  EXPECT_LE(after.count(), 4500) << "refreshed too late";
}

}  // namespace
}  // namespace sipline::e2e
