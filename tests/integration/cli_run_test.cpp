// `sipline run` as a process against a real Kamailio: registers, answers `sipline status` and the
// HTTP routes, never shows the password, and on SIGTERM unregisters and exits 0. Also the exit
// codes of a failing start and of `status` with no daemon.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/kamailio.hpp"
#include "support/net.hpp"
#include "support/process.hpp"

namespace sipline::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using std::chrono::milliseconds;

const std::string kCli = SIPLINE_CLI;

struct DaemonConfig {
  std::uint16_t sip_server_port = 9;  // discard: nobody answers
  std::uint16_t local_sip_port = 0;
  std::uint16_t http_port = 0;
  std::string user = "1000";
};

class CliRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("cli_run_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "state");
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::string write_config(const DaemonConfig& c) {
    std::string path = (dir_ / "sipline.toml").string();
    std::ofstream(path) << "[daemon]\n"
                        << "state_dir = \"" << (dir_ / "state").string() << "\"\n"
                        << "http_listen = \"127.0.0.1:" << c.http_port << "\"\n"
                        << "log_level = \"debug\"\n"
                        << "[[account]]\n"
                        << "name = \"Door\"\n"
                        << "sip_server = \"127.0.0.1:" << c.sip_server_port << "\"\n"
                        << "user_id = \"" << c.user << "\"\n"
                        << "password = \"" << Kamailio::password(c.user) << "\"\n"
                        << "local_sip_port = " << c.local_sip_port << "\n"
                        << "register_expiration_min = 1\n"
                        << "unregister_before_new_registration = \"no\"\n";
    return path;
  }

  std::string log_text() const {
    std::ifstream in(dir_ / "daemon.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path dir_;
};

// Polls `sipline status --json` until account 1 is in `state` (bounded).
Json wait_for_state(const std::string& config, const std::string& state, milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  Json last;
  while (std::chrono::steady_clock::now() < deadline) {
    RunResult r = run_command({kCli, "status", "--json", "-c", config}, milliseconds(5000));
    if (r.exit_code == 0) {
      last = Json::parse(r.output, nullptr, false);
      if (!last.is_discarded() && last.is_array() && !last.empty() && last[0]["state"] == state) {
        return last;
      }
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  ADD_FAILURE() << "account 1 never became " << state << "; last status: " << last.dump();
  return last;
}

TEST_F(CliRun, RegistersAnswersStatusAndUnregistersOnSigterm) {
  Kamailio kam;
  kam.start();
  DaemonConfig c;
  c.sip_server_port = kam.udp_port();
  c.local_sip_port = free_port(Protocol::kSip);
  c.http_port = free_port(Protocol::kTcp);
  const std::string config = write_config(c);

  ChildProcess daemon;
  daemon.spawn({kCli, "run", "-c", config}, dir_ / "daemon.log");
  Json status = wait_for_state(config, "registered", milliseconds(10000));
  ASSERT_FALSE(HasFailure()) << log_text();
  EXPECT_EQ(status[0]["name"], "Door");
  EXPECT_EQ(status[0]["transport"], "udp");
  EXPECT_EQ(status[0]["local_port"], c.local_sip_port);
  EXPECT_EQ(status[0]["last_status_code"], 200);
  EXPECT_EQ(kam.bindings_of(c.user).size(), 1u);

  RunResult table = run_command({kCli, "status", "-c", config});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.output.find("registered"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("udp/" + std::to_string(c.local_sip_port)), std::string::npos);

  // The token was generated into state_dir, mode 0600; routes but the page and /metrics need it.
  const fs::path token_file = dir_ / "state" / "http_token";
  ASSERT_TRUE(fs::exists(token_file));
  EXPECT_EQ(fs::status(token_file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  std::string token;
  std::ifstream(token_file) >> token;
  EXPECT_EQ(token.size(), 64u);
  httplib::Client http("127.0.0.1", c.http_port);
  http.set_connection_timeout(std::chrono::seconds(2));
  http.set_read_timeout(std::chrono::seconds(5));
  EXPECT_EQ(http.Get("/api/accounts")->status, 401);
  http.set_bearer_token_auth(token);
  std::string everything = table.output + status.dump();
  for (const char* path : {"/", "/api/accounts", "/api/accounts/1", "/metrics"}) {
    auto r = http.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    everything += r->body;
  }
  EXPECT_EQ(http.Get("/api/accounts/2")->status, 404);
  auto reg = http.Post("/api/accounts/1/register", "", "application/json");
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->status, 202);
  wait_for_state(config, "registered", milliseconds(10000));

  // Settings over HTTP: the password only as "set"; an invalid change lists every problem and
  // changes nothing; a valid one re-registers the account with the new Expires.
  auto settings = http.Get("/api/accounts/1/settings");
  ASSERT_TRUE(settings);
  ASSERT_EQ(settings->status, 200) << settings->body;
  Json current = Json::parse(settings->body)["settings"];
  EXPECT_EQ(current["password"], "set");
  EXPECT_EQ(current["register_expiration_min"], 1);
  everything += settings->body;
  auto bad = http.Put("/api/accounts/1/settings",
                      R"({"register_expiration_min": 0, "transport": "sctp", "password": "x"})",
                      "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << bad->body;
  Json problems = Json::parse(bad->body)["problems"];
  ASSERT_EQ(problems.size(), 2u) << bad->body;
  EXPECT_EQ(problems[0]["key"], "account[1].register_expiration_min");
  EXPECT_EQ(problems[0]["allowed"], "1..64800");
  EXPECT_EQ(Json::parse(
                http.Get("/api/accounts/1/settings")->body)["settings"]["register_expiration_min"],
            1);
  auto good =
      http.Put("/api/accounts/1/settings", R"({"register_expiration_min": 3})", "application/json");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200) << good->body;
  EXPECT_EQ(Json::parse(good->body)["settings"]["register_expiration_min"], 3);
  const auto until = std::chrono::steady_clock::now() + milliseconds(10000);
  while (std::chrono::steady_clock::now() < until) {
    auto b = kam.bindings_of(c.user);
    if (b.size() == 1 && b[0].expires_s > 120) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  auto b = kam.bindings_of(c.user);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_GT(b[0].expires_s, 120) << "re-registered with register_expiration_min = 3";

  // 64 idle connections held open: /metrics and /api/accounts still answer within 1 s.
  std::vector<TcpSocket> idle;
  for (int i = 0; i < 64; ++i) idle.push_back(TcpSocket::connect("127.0.0.1", c.http_port));
  std::this_thread::sleep_for(milliseconds(200));
  for (const char* path : {"/metrics", "/api/accounts"}) {
    const auto start = std::chrono::steady_clock::now();
    auto r = http.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000)) << path;
  }
  idle.clear();

  // SIGTERM: unregister, exit 0.
  EXPECT_EQ(daemon.stop(milliseconds(8000)), 0) << log_text();
  EXPECT_TRUE(kam.bindings_of(c.user).empty());
  const std::string log = log_text();
  EXPECT_EQ((everything + log).find(Kamailio::password(c.user)), std::string::npos)
      << "the password leaked";
  // The token is shown once, on the console, at generation; never in a reply.
  EXPECT_EQ(everything.find(token), std::string::npos) << "the token leaked";
  EXPECT_NE(log.find(token_file.string()), std::string::npos) << log;
  EXPECT_EQ(log.find("\x1b[?1049h"), std::string::npos) << "no live table without a terminal";
}

TEST_F(CliRun, HttpPortInUseExits1) {
  DaemonConfig c;
  c.local_sip_port = free_port(Protocol::kSip);
  c.http_port = free_port(Protocol::kTcp);
  httplib::Server squatter;
  ASSERT_TRUE(squatter.bind_to_port("127.0.0.1", c.http_port));
  RunResult r = run_command({kCli, "run", "-c", write_config(c)}, milliseconds(10000));
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("HTTP"), std::string::npos) << r.output;
}

TEST_F(CliRun, StatusWithoutDaemonExits1NamingTheAddress) {
  DaemonConfig c;
  c.local_sip_port = free_port(Protocol::kSip);
  c.http_port = free_port(Protocol::kTcp);
  RunResult r = run_command({kCli, "status", "-c", write_config(c)}, milliseconds(10000));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("127.0.0.1:" + std::to_string(c.http_port)), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace sipline::test
