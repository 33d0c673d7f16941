// Busy lamps from a real call (issue 8, calls-and-subscriptions.md "Subscriptions"): two baresip
// instances registered at the test's Kamailio (presence on) call each other through it; the
// dialog module tracks the call and pua_dialoginfo PUBLISHes its states to the presence server,
// which NOTIFYs the sipline daemon's `dialog` subscriptions. The daemon's account watches both
// parties (blf = caller, callee) over UDP, TCP or TLS and its lamps, read through
// GET /api/accounts/1, go ringing (with the remote party) while the callee is alerted, busy once
// it answers, idle after the hang-up. Then the same lamps, and the MWI lamp lit and put out by
// PUBLISHes, watched on the web page in headless Chromium without a reload. Every wait is
// bounded.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "e2e/baresip_peer.hpp"
#include "e2e/e2e_support.hpp"

namespace sipline::e2e {
namespace {

using std::chrono::seconds;

constexpr const char* kCaller = "1301";
constexpr const char* kCallee = "1302";

test::KamailioOptions presence_options() {
  test::KamailioOptions o;
  o.presence = true;
  // One UDP worker. With two, the PUBLISHes of one call's quick states are handled by both at
  // once and Kamailio's presence server can send the NOTIFY of the older one last, with the
  // higher CSeq (seen: the caller's lamp left at "trying" after "early"); sipline rightly
  // follows the later NOTIFY, so the lamp would show what Kamailio last said, not the call.
  o.defines.push_back("UDP_CHILDREN=1");
  return o;
}

// The lamp of `user` in the account's JSON (null when the account has none for it).
Json lamp(const Json& account, const std::string& user) {
  if (!account.contains("blf")) return nullptr;
  for (const auto& l : account["blf"]) {
    if (l.value("uri", "").find("sip:" + user + "@") == 0) return l;
  }
  return nullptr;
}

std::string state_of(const Json& account, const std::string& user) {
  const Json l = lamp(account, user);
  return l.is_object() ? l.value("state", "") : "";
}

// The lamp's remote party as text ("" when none).
std::string remote_of(const Json& account, const std::string& user) {
  const Json l = lamp(account, user);
  if (!l.is_object() || !l.contains("remote") || !l["remote"].is_string()) return {};
  return l["remote"].get<std::string>();
}

class BlfFromACall : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override { kam_.start(); }
  // Polls account 1 until the lamps of the caller and the callee are `caller` and `callee`.
  ::testing::AssertionResult wait_lamps(const std::string& caller, const std::string& callee,
                                        Json& last) {
    if (d_.wait_account(
            1,
            [&](const Json& a) {
              return state_of(a, kCaller) == caller && state_of(a, kCallee) == callee;
            },
            seconds(15), &last)) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "lamps not " << caller << "/" << callee << ": "
                                         << last.dump(2) << d_.log_tail() << kam_.log_tail(60);
  }

