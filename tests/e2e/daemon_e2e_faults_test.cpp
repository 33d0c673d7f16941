// The sipline daemon end to end, one scenario each: unregister_before_new_registration across a
// restart, an untrusted TLS certificate, credential failures (no hammering), Retry-After and 423,
// a lease running out under a frozen server, SIGTERM without an answer, hostile input on the
// account's own ports, and `sipline check` on a broken config.
// Spec: /work/shared/spec/account-settings.md, docs/config.md.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "e2e_support.hpp"
#include "support/net.hpp"
#include "support/process.hpp"

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;
using test::Kamailio;

class DaemonScenario : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_THROW(kam_.start()); }
  Kamailio kam_;
  TempDir tmp_;
};

// The value of the first Prometheus sample whose line starts with `prefix` (a metric name and
// the first labels): the digits after the labels' closing "} "; nullopt when there is none.
// (A plain search: std::regex draws a false -Wmaybe-uninitialized from g++ 12 -O3 with ASan.)
std::optional<long long> metric_value(const std::string& text, std::string_view prefix) {
  for (std::size_t at = text.find(prefix); at != std::string::npos;
       at = text.find(prefix, at + 1)) {
    const std::size_t close = text.find('}', at);
    if (close == std::string::npos || text.compare(close, 2, "} ") != 0) continue;
    const std::size_t digits = close + 2;
    const std::size_t end = text.find_first_not_of("0123456789", digits);
    if (end == digits) continue;
    return std::stoll(text.substr(digits, end - digits));
  }
  return std::nullopt;
}

// Whether the file holds `text` (false when it does not exist).
bool file_has(const std::filesystem::path& path, const std::string& text) {
  std::ifstream in(path);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return all.find(text) != std::string::npos;
}

// The second run of the one account `a` after the first was killed: on a new local port, as a
// device that got another address would; true once it registered (status in `status`).
bool restart_on_new_port(Daemon& second, AccountToml& a, Json& status) {
  a.number("local_sip_port", test::free_port(test::Protocol::kUdpTcp));
  second.write_config({a});
  return second.start() && second.wait_registered(1, 5s, &status);
}

// Another device's binding of the same AOR.
std::string foreign_contact(const std::string& user) {
  return "sip:" + user + "@127.0.0.1:5999";
}

// "all": Contact: * with Expires: 0 before the first registration removes the other device's
// binding of the same AOR too.
TEST_F(DaemonScenario, UnregisterAllRemovesForeignBindings) {
  ASSERT_TRUE(raw_register(kam_, "1010", foreign_contact("1010"), 60));
  ASSERT_TRUE(binding(kam_, "1010", foreign_contact("1010")));
  auto a = account_for(kam_, Transport::kUdp, "1010");
  a.text("unregister_before_new_registration", "all");
  Daemon d(tmp_.path());
  d.write_config({a});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  EXPECT_EQ(status["unregister_outcome"], "200 ok") << status.dump();
  auto all = kam_.bindings_of("1010");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].contact, status["contact"]);
  auto seen = registers_seen(kam_, "1010");
  ASSERT_GE(seen.size(), 3u);
  // seen[0..1]: the raw REGISTER and its answer; then sipline's unregister with Contact: *,
  // answered, then the registration on the same Call-ID with CSeq counting up.
  EXPECT_EQ(seen[2].contact, "*");
  for (std::size_t i = 3; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].call_id, seen[2].call_id);
    EXPECT_EQ(seen[i].cseq, seen[i - 1].cseq + 1);
  }
  EXPECT_EQ(seen.back().contact, "<" + status["contact"].get<std::string>() + ">");
}

