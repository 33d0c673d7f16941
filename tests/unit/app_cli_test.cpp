// The `sipline` binary as a process: exit codes 0 / 1 / 2 and what it prints (no network).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "temp_file.hpp"

namespace {

struct Result {
  int code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `sipline ARGS` through the shell (arguments here are fixed, test-controlled strings).
Result sipline(const std::string& args, const std::string& env = "") {
  std::string cmd = env + " " + SIPLINE_CLI + " " + args + " 2>&1";
  Result r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string temp_file(const std::string& name, const std::string& text) {
  return sipline_test::unique_temp_file("app_cli_" + name, text);
}

const std::string kExamples = std::string(SIPLINE_SOURCE_DIR) + "/examples";

TEST(AppCli, VersionAndHelp) {
  Result v = sipline("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.output.rfind("sipline ", 0), 0u) << v.output;
  Result h = sipline("help status");
  EXPECT_EQ(h.code, 0);
  EXPECT_NE(h.output.find("sipline status"), std::string::npos) << h.output;
  EXPECT_NE(h.output.find("--json"), std::string::npos);
  EXPECT_EQ(sipline("help nosuchcommand").code, 2);
}

TEST(AppCli, UsageErrorsExit2) {
  EXPECT_EQ(sipline("").code, 2);
  EXPECT_EQ(sipline("frobnicate").code, 2);
  EXPECT_EQ(sipline("check").code, 2);  // -c is required
  EXPECT_EQ(sipline("parse").code, 2);  // a FILE is required
  EXPECT_EQ(sipline("run --bogus-flag -c x").code, 2);
}

TEST(AppCli, ParseExitCodes) {
  EXPECT_EQ(sipline("parse " + kExamples + "/messages/options.sip").code, 0);
  std::string bad = temp_file("bad.sip", "OPTIONS sip:a SIP/2.0\r\nno colon here\r\n\r\n");
  Result r = sipline("parse " + bad);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find(bad + ": rejected: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" at byte "), std::string::npos);
  Result j = sipline("parse --json " + kExamples + "/messages/options.sip " + bad);
  EXPECT_EQ(j.code, 1);
  EXPECT_EQ(j.output.front(), '[');
}

TEST(AppCli, CheckExitCodes) {
  Result ok = sipline("check -c " + kExamples + "/sipline.toml");
  EXPECT_EQ(ok.code, 0) << ok.output;
  std::string bad = temp_file("bad.toml",
                              "[daemon]\nhttp_lisen = \"127.0.0.1:8080\"\n"
                              "[[account]]\nsip_server = \"pbx.example.com\"\nuser_id = \"1\"\n");
  Result r = sipline("check -c " + bad);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find(":2:"), std::string::npos) << r.output;  // file:line
  EXPECT_NE(r.output.find("http_listen"), std::string::npos);      // did-you-mean
  EXPECT_EQ(sipline("check -c /nonexistent/sipline.toml").code, 2);
}

TEST(AppCli, RunWithABadConfigExits2) {
  EXPECT_EQ(sipline("run -c /nonexistent/sipline.toml").code, 2);
}

TEST(AppCli, StatusConfigErrorsExit2) {
  // $SIPLINE_CONFIG is used when -c is absent.
  Result r = sipline("status", "SIPLINE_CONFIG=/nonexistent/sipline.toml");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("/nonexistent/sipline.toml"), std::string::npos) << r.output;
  std::string off = temp_file("off.toml",
                              "[daemon]\nhttp_listen = \"\"\n"
                              "[[account]]\nsip_server = \"pbx.example.com\"\nuser_id = \"1\"\n");
  Result o = sipline("status -c " + off);
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.output.find("http_listen is off"), std::string::npos) << o.output;
}

TEST(AppCli, CallCommandsNeedTheDaemon) {
  // No daemon listens on this config's http_listen: exit 1 with the reason.
  std::string cfg = temp_file("calls.toml",
                              "[daemon]\nhttp_listen = \"127.0.0.1:1\"\n"
                              "[[account]]\nsip_server = \"pbx.example.com\"\nuser_id = \"1\"\n");
  for (const std::string cmd : {"call --account 1 1002 -c ", "calls -c ", "hangup 3 -c "}) {
    Result r = sipline(cmd + cfg);
    EXPECT_EQ(r.code, 1) << cmd << r.output;
    EXPECT_NE(r.output.find("cannot reach the daemon"), std::string::npos) << r.output;
  }
  EXPECT_EQ(sipline("hangup").code, 2);  // the ID is required
}

}  // namespace

// A [[fleet]] of 30 accounts, "Phone 1" .. "Phone 30".
std::string fleet_config() {
  return temp_file("fleet.toml",
                   "[[fleet]]\ncount = 30\nname = \"Phone {n}\"\nuser_id = \"{n}\"\n"
                   "password = \"pw-{n}\"\nsip_server = \"pbx.example.com\"\n");
}

// Without the Kubernetes variables whatever the environment running the test holds.
const std::string kNoShardEnv = "env -u JOB_COMPLETION_INDEX -u SIPLINE_SHARDS";

TEST(AppCli, CheckNamesTheShardsSlice) {
  const std::string cfg = fleet_config();
  Result whole = sipline("check -c " + cfg, kNoShardEnv);
  EXPECT_EQ(whole.code, 0) << whole.output;
  EXPECT_NE(whole.output.find("valid, 30 accounts"), std::string::npos) << whole.output;
  EXPECT_EQ(whole.output.find("shard "), std::string::npos) << whole.output;

  Result flag = sipline("check --shard 1/3 -c " + cfg, kNoShardEnv);
  EXPECT_EQ(flag.code, 0) << flag.output;
  EXPECT_NE(flag.output.find("valid, 10 accounts"), std::string::npos) << flag.output;
  EXPECT_NE(flag.output.find("shard 1/3: accounts 11..20 of 30 (Phone 11 .. Phone 20)"),
            std::string::npos)
      << flag.output;

  Result env = sipline("check -c " + cfg, "JOB_COMPLETION_INDEX=2 SIPLINE_SHARDS=4");
  EXPECT_EQ(env.code, 0) << env.output;  // 30 over 4: 8, 8, 7, 7
  EXPECT_NE(env.output.find("shard 2/4: accounts 17..23 of 30 (Phone 17 .. Phone 23)"),
            std::string::npos)
      << env.output;

  // The flag wins over the environment.
  Result both = sipline("check --shard 0/3 -c " + cfg, "JOB_COMPLETION_INDEX=2 SIPLINE_SHARDS=3");
  EXPECT_NE(both.output.find("shard 0/3: accounts 1..10 of 30"), std::string::npos) << both.output;

  Result empty = sipline("check --shard 31/32 -c " + cfg, kNoShardEnv);
  EXPECT_EQ(empty.code, 0) << empty.output;
  EXPECT_NE(empty.output.find("shard 31/32: no accounts (the file has 30)"), std::string::npos)
      << empty.output;
}

TEST(AppCli, BadShardIsAUsageError) {
  const std::string cfg = fleet_config();
  Result r = sipline("check --shard 3/3 -c " + cfg, kNoShardEnv);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("sipline: --shard \"3/3\": the index I must be 0..2"), std::string::npos)
      << r.output;
  Result env = sipline("check -c " + cfg, "env -u SIPLINE_SHARDS JOB_COMPLETION_INDEX=1");
  EXPECT_EQ(env.code, 2);
  EXPECT_NE(env.output.find("JOB_COMPLETION_INDEX = \"1\" is set but SIPLINE_SHARDS is not"),
            std::string::npos)
      << env.output;
  // The daemon refuses it before binding anything.
  Result run = sipline("run --shard 1/0 -c " + cfg, kNoShardEnv);
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.output.find("--shard \"1/0\": the count N must be 1..1000000"), std::string::npos)
      << run.output;
}
