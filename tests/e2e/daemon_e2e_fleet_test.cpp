// [[fleet]] templates end to end: the daemon expands them into accounts that register at a real
// Kamailio with their own users, passwords (inline pattern and password_file) and ports.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e_support.hpp"
#include "support/net.hpp"
#include "support/process.hpp"

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;

// True when UDP and TCP `port` can be bound on 127.0.0.1 now.
bool port_free(std::uint16_t port) {
  for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
    const int fd = ::socket(AF_INET, type, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (!ok) return false;
  }
  return true;
}

// The first of `count` ports, two apart, all free (a fleet's pinned local_sip_port).
std::uint16_t free_port_run(int count) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto base = static_cast<std::uint16_t>(test::free_port() & ~1u);
    bool all = true;
    for (int k = 0; k < count && all; ++k)
      all = port_free(static_cast<std::uint16_t>(base + 2 * k));
    if (all && base + 2 * count < 32000) return base;
  }
  throw std::runtime_error("no run of free ports");
}

TEST(DaemonFleet, TemplatesRegisterEveryAccountWithItsOwnIdentity) {
  test::Kamailio kam;
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  constexpr int kUdp = 20, kTcp = 10;
  const std::uint16_t udp_base = free_port_run(kUdp);
  const std::uint16_t tcp_base = free_port_run(kTcp);
  const auto pw_file = tmp.path() / "passwords.txt";
  {
    std::ofstream pw(pw_file);
    for (int k = 0; k < kTcp; ++k) pw << test::Kamailio::password(std::to_string(1700 + k)) << "\n";
  }
  const std::string server = kam.host() + ":" + std::to_string(kam.udp_port());
  Daemon d(tmp.path());
  d.add_tables("[[fleet]]\ncount = " + std::to_string(kUdp) +
               "\nfirst = 1600\nname = \"Phone {n}\"\nuser_id = \"{n}\"\npassword = \"pw-{n}\"\n"
               "sip_server = \"" +
               server +
               "\"\nunregister_before_new_registration = \"no\"\nregistration_retry_wait_s = 1\n"
               "local_sip_port = " +
               std::to_string(udp_base) + "\n\n[[fleet]]\ncount = " + std::to_string(kTcp) +
               "\nfirst = 1700\nname = \"Desk {n:05}\"\nuser_id = \"{n}\"\ntransport = \"tcp\"\n"
               "password_file = \"" +
               pw_file.string() + "\"\nsip_server = \"" + server +
               "\"\nunregister_before_new_registration = \"no\"\nregistration_retry_wait_s = 1\n"
               "local_sip_port = " +
               std::to_string(tcp_base) + "\n");
  d.write_config({});
  ASSERT_TRUE(d.start());

  // Every account registered, under the name its template gave it.
  ASSERT_TRUE(all_registered(d, kUdp + kTcp, 20s));
  const auto all = d.accounts();
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ((*all)[0]["name"], "Phone 1600");
  EXPECT_EQ((*all)[kUdp]["name"], "Desk 01700");

  // Kamailio holds exactly one binding per user, at the port the template gave that account.
  std::set<std::string> want, have;
  for (int k = 0; k < kUdp; ++k) {
    want.insert(expected_contact(Transport::kUdp, std::to_string(1600 + k), udp_base + 2 * k));
  }
  for (int k = 0; k < kTcp; ++k) {
    want.insert(expected_contact(Transport::kTcp, std::to_string(1700 + k), tcp_base + 2 * k));
  }
  for (const auto& b : kam.ul_dump()) have.insert(b.contact);
  EXPECT_EQ(have, want);
  EXPECT_EQ(d.terminate(), 0);
}