// "instance": the state_dir remembers the last contact, so a restart on a new port removes the
// stale binding of this instance (and only it: another device's binding stays).
TEST_F(DaemonScenario, UnregisterInstanceRemovesOwnStaleBindingAfterRestartOnNewPort) {
  ASSERT_TRUE(raw_register(kam_, "1011", foreign_contact("1011"), 60));
  auto a = account_for(kam_, Transport::kUdp, "1011");
  a.text("unregister_before_new_registration", "instance");
  Daemon first(tmp_.path(), "first");
  first.write_config({a});
  ASSERT_TRUE(first.start());
  Json status;
  ASSERT_TRUE(first.wait_registered(1, 5s, &status)) << status.dump();
  const std::string old_contact = status["contact"];
  // state_dir gets the contact in one batched flush, 200 ms after the registration at most: a
  // SIGKILL before that would lose it, so the crash comes once it is on disk.
  ASSERT_TRUE(
      eventually([&] { return file_has(first.state_dir() / "contacts", old_contact); }, 3s, 20ms));
  first.kill();
  ASSERT_TRUE(binding(kam_, "1011", old_contact)) << "SIGKILL must leave the binding";

  Daemon second(tmp_.path(), "second");
  ASSERT_TRUE(restart_on_new_port(second, a, status)) << status.dump();
  const std::string new_contact = status["contact"];
  ASSERT_NE(old_contact, new_contact);
  EXPECT_FALSE(binding(kam_, "1011", old_contact)) << "the stale binding of this instance stays";
  EXPECT_TRUE(binding(kam_, "1011", new_contact));
  EXPECT_EQ(status["unregister_outcome"], "200 ok") << status.dump();
  EXPECT_TRUE(binding(kam_, "1011", foreign_contact("1011"))) << "another device's binding went";
  EXPECT_EQ(kam_.bindings_of("1011").size(), 2u);
}

// Issue 12 defect 2: the previous contact belongs to the account's identity, not its position.
// Two accounts, SIGKILL, swapped in the file and on new ports: each removes its own old binding.
TEST_F(DaemonScenario, UnregisterInstanceFollowsIdentityWhenAccountsAreReordered) {
  std::vector<AccountToml> accounts{account_for(kam_, Transport::kUdp, "1015"),
                                    account_for(kam_, Transport::kUdp, "1016")};
  for (auto& a : accounts) a.text("unregister_before_new_registration", "instance");
  Daemon first(tmp_.path(), "first");
  first.write_config(accounts);
  ASSERT_TRUE(first.start());
  Json status;
  std::vector<std::string> old_contacts;
  for (int i = 1; i <= 2; ++i) {
    ASSERT_TRUE(first.wait_registered(i, 5s, &status)) << status.dump();
    old_contacts.push_back(status["contact"]);
  }
  ASSERT_TRUE(eventually(
      [&] {
        return file_has(first.state_dir() / "contacts", old_contacts[0]) &&
               file_has(first.state_dir() / "contacts", old_contacts[1]);
      },
      3s, 20ms));
  first.kill();

  std::swap(accounts[0], accounts[1]);
  for (auto& a : accounts) a.number("local_sip_port", test::free_port(test::Protocol::kUdpTcp));
  Daemon second(tmp_.path(), "second");
  second.write_config(accounts);
  ASSERT_TRUE(second.start());
  for (int i = 1; i <= 2; ++i) {
    ASSERT_TRUE(second.wait_registered(i, 5s, &status)) << status.dump();
    EXPECT_EQ(status["unregister_outcome"], "200 ok") << status.dump();
    const std::string user = i == 1 ? "1016" : "1015";
    const auto bindings = kam_.bindings_of(user);
    ASSERT_EQ(bindings.size(), 1u) << user << ": the old binding stayed";
    EXPECT_EQ(bindings[0].contact, status["contact"].get<std::string>()) << user;
  }
}

