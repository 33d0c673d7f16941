// The operator's side of calls (issue 9 item 5), end to end with a real baresip through the
// test's Kamailio: the call history in state_dir outlives the daemon (even a SIGKILL once the
// call has ended), and the web page places, shows and ends a call in a real browser.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "e2e/baresip_peer.hpp"
#include "e2e/e2e_support.hpp"

namespace sipline::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class CallOps : public ::testing::Test {
 protected:
  void SetUp() override {
    kam_.start();
    baresip_.emplace(dir_.path() / "baresip", kam_, "1002", true);
    ASSERT_TRUE(baresip_->start());
  }
  Json call(const Daemon& d, std::uint64_t id) const {
    return d.http("GET", "/api/calls/" + std::to_string(id)).second;
  }
  Json wait_state(const Daemon& d, std::uint64_t id, const std::string& state) const {
    Json last;
    eventually(
        [&] {
          last = call(d, id);
          return last.is_object() && last.value("state", "") == state;
        },
        seconds(10));
    return last;
  }
  std::filesystem::path history_file() const { return daemon_.state_dir() / "calls.jsonl"; }

  test::Kamailio kam_;
  TempDir dir_;
  Daemon daemon_{dir_.path()};
  std::optional<Baresip> baresip_;
};

// A call to baresip ends; once its line is in state_dir/calls.jsonl the daemon is killed
// (SIGKILL: nothing written at exit), a bad line is added to the file, and the restarted daemon
// lists the call with the same figures (REST and `sipline calls`), reports the bad line and goes
// on numbering calls after it.
TEST_F(CallOps, HistoryOutlivesTheDaemon) {
  const auto account = account_for(kam_, Transport::kUdp, "1001");
  daemon_.write_config({account});
  ASSERT_TRUE(daemon_.start());
  ASSERT_TRUE(daemon_.wait_registered(1, milliseconds(8000))) << daemon_.log_tail();
  auto [status, placed] = daemon_.http("POST", "/api/calls", R"({"account":1,"to":"1002"})");
  ASSERT_EQ(status, 201) << placed.dump();
  const auto id = placed["id"].get<std::uint64_t>();
  ASSERT_EQ(wait_state(daemon_, id, "confirmed").value("state", ""), "confirmed")
      << daemon_.log_tail();
  eventually([&] { return call(daemon_, id)["rtp"]["received"].get<std::uint64_t>() > 50; },
             seconds(5));
  ASSERT_EQ(daemon_.http("DELETE", "/api/calls/" + std::to_string(id)).first, 200);
  const Json ended = wait_state(daemon_, id, "ended");
  ASSERT_EQ(ended.value("state", ""), "ended") << ended.dump();
  ASSERT_GT(ended["rtp"]["received"].get<std::uint64_t>(), 50u) << ended.dump();

  // On disk shortly after the call ends, not only at exit; only the owner may read it.
  ASSERT_TRUE(eventually(
      [&] { return test::read_file(history_file()).find('\n') != std::string::npos; }, seconds(5)))
      << daemon_.log_tail();
  struct stat st {};
  ASSERT_EQ(::stat(history_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  daemon_.kill();
  std::ofstream(history_file(), std::ios::app) << "{\"id\": \"broken\n";  // a bad line

  Daemon again(dir_.path(), "again");  // the same state_dir
  again.write_config({account});
  ASSERT_TRUE(again.start());
  ASSERT_TRUE(again.wait_registered(1, milliseconds(8000))) << again.log_tail();
  auto [ls, list] = again.http("GET", "/api/calls");
  ASSERT_EQ(ls, 200);
  ASSERT_EQ(list.size(), 1u) << list.dump();
  const Json& kept = list[0];
  std::cout << "after the restart: " << kept.dump() << "\n";
  for (const char* key : {"id", "account", "direction", "remote", "anonymous", "state",
                          "started_at", "answered_at", "ended_at", "outcome", "codec", "rtp"}) {
    EXPECT_EQ(kept[key], ended[key]) << key << ": " << kept.dump() << " vs " << ended.dump();
  }
  EXPECT_NEAR(kept["duration_s"].get<double>(), ended["duration_s"].get<double>(), 0.002);
  EXPECT_EQ(call(again, id), kept);
  // The bad line is named in the log, and the daemon runs on.
  EXPECT_TRUE(eventually(
      [&] { return again.log_tail(200).find("calls.jsonl: line 2") != std::string::npos; },
      seconds(3)))
      << again.log_tail();
  // An ended call of an earlier run cannot be ended again.
  EXPECT_EQ(again.http("DELETE", "/api/calls/" + std::to_string(id)).first, 409);
  // `sipline calls` shows it too.
  const std::string cfg = again.config_path().string();
  auto cli = test::run_command({SIPLINE_BINARY, "calls", "--json", "-c", cfg}, seconds(10));
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_EQ(Json::parse(cli.output).at(0)["rtp"], ended["rtp"]) << cli.output;
  // The next call's id follows the history's: no id names two calls.
  auto [s2, next] = again.http("POST", "/api/calls", R"({"account":1,"to":"1002"})");
  ASSERT_EQ(s2, 201) << next.dump();
  EXPECT_GT(next["id"].get<std::uint64_t>(), id);
  again.http("DELETE", "/api/calls/" + next["id"].dump());
  wait_state(again, next["id"].get<std::uint64_t>(), "ended");
}

// Calls on the web page in a real browser (Selenium driving Debian's chromium,
// tests/e2e/web_calls.py): the page places an anonymous call to baresip through Kamailio, shows it
// confirmed with packets rising, ends it (baresip sees the BYE); then baresip calls, the page
// answers the ringing call and ends it. Each step is checked from the daemon's side as well.
TEST_F(CallOps, WebPagePlacesAnswersAndEndsCalls) {
  if (!std::filesystem::exists("/usr/bin/chromedriver") ||
      test::run_command({"/usr/bin/python3", "-c", "import selenium"}, seconds(10)).exit_code !=
          0) {
    GTEST_SKIP() << "no chromedriver or python3-selenium";
  }
  daemon_.write_config({account_for(kam_, Transport::kUdp, "1001")});  // no auto_answer
  ASSERT_TRUE(daemon_.start());
  ASSERT_TRUE(daemon_.wait_registered(1, milliseconds(8000))) << daemon_.log_tail();
  std::string token;
  std::ifstream(daemon_.state_dir() / "http_token") >> token;
  ASSERT_FALSE(token.empty());

  const auto browser_log = dir_.path() / "browser.log";
  test::ChildProcess browser;
  browser.spawn(
      {"/usr/bin/python3", "-u", std::string(SIPLINE_SOURCE_DIR) + "/tests/e2e/web_calls.py",
       "http://127.0.0.1:" + std::to_string(daemon_.http_port()) + "/", token, "1002",
       (dir_.path() / "chromium").string()},
      browser_log);
  auto says = [&](const std::string& text) {
    return test::read_file(browser_log).find(text) != std::string::npos;
  };
  // The page's outgoing call, as the daemon sees it while the page shows it.
  Json out;
  ASSERT_TRUE(eventually(
      [&] {
        auto [status, list] = daemon_.http("GET", "/api/calls");
        if (status != 200 || list.empty()) return false;
        out = list[0];
        return out.value("state", "") == "confirmed";
      },
      seconds(40)))
      << test::read_file(browser_log) << daemon_.log_tail();
  EXPECT_EQ(out["direction"], "out");
  EXPECT_EQ(out["anonymous"], true) << out.dump();  // the page's box was ticked
  EXPECT_EQ(out["remote"], "sip:1002@127.0.0.1:" + std::to_string(kam_.udp_port()));
  const auto out_id = out["id"].get<std::uint64_t>();
  // The page ends it; baresip sees the call closed by the far end.
  ASSERT_TRUE(eventually([&] { return says("waiting for an incoming call"); }, seconds(40)))
      << test::read_file(browser_log);
  out = call(daemon_, out_id);
  EXPECT_EQ(out["state"], "ended") << out.dump();
  EXPECT_EQ(out["outcome"]["ended_by"], "local") << out.dump();
  EXPECT_GT(out["rtp"]["received"].get<std::uint64_t>(), 100u) << out.dump();
  EXPECT_GT(out["rtp"]["sent"].get<std::uint64_t>(), 100u) << out.dump();
  // baresip's menu: "<aor>: Call with <peer> terminated (duration: ...)".
  EXPECT_TRUE(
      eventually([&] { return baresip_->log().find("terminated (duration") != std::string::npos; },
                 seconds(5)))
      << baresip_->log();

  // baresip calls; the page answers and ends the call.
  baresip_->command("/dial sip:1001@127.0.0.1:" + std::to_string(kam_.udp_port()));
  ASSERT_TRUE(eventually([&] { return !browser.running(); }, seconds(60)))
      << test::read_file(browser_log) << daemon_.log_tail();
  const std::string said = test::read_file(browser_log);
  EXPECT_EQ(browser.exit_code(), 0) << said;
  std::cout << said;
  EXPECT_NE(said.find("state on the page: confirmed"), std::string::npos) << said;
  EXPECT_NE(said.find("state on the page: ended 200"), std::string::npos) << said;
  EXPECT_NE(said.find("ringing on the page: incoming"), std::string::npos) << said;
  EXPECT_NE(said.find("packets rising"), std::string::npos) << said;
  EXPECT_NE(said.find("done"), std::string::npos) << said;
  auto [ls, list] = daemon_.http("GET", "/api/calls");
  ASSERT_EQ(ls, 200);
  ASSERT_EQ(list.size(), 2u) << list.dump();
  const Json& in = list[0];
  EXPECT_EQ(in["direction"], "in") << in.dump();
  EXPECT_EQ(in["state"], "ended") << in.dump();
  EXPECT_FALSE(in["answered_at"].is_null()) << in.dump();
  EXPECT_EQ(in["outcome"]["ended_by"], "local") << in.dump();
  EXPECT_GT(in["rtp"]["received"].get<std::uint64_t>(), 100u) << in.dump();
}

}  // namespace
}  // namespace sipline::e2e