// Shards: N daemons with one [[fleet]] of 30 accounts, each given its index by the variables a
// Kubernetes Indexed Job sets (JOB_COMPLETION_INDEX, SIPLINE_SHARDS) or by --shard, each run a
// disjoint slice, and together they register every account exactly once. Every account keeps
// the port the whole fleet gives it, so the processes of one host never collide; each daemon
// has its own state_dir and HTTP port (a pod's own).
void three_shards_register_the_whole_fleet(bool by_flag) {
  test::Kamailio kam;
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  constexpr int kAccounts = 30, kShards = 3, kFirst = 1800;
  const std::uint16_t base = free_port_run(kAccounts);
  const std::string fleet = "[[fleet]]\ncount = " + std::to_string(kAccounts) +
                            "\nfirst = " + std::to_string(kFirst) +
                            "\nname = \"Phone {n}\"\nuser_id = \"{n}\"\npassword = \"pw-{n}\"\n"
                            "sip_server = \"" +
                            kam.host() + ":" + std::to_string(kam.udp_port()) +
                            "\"\nunregister_before_new_registration = \"no\"\n"
                            "registration_retry_wait_s = 1\nlocal_sip_port = " +
                            std::to_string(base) + "\n";
  std::vector<std::unique_ptr<Daemon>> shards;
  for (int i = 0; i < kShards; ++i) {
    const auto dir = tmp.path() / ("shard" + std::to_string(i));
    std::filesystem::create_directories(dir);
    auto d = std::make_unique<Daemon>(dir);
    d->add_tables(fleet);
    d->write_config({});
    const std::string index = std::to_string(i), count = std::to_string(kShards);
    if (by_flag) {
      // A stray environment loses against the flag.
      ASSERT_TRUE(d->start({"JOB_COMPLETION_INDEX=9"}, {"--shard", index + "/" + count}));
    } else {
      ASSERT_TRUE(d->start({"JOB_COMPLETION_INDEX=" + index, "SIPLINE_SHARDS=" + count}));
    }
    shards.push_back(std::move(d));
  }

  // Each shard registers its own 10, and only those: names 1800..1809, 1810..1819, 1820..1829.
  std::set<std::string> names;
  for (int i = 0; i < kShards; ++i) {
    std::optional<Json> all;
    ASSERT_TRUE(eventually(
        [&] {
          all = shards[i]->accounts();
          if (!all || all->size() != kAccounts / kShards) return false;
          for (const auto& a : *all) {
            if (a["state"] != "registered") return false;
          }
          return true;
        },
        20s))
        << "shard " << i << ": " << (all ? all->dump(1) : "no answer") << "\n"
        << shards[i]->log_tail();
    for (int k = 0; k < kAccounts / kShards; ++k) {
      const int n = kFirst + i * (kAccounts / kShards) + k;
      EXPECT_EQ((*all)[k]["name"], "Phone " + std::to_string(n)) << "shard " << i;
      EXPECT_EQ((*all)[k]["index"], k + 1) << "indices count within the shard";
      EXPECT_TRUE(names.insert((*all)[k]["name"].get<std::string>()).second)
          << (*all)[k]["name"] << " in two shards";
    }
    EXPECT_NE(shards[i]->metrics().find("sipline_shard_info{index=\"" + std::to_string(i) +
                                        "\",count=\"3\"} 1"),
              std::string::npos);
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kAccounts));

  // Kamailio's location table holds exactly the 30, each at the port the fleet gave it.
  std::set<std::string> want, have;
  for (int k = 0; k < kAccounts; ++k) {
    want.insert(expected_contact(Transport::kUdp, std::to_string(kFirst + k), base + 2 * k));
  }
  for (const auto& b : kam.ul_dump()) have.insert(b.contact);
  EXPECT_EQ(have, want);

  // SIGHUP reads the file again and takes the same slice: nothing changes.
  shards[1]->reload({});
  EXPECT_TRUE(eventually(
      [&] {
        return shards[1]->log_tail(20).find(
                   "SIGHUP: reload: 10 unchanged, 0 changed, 0 added, "
                   "0 removed") != std::string::npos;
      },
      5s))
      << shards[1]->log_tail();
  auto after = shards[1]->accounts();
  ASSERT_TRUE(after.has_value());
  ASSERT_EQ(after->size(), 10u);
  EXPECT_EQ((*after)[0]["name"], "Phone 1810");
  EXPECT_EQ((*after)[0]["state"], "registered");

  for (auto& d : shards) EXPECT_EQ(d->terminate(), 0);
}

TEST(DaemonFleet, ShardsFromTheJobsEnvironmentRegisterDisjointSlicesOfTheWhole) {
  three_shards_register_the_whole_fleet(false);
}

TEST(DaemonFleet, ShardsFromTheFlagRegisterDisjointSlicesOfTheWhole) {
  three_shards_register_the_whole_fleet(true);
}

TEST(DaemonFleet, CheckNamesTheTemplateOfABadValue) {
  TempDir tmp;
  const auto cfg = tmp.path() / "bad.toml";
  std::ofstream(cfg) << "[[fleet]]\ncount = 5\nuser_id = \"u{n:5}\"\nsip_server = \"h\"\n";
  auto r = test::run_command({SIPLINE_BINARY, "check", "-c", cfg.string()}, 10s);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  const std::string& out = r.output;
  EXPECT_NE(out.find("bad.toml:3: fleet[1].user_id = \"u{n:5}\""), std::string::npos) << out;
  EXPECT_NE(out.find("unknown field \"{n:5}\""), std::string::npos) << out;
}

}  // namespace
}  // namespace sipline::e2e