// "no": nothing is sent before registering, so the stale binding of the killed run stays.
// outbound = true (RFC 5626): Kamailio keeps our instance and reg-id, gives GRUUs (RFC 5627: we
// sent Supported: gruu with an instance), and a restart on a new port registers the same
// instance (state_dir/instances) while "instance" removes the old binding.
TEST_F(DaemonScenario, OutboundRegistersOneInstanceKeptAcrossRestarts) {
  auto a = account_for(kam_, Transport::kTcp, "1017");
  a.flag("outbound", true);
  a.text("unregister_before_new_registration", "instance");
  Daemon first(tmp_.path(), "first");
  first.write_config({a});
  ASSERT_TRUE(first.start());
  Json status;
  ASSERT_TRUE(first.wait_registered(1, 5s, &status)) << status.dump();
  ASSERT_TRUE(status["outbound"].is_object()) << status.dump();
  const std::string instance = status["outbound"]["instance"];
  ASSERT_TRUE(instance.starts_with("<urn:uuid:") && instance.size() == 47) << instance;
  auto bindings = kam_.bindings_of("1017");
  ASSERT_EQ(bindings.size(), 1u);
  EXPECT_EQ(bindings[0].instance, instance);
  EXPECT_EQ(bindings[0].reg_id, 1);
  EXPECT_NE(bindings[0].contact.find(";ob"), std::string::npos) << bindings[0].contact;
  const std::string uuid = instance.substr(10, 36);
  EXPECT_NE(status["outbound"]["pub_gruu"].get<std::string>().find(";gr=urn:uuid:" + uuid),
            std::string::npos)
      << status.dump();
  EXPECT_NE(status["outbound"]["temp_gruu"], "") << status.dump();
  ASSERT_TRUE(
      eventually([&] { return file_has(first.state_dir() / "instances", uuid); }, 3s, 20ms));
  ASSERT_TRUE(eventually(
      [&] { return file_has(first.state_dir() / "contacts", status["contact"]); }, 3s, 20ms));
  first.kill();

  Daemon second(tmp_.path(), "second");
  ASSERT_TRUE(restart_on_new_port(second, a, status)) << status.dump();
  EXPECT_EQ(status["outbound"]["instance"], instance) << status.dump();
  EXPECT_EQ(status["unregister_outcome"], "200 ok") << status.dump();
  bindings = kam_.bindings_of("1017");
  ASSERT_EQ(bindings.size(), 1u) << "the old binding of this instance stays";
  EXPECT_EQ(bindings[0].instance, instance);
  EXPECT_NE(bindings[0].contact.find(status["contact"].get<std::string>()), std::string::npos);
}

// RFC 5626 §4.4.1 / §4.5: the outbound account's TCP flow killed under it (ss -K aborts the
// socket in the kernel) is noticed at once and the binding re-registered over a new connection:
// Kamailio's location shows another source port.
TEST_F(DaemonScenario, OutboundFlowKilledReregistersOverANewConnection) {
  if (::geteuid() != 0) GTEST_SKIP() << "ss -K needs root";
  auto a = account_for(kam_, Transport::kTcp, "1018");
  a.flag("outbound", true);
  Daemon d(tmp_.path(), "flow");
  d.write_config({a});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  EXPECT_EQ(status["outbound"]["keepalive"], "crlf") << status.dump();
  auto before = kam_.bindings_of("1018");
  ASSERT_EQ(before.size(), 1u);
  const std::string old_received = before[0].received;
  ASSERT_NE(old_received, "");
  const auto killed_at = std::chrono::steady_clock::now();
  auto kill = test::run_command(
      {"ss", "-K", "dst", "127.0.0.1", "dport", "=", ":" + std::to_string(kam_.tcp_port())});
  if (kill.exit_code != 0) GTEST_SKIP() << "ss -K unsupported here: " << kill.output;
  std::string new_received;
  const bool moved = eventually(
      [&] {
        auto now = kam_.bindings_of("1018");
        if (now.size() != 1 || now[0].received == old_received) return false;
        new_received = now[0].received;
        return true;
      },
      5s, 10ms);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - killed_at)
                      .count();
  if (!moved && kill.output.find("ESTAB") == std::string::npos) {
    GTEST_SKIP() << "ss -K killed no socket (kernel without SOCK_DESTROY?): " << kill.output;
  }
  ASSERT_TRUE(moved) << "binding still from " << old_received << "; ss said: " << kill.output;
  RecordProperty("reregistered_ms", static_cast<int>(ms));
  std::printf("flow killed -> re-registered over a new connection in %lld ms (%s -> %s)\n",
              static_cast<long long>(ms), old_received.c_str(), new_received.c_str());
}