  test::Kamailio kam_{presence_options()};
  TempDir dir_;
  Daemon d_{dir_.path()};
};

TEST_P(BlfFromACall, LampsGoRingingBusyIdle) {
  Baresip caller(dir_.path() / "caller", kam_, kCaller, false);
  Baresip callee(dir_.path() / "callee", kam_, kCallee, false);
  ASSERT_TRUE(caller.start());
  ASSERT_TRUE(callee.start());

  auto acc = account_for(kam_, GetParam(), "1201");
  acc.set("blf", std::string("[\"") + kCaller + "\", \"" + kCallee + "\"]");
  d_.write_config({acc});
  ASSERT_TRUE(d_.start());
  Json last;
  ASSERT_TRUE(wait_lamps("idle", "idle", last));
  EXPECT_EQ(remote_of(last, kCaller), "");

  // The callee answers by hand: it rings until told to accept.
  caller.command("/dial sip:" + std::string(kCallee) +
                 "@127.0.0.1:" + std::to_string(kam_.udp_port()));
  ASSERT_TRUE(wait_lamps("ringing", "ringing", last)) << caller.log() << callee.log();
  // Each lamp names the other party of the call.
  EXPECT_NE(remote_of(last, kCaller).find(kCallee), std::string::npos) << last.dump(2);
  EXPECT_NE(remote_of(last, kCallee).find(kCaller), std::string::npos) << last.dump(2);

  callee.command("/accept");
  ASSERT_TRUE(wait_lamps("busy", "busy", last)) << caller.log() << callee.log();
  EXPECT_NE(remote_of(last, kCaller).find(kCallee), std::string::npos) << last.dump(2);
  EXPECT_NE(remote_of(last, kCallee).find(kCaller), std::string::npos) << last.dump(2);

  caller.command("/hangup");
  ASSERT_TRUE(wait_lamps("idle", "idle", last)) << caller.log() << callee.log();
  EXPECT_EQ(remote_of(last, kCaller), "") << last.dump(2);
  EXPECT_EQ(remote_of(last, kCallee), "") << last.dump(2);
  // /metrics says so too: the caller's lamp is idle again.
  const std::string uri = lamp(last, kCaller).value("uri", "");
  const std::string metrics = d_.metrics();
  EXPECT_NE(metrics.find(",uri=\"" + uri + "\",state=\"idle\"} 1\n"), std::string::npos) << metrics;
}

INSTANTIATE_TEST_SUITE_P(Transports, BlfFromACall,
                         ::testing::Values(Transport::kUdp, Transport::kTcp, Transport::kTls),
                         [](const auto& info) { return to_string(info.param); });

// The web page's lamps in a real browser (Selenium driving Debian's chromium through
// tests/e2e/web_lamps.py): the page is loaded once; a PUBLISHed message summary lights the MWI
// lamp, a call from the caller to the callee turns the caller's BLF lamp ringing, busy, idle,
// and a PUBLISH of "no" puts the MWI lamp out, each seen in the DOM as it happens.
TEST(LampsInBrowser, MwiAndBlfLampsChangeLiveOnThePage) {
  if (!std::filesystem::exists("/usr/bin/chromedriver") ||
      test::run_command({"/usr/bin/python3", "-c", "import selenium"}, seconds(10)).exit_code !=
          0) {
    GTEST_SKIP() << "no chromedriver or python3-selenium";
  }
  test::Kamailio kam{presence_options()};
  kam.start();
  TempDir dir;
  Baresip caller(dir.path() / "caller", kam, kCaller, false);
  Baresip callee(dir.path() / "callee", kam, kCallee, false);
  ASSERT_TRUE(caller.start());
  ASSERT_TRUE(callee.start());
  Daemon d(dir.path());
  auto acc = account_for(kam, Transport::kUdp, "1202");
  acc.flag("subscribe_mwi", true);
  acc.set("blf", std::string("[\"") + kCaller + "\"]");
  d.write_config({acc});
  ASSERT_TRUE(d.start());
  Json last;
  ASSERT_TRUE(d.wait_account(
      1, [](const Json& a) { return state_of(a, kCaller) == "idle"; }, seconds(15), &last))
      << last.dump(2) << d.log_tail();
  const std::string blf_key = "blf-1-" + lamp(last, kCaller).value("uri", "");
  // The MWI lamp is on the page once the mailbox has said something.
  ASSERT_EQ(publish_mwi(kam, "1202", "Messages-Waiting: no\r\n", 1), 200);
  ASSERT_TRUE(d.wait_account(
      1, [](const Json& a) { return a["mwi"].is_object(); }, seconds(10), &last))
      << last.dump(2);

  std::string token;
  std::ifstream(d.state_dir() / "http_token") >> token;
  ASSERT_FALSE(token.empty());
  const auto stop_file = dir.path() / "stop-watching";
  const auto out = dir.path() / "web_lamps.log";
  test::ChildProcess browser;
  browser.spawn({"/usr/bin/python3", std::string(SIPLINE_SOURCE_DIR) + "/tests/e2e/web_lamps.py",
                 "http://127.0.0.1:" + std::to_string(d.http_port()) + "/#token=" + token,
                 (dir.path() / "chromium").string(), stop_file.string(), "120"},
                out);
  // Waits (bounded) until the page shows a line of lamps containing every `want` ("key=state"),
  // after the line the previous wait matched.
  std::size_t seen_upto = 0;
  auto page_shows = [&](const std::vector<std::string>& want) {
    return eventually(
        [&] {
          const std::string log = test::file_tail(out, 1000);
          std::size_t at = log.find("lamps:", seen_upto);
          for (; at != std::string::npos; at = log.find("lamps:", at + 1)) {
            const std::string line = log.substr(at, log.find('\n', at) - at) + " ";
            bool all = true;
            for (const auto& w : want) all = all && line.find(" " + w + " ") != std::string::npos;
            if (all) {
              seen_upto = at + 1;
              return true;
            }
          }
          return false;
        },
        seconds(30));
  };
  const auto failure = [&] {
    return test::file_tail(out, 40) + d.log_tail() + caller.log() + callee.log();
  };
  ASSERT_TRUE(page_shows({"mwi-1=off", blf_key + "=idle"})) << failure();

  ASSERT_EQ(publish_mwi(kam, "1202", "Messages-Waiting: yes\r\nVoice-Message: 2/0\r\n", 2), 200);
  ASSERT_TRUE(page_shows({"mwi-1=on"})) << failure();

  caller.command("/dial sip:" + std::string(kCallee) +
                 "@127.0.0.1:" + std::to_string(kam.udp_port()));
  ASSERT_TRUE(page_shows({blf_key + "=ringing"})) << failure();
  callee.command("/accept");
  ASSERT_TRUE(page_shows({blf_key + "=busy"})) << failure();
  caller.command("/hangup");
  ASSERT_TRUE(page_shows({blf_key + "=idle"})) << failure();

  ASSERT_EQ(publish_mwi(kam, "1202", "Messages-Waiting: no\r\nVoice-Message: 0/2\r\n", 3), 200);
  ASSERT_TRUE(page_shows({"mwi-1=off"})) << failure();

  std::ofstream(stop_file) << "done\n";
  ASSERT_TRUE(eventually([&] { return !browser.running(); }, seconds(20))) << failure();
  EXPECT_EQ(browser.exit_code(), 0) << failure();
  EXPECT_EQ(test::file_tail(out, 1000).find("RELOADED"), std::string::npos) << failure();
  std::cout << "what the page showed:\n" << test::file_tail(out, 40);
}

}  // namespace
}  // namespace sipline::e2e