namespace sipline::e2e {
namespace {

// Issue 13's "usable at 50,000": a fleet where three accounts have a wrong password. The state
// filter returns exactly them, paging walks the rest, `sipline status` prints the page and the
// counts, and /metrics drops its per-account series when metrics_per_account = false (a reload
// applies it to the next scrape).
TEST(DaemonFleet, StateFilterFindsExactlyTheFailedAccountsAndMetricsAggregate) {
  test::Kamailio kam;
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  constexpr int kCount = 20;
  const std::set<int> wrong = {4, 11, 17};  // positions (1-based) with a bad password line
  const std::uint16_t base = free_port_run(kCount);
  const auto pw_file = tmp.path() / "passwords.txt";
  {
    std::ofstream pw(pw_file);
    for (int k = 1; k <= kCount; ++k) {
      const std::string user = std::to_string(1800 + k - 1);
      pw << (wrong.count(k) ? "wrong-" + user : test::Kamailio::password(user)) << "\n";
    }
  }
  Daemon d(tmp.path());
  d.add_tables(
      "[[fleet]]\ncount = " + std::to_string(kCount) +
      "\nfirst = 1800\nname = \"Phone {n}\"\nuser_id = \"{n}\"\npassword_file = \"" +
      pw_file.string() + "\"\nsip_server = \"" + kam.host() + ":" + std::to_string(kam.udp_port()) +
      "\"\nunregister_before_new_registration = \"no\"\nlocal_sip_port = " + std::to_string(base) +
      "\n");
  d.write_config({});
  ASSERT_TRUE(d.start());

  Json failed;
  ASSERT_TRUE(eventually(
      [&] {
        failed = d.http("GET", "/api/accounts?state=failed").second;
        const Json summary = d.http("GET", "/api/accounts/summary").second;
        return failed.is_array() && failed.size() == wrong.size() && summary.is_object() &&
               summary["states"]["registered"] == kCount - 3;
      },
      20s))
      << failed.dump(1) << "\n"
      << d.log_tail();
  std::set<int> got;
  for (const auto& a : failed) {
    got.insert(a["index"].get<int>());
    EXPECT_EQ(a["failure_class"], "credentials") << a.dump();
  }
  EXPECT_EQ(got, wrong);
  const Json summary = d.http("GET", "/api/accounts/summary").second;
  EXPECT_EQ(summary["total"], kCount);
  EXPECT_EQ(summary["states"]["failed"], 3);

  // Pages of the registered ones: 17 in pages of 5, the last one short, every index once.
  std::set<int> seen;
  for (int offset = 0; offset < kCount; offset += 5) {
    const auto [status, page] = d.http("GET",
                                       "/api/accounts?state=registered,refreshing&limit=5"
                                       "&offset=" +
                                           std::to_string(offset));
    ASSERT_EQ(status, 200);
    for (const auto& a : page) seen.insert(a["index"].get<int>());
    EXPECT_EQ(page.size(), offset + 5 <= kCount - 3 ? 5u : offset < kCount - 3 ? 2u : 0u);
  }
  EXPECT_EQ(seen.size(), kCount - 3u);
  for (int w : wrong) EXPECT_EQ(seen.count(w), 0u);
  const auto [bad_status, bad] = d.http("GET", "/api/accounts?state=broken");
  EXPECT_EQ(bad_status, 400);
  EXPECT_EQ(bad["parameter"], "state");
  EXPECT_EQ(bad["value"], "broken");

  // The CLI: the failed page and the counts.
  auto cli = test::run_command(
      {SIPLINE_BINARY, "status", "--state", "failed", "-c", d.config_path().string()}, 10s);
  EXPECT_EQ(cli.exit_code, 0) << cli.output;
  for (int w : wrong) {
    EXPECT_NE(cli.output.find("Phone " + std::to_string(1800 + w - 1)), std::string::npos)
        << cli.output;
  }
  EXPECT_EQ(cli.output.find("Phone 1800 "), std::string::npos) << cli.output;
  EXPECT_NE(cli.output.find("20 accounts: 17 registered, 3 failed"), std::string::npos)
      << cli.output;
  EXPECT_NE(cli.output.find("shown: 3 of 3 selected (state=failed)"), std::string::npos)
      << cli.output;
  auto counts = test::run_command(
      {SIPLINE_BINARY, "status", "--limit", "0", "-c", d.config_path().string()}, 10s);
  EXPECT_EQ(counts.exit_code, 0) << counts.output;
  EXPECT_EQ(counts.output.find("Phone"), std::string::npos) << counts.output;
  EXPECT_NE(counts.output.find("20 accounts: 17 registered, 3 failed"), std::string::npos);

  // metrics_per_account = "auto" with 20 accounts: series per account, and the totals.
  std::string m = d.metrics();
  EXPECT_NE(m.find("sipline_registrations_total{account=\"1\""), std::string::npos) << m;
  EXPECT_NE(m.find("\nsipline_accounts{state=\"failed\"} 3\n"), std::string::npos) << m;
  // false, applied by a reload: engine-wide series only.
  d.add_daemon_keys("metrics_per_account = false\n");
  d.reload({});
  ASSERT_TRUE(eventually([&] { return d.metrics().find("account=\"") == std::string::npos; }, 5s))
      << d.log_tail();
  m = d.metrics();
  EXPECT_NE(m.find("\nsipline_accounts{state=\"failed\"} 3\n"), std::string::npos) << m;
  EXPECT_NE(m.find("# TYPE sipline_registration_duration_seconds histogram\n"), std::string::npos);
  const auto count_at = m.find("\nsipline_registration_duration_seconds_count ");
  ASSERT_NE(count_at, std::string::npos) << m;
  EXPECT_GE(std::stoi(m.substr(count_at + 45)), kCount - 3) << m;
  const auto fails_at = m.find("\nsipline_registration_failures_total ");
  ASSERT_NE(fails_at, std::string::npos) << m;
  EXPECT_GE(std::stoi(m.substr(fails_at + 37)), 3) << m;
  EXPECT_EQ(d.terminate(), 0);
}

}  // namespace
}  // namespace sipline::e2e