TEST_F(DaemonScenario, UnregisterNoLeavesTheOldBinding) {
  auto a = account_for(kam_, Transport::kUdp, "1012");
  a.text("unregister_before_new_registration", "no");
  Daemon first(tmp_.path(), "first");
  first.write_config({a});
  ASSERT_TRUE(first.start());
  Json status;
  ASSERT_TRUE(first.wait_registered(1, 5s, &status)) << status.dump();
  const std::string old_contact = status["contact"];
  first.kill();

  Daemon second(tmp_.path(), "second");
  ASSERT_TRUE(restart_on_new_port(second, a, status)) << status.dump();
  EXPECT_TRUE(binding(kam_, "1012", old_contact));
  EXPECT_TRUE(binding(kam_, "1012", status["contact"]));
  EXPECT_EQ(status["unregister_outcome"], "");
}

// tls_verify (default true) without tls_ca_file: Kamailio's self-signed certificate is not
// trusted, the account fails with class tls_certificate and no binding; with tls_ca_file it
// registers.
TEST_F(DaemonScenario, UntrustedTlsCertificateFailsThenCaFileRegisters) {
  auto a = account_for(kam_, Transport::kTls, "1020");
  a.erase("tls_ca_file");
  Daemon untrusted(tmp_.path(), "untrusted");
  untrusted.write_config({a});
  ASSERT_TRUE(untrusted.start());
  Json status;
  EXPECT_TRUE(untrusted.wait_account(
      1, [](const Json& j) { return j["state"] == "failed"; }, 5s, &status))
      << status.dump();
  EXPECT_EQ(status["failure_class"], "tls_certificate") << status.dump();
  EXPECT_FALSE(status["last_error"].get<std::string>().empty());
  EXPECT_TRUE(kam_.bindings_of("1020").empty());
  EXPECT_EQ(untrusted.terminate(), 0);

  a.text("tls_ca_file", kam_.cert_path().string());
  Daemon trusted(tmp_.path(), "trusted");
  trusted.write_config({a});
  ASSERT_TRUE(trusted.start());
  EXPECT_TRUE(trusted.wait_registered(1, 5s, &status)) << status.dump();
  EXPECT_TRUE(binding(kam_, "1020", status["contact"]));
  EXPECT_EQ(trusted.terminate(), 0);

  // tls_verify = false accepts the same certificate without any CA.
  a.erase("tls_ca_file").flag("tls_verify", false);
  Daemon unverified(tmp_.path(), "unverified");
  unverified.write_config({a});
  ASSERT_TRUE(unverified.start());
  EXPECT_TRUE(unverified.wait_registered(1, 5s, &status)) << status.dump();
}

// A wrong password (the REGISTER and its one answer to the challenge) and a 403: credentials
// failures, then nothing for auth_failure_retry_wait_s (not registration_retry_wait_s = 1).
TEST_F(DaemonScenario, WrongPasswordFailsAsCredentialsWithoutHammering) {
  auto wrong = account_for(kam_, Transport::kUdp, "1030");
  wrong.text("password", "not-the-password");
  wrong.number("auth_failure_retry_wait_s", 120);
  // User "forbidden" gets a 403 (WITH_FORBIDDEN_USER): a credentials failure as well.
  auto forbidden = account_for(kam_, Transport::kUdp, "forbidden");
  forbidden.number("auth_failure_retry_wait_s", 120);
  Daemon d(tmp_.path());
  d.write_config({wrong, forbidden});
  ASSERT_TRUE(d.start());
  Json status;
  for (int index : {1, 2}) {
    ASSERT_TRUE(d.wait_account(
        index, [](const Json& j) { return j["state"] == "failed"; }, 5s, &status))
        << status.dump();
    EXPECT_EQ(status["failure_class"], "credentials") << status.dump();
    EXPECT_EQ(status["last_status_code"], index == 1 ? 401 : 403);
  }
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(registers_seen(kam_, "1030").size(), 2u) << kam_.log_tail();
  EXPECT_EQ(registers_seen(kam_, "forbidden").size(), 1u) << kam_.log_tail();
  for (int index : {1, 2}) {
    status = d.account(index);
    ASSERT_FALSE(status["next_attempt_in_s"].is_null()) << status.dump();
    const auto next = status["next_attempt_in_s"].get<int>();
    EXPECT_GE(next, 110) << status.dump();
    EXPECT_LE(next, 120) << status.dump();
    EXPECT_EQ(status["state"], "failed");
  }
}

// A 503 with Retry-After: 4 waits max(registration_retry_wait_s = 1, 4) s, not 1 s; a 423
// with Min-Expires is retried at once with that expiry, which is then granted.
TEST_F(DaemonScenario, RetryAfterStretchesTheWaitAnd423RaisesTheExpiry) {
  kam_.set_switch("register_code", 503);
  kam_.set_switch("retry_after", 4);
  kam_.set_registrar("min_expires", 120);
  Daemon d(tmp_.path());
  d.write_config({account_for(kam_, Transport::kUdp, "1031")});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_account(
      1, [](const Json& j) { return j["state"] == "failed"; }, 5s, &status))
      << status.dump();
  EXPECT_EQ(status["failure_class"], "server");
  EXPECT_EQ(status["last_status_code"], 503);
  ASSERT_FALSE(status["next_attempt_in_s"].is_null());
  EXPECT_GE(status["next_attempt_in_s"].get<int>(), 3) << status.dump();
  EXPECT_LE(status["next_attempt_in_s"].get<int>(), 5) << status.dump();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(registers_seen(kam_, "1031").size(), 1u) << "retried before Retry-After";

  kam_.set_switch("register_code", 0);
  ASSERT_TRUE(d.wait_registered(1, 6s, &status)) << status.dump();
  EXPECT_EQ(status["granted_expires_s"], 120) << status.dump();
  auto b = binding(kam_, "1031", status["contact"]);
  ASSERT_TRUE(b);
  EXPECT_GT(b->expires_s, 100);
}

// Kamailio grants only 10 s (max_expires); R = 58 >= G, so the refresh is automatic: 5 s before
// expiry, minus up to 10 %. Kamailio frozen: the refresh times out and the account stays
// registered with last_error while the lease lasts; when the lease runs out it is failed (never
// shown registered past it); after the thaw it registers again.
TEST_F(DaemonScenario, LeaseRunsOutWhileTheServerIsFrozen) {
  kam_.set_registrar("max_expires", 10);
  auto a = account_for(kam_, Transport::kUdp, "1034").number("reregister_before_expiration_s", 58);
  a.number("registration_retry_wait_s", 2);
  Daemon d(tmp_.path());
  d.write_config({a}, /*t1_ms=*/50);
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  const auto registered_at = Clock::now();
  EXPECT_EQ(status["granted_expires_s"], 10) << status.dump();
  EXPECT_GE(status["next_refresh_in_s"].get<int>(), 4) << status.dump();
  EXPECT_LE(status["next_refresh_in_s"].get<int>(), 5) << status.dump();

  kam_.freeze();
  bool error_while_leased = false;
  bool registered_past_lease = false;
  const bool lost = d.wait_account(
      1,
      [&](const Json& j) {
        const auto elapsed = Clock::now() - registered_at;
        const bool held = j["state"] == "registered" || j["state"] == "refreshing";
        if (held && !j["last_error"].get<std::string>().empty()) error_while_leased = true;
        if (held && elapsed > 10300ms) registered_past_lease = true;
        // Failed at the lease's end; the next attempt may already be running (registering).
        return !held;
      },
      14s, &status);
  const auto lost_after = Clock::now() - registered_at;
  kam_.thaw();
  ASSERT_TRUE(lost) << status.dump() << "\n" << d.log_tail();
  EXPECT_TRUE(error_while_leased) << "the timed-out refresh never showed while the lease lasted";
  EXPECT_FALSE(registered_past_lease);
  EXPECT_GT(lost_after, 9s);
  EXPECT_LT(lost_after, 11s);
  EXPECT_TRUE(status["state"] == "failed" || status["state"] == "registering") << status.dump();
  EXPECT_EQ(status["granted_expires_s"], 0) << status.dump();

  EXPECT_TRUE(d.wait_registered(1, 6s, &status)) << status.dump();
  EXPECT_TRUE(binding(kam_, "1034", status["contact"]));
}

// SIGTERM while the registrar does not answer: the unregistration cannot finish, the daemon
// still exits 0 within its stop deadline (5 s) instead of hanging.
TEST_F(DaemonScenario, SigtermWithAFrozenServerStillExitsInTime) {
  Daemon d(tmp_.path());
  d.write_config({account_for(kam_, Transport::kUdp, "1032")}, /*t1_ms=*/500);
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  kam_.freeze();
  const auto t0 = Clock::now();
  const int code = d.terminate(10s);
  const auto took = Clock::now() - t0;
  kam_.thaw();
  EXPECT_EQ(code, 0) << d.log_tail();
  EXPECT_LT(took, 8s);
}

// Garbage on the account's own sockets: the daemon drops it, counts it and stays registered.
TEST_F(DaemonScenario, HostileInputIsDroppedAndAccountsStayRegistered) {
  auto udp =
      account_for(kam_, Transport::kUdp, "1040").number("reregister_before_expiration_s", 58);
  auto tcp =
      account_for(kam_, Transport::kTcp, "1041").number("reregister_before_expiration_s", 58);
  Daemon d(tmp_.path());
  d.write_config({udp, tcp});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  const auto udp_port = status["local_port"].get<std::uint16_t>();
  ASSERT_TRUE(d.wait_registered(2, 5s, &status)) << status.dump();
  const auto tcp_port = status["local_port"].get<std::uint16_t>();

  const std::vector<std::string> datagrams = {
      std::string("\x00\x01\x02\xff garbage", 13),
      "INVITE\r\n\r\n",
      "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",  // a response missing Via, CSeq, Call-ID ...
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-x\r\nCSeq: x\r\n\r\n",
      "OPTIONS sip:x SIP/2.0\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "REGISTER sip:x SIP/2.0\r\nVia: nonsense\r\nFrom: <\r\nTo: >\r\nCall-ID:\r\nCSeq: -1 REGISTER"
      "\r\n\r\n",
      std::string(65000, 'A'),
  };
  test::UdpSocket sock("127.0.0.1", 0);
  for (int round = 0; round < 20; ++round) {
    for (const auto& dg : datagrams) sock.send_to(dg, "127.0.0.1", udp_port);
  }
  {
    auto conn = test::TcpSocket::connect("127.0.0.1", tcp_port);
    conn.send("REGISTER sip:x SIP/2.0\r\nContent-Length: 500\r\n\r\nshort body");  // truncated
    conn.close();
  }
  {
    auto conn = test::TcpSocket::connect("127.0.0.1", tcp_port);
    conn.send("\r\n\r\nHELLO WORLD\r\nContent-Length: -5\r\n\r\n" + std::string(70000, 'B'));
    (void)conn.recv_some(500ms);
  }
  {
    auto conn = test::TcpSocket::connect("127.0.0.1", tcp_port);
    conn.send("SIP/2.0 180 Ringing\r\nContent-Length: 0\r\n\r\n");
    (void)conn.recv_some(200ms);
  }

  ASSERT_TRUE(d.running()) << d.log_tail();
  for (int index : {1, 2}) {
    Json before = d.account(index);
    ASSERT_FALSE(before.is_null()) << "the API stopped answering";
    // Still bound: registered, or refreshing (a refresh every 2 s may be under way right now).
    EXPECT_TRUE(before["state"] == "registered" || before["state"] == "refreshing")
        << before.dump();
    // Still working: the next refresh (every 2 s) succeeds.
    EXPECT_TRUE(d.wait_account(
        index,
        [&](const Json& j) {
          return j["state"] == "registered" &&
                 j["registrations_ok"].get<int>() > before["registrations_ok"].get<int>();
        },
        5s, &status))
        << status.dump();
  }
  const std::string metrics = d.metrics();
  const auto malformed = metric_value(metrics, "sipline_malformed_messages_total{account=\"1\"");
  ASSERT_TRUE(malformed.has_value()) << metrics;
  EXPECT_GT(*malformed, 0) << metrics;
  EXPECT_TRUE(d.running());
}

// Idle TCP connections opened by anyone to a tcp account's listening port must not keep the
// account from re-connecting to its registrar after the connection broke (Kamailio restart).
TEST_F(DaemonScenario, IdleInboundConnectionsDoNotBlockReRegistration) {
  auto a = account_for(kam_, Transport::kTcp, "1042");
  Daemon d(tmp_.path());
  d.write_config({a});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  const auto port = status["local_port"].get<std::uint16_t>();
  const std::string contact = status["contact"];
  std::vector<test::TcpSocket> idle;
  for (int i = 0; i < 300; ++i) {
    try {
      idle.push_back(test::TcpSocket::connect("127.0.0.1", port, 1000ms));
    } catch (const std::exception&) {
      break;  // the listener stopped accepting: enough
    }
  }
  std::this_thread::sleep_for(300ms);  // let the daemon accept them
  ASSERT_NO_THROW(kam_.restart());
  // The peer keeps taking any connection slot that frees up.
  const bool back = eventually(
      [&] {
        for (int i = 0; i < 5; ++i) {
          try {
            idle.push_back(test::TcpSocket::connect("127.0.0.1", port, 200ms));
          } catch (const std::exception&) {
          }
        }
        return binding(kam_, "1042", contact).has_value();
      },
      8s, 50ms);
  EXPECT_TRUE(back) << "not registered again while " << idle.size()
                    << " idle inbound connections are open\n"
                    << d.log_tail(15);
}

// `sipline check -c` on a config full of errors: exit 2, one line per problem with file:line,
// key, value and the allowed range or values.
TEST(DaemonCheck, ListsEveryErrorAndExitsTwo) {
  TempDir tmp;
  const auto path = tmp.path() / "broken.toml";
  std::ofstream(path) << "[daemon]\n"                                       // 1
                      << "log_level = \"loud\"\n"                           // 2
                      << "[timers]\n"                                       // 3
                      << "t1_ms = 0\n"                                      // 4
                      << "[[account]]\n"                                    // 5
                      << "sip_server = \"127.0.0.1:70000\"\n"               // 6
                      << "user_id = \"1000\"\n"                             // 7
                      << "register_expiration_min = 0\n"                    // 8
                      << "registration_retry_wait_s = 3601\n"               // 9
                      << "options_keepalive_max_tries = 2\n"                // 10
                      << "transport = \"sctp\"\n"                           // 11
                      << "unregister_before_new_registration = \"some\"\n"  // 12
                      << "registration_retry_wait = 20\n"                   // 13
                      << "[[account]]\n"                                    // 14
                      << "user_id = \"1001\"\n";                            // 15
  auto r = test::run_command({SIPLINE_BINARY, "check", "-c", path.string()}, 10s);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  const std::string f = path.string();
  const std::vector<std::string> expected = {
      f + ":2: daemon.log_level = \"loud\": must be one of",
      f + ":4: timers.t1_ms = 0: out of range 1..60000",
      f + ":6: account[1].sip_server = \"127.0.0.1:70000\":",
      f + ":8: account[1].register_expiration_min = 0: out of range 1..64800",
      f + ":9: account[1].registration_retry_wait_s = 3601: out of range 1..3600",
      f + ":10: account[1].options_keepalive_max_tries = 2: out of range 3..10",
      f + ":11: account[1].transport = \"sctp\": must be one of \"udp\", \"tcp\", \"tls\", "
          "\"auto\"",
      f + ":12: account[1].unregister_before_new_registration = \"some\": must be one of",
      f + ":13: account[1].registration_retry_wait: unknown key \"registration_retry_wait\" (did "
          "you mean",
      f + ":14: account[2].sip_server: required key missing",
  };
  for (const auto& line : expected) {
    EXPECT_NE(r.output.find(line), std::string::npos) << "missing: " << line << "\n" << r.output;
  }
  EXPECT_NE(r.output.find("invalid, 10 errors"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sipline::e2e
