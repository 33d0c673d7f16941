// Shared-port mode end to end: a [[fleet]] of 200 accounts that pin no port registers at a real
// Kamailio from one UDP socket per family ([daemon] shared_port), and a request to one account's
// Contact reaches that account only; a request for no account is answered 404. Over TCP and TLS
// a fleet registers through one listening port, and a call from one of its accounts to another,
// relayed by Kamailio, rings and is answered by that other account alone.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include "e2e_support.hpp"
#include "support/net.hpp"
#include "support/raw_sip.hpp"

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;

// The local ports of the sockets process `pid` holds in the kernel's tables `tables`
// (/proc/net/udp ...), one entry per socket; `state`: only sockets in that state ("0A" for a
// listening TCP socket), "" for any.
std::multiset<std::uint16_t> ports_of(pid_t pid, std::initializer_list<const char*> tables,
                                      const std::string& state = "") {
  std::set<std::string> inodes;
  for (const auto& fd :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    const std::string target = std::filesystem::read_symlink(fd.path(), ec).string();
    if (!ec && target.starts_with("socket:[")) inodes.insert(target.substr(8, target.size() - 9));
  }
  std::multiset<std::uint16_t> ports;
  for (const char* table : tables) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, st, queues, tr, retr, uid, timeout, inode;
      fields >> slot >> local >> remote >> st >> queues >> tr >> retr >> uid >> timeout >> inode;
      if (!inodes.contains(inode) || (!state.empty() && st != state)) continue;
      ports.insert(
          static_cast<std::uint16_t>(std::stoul(local.substr(local.find(':') + 1), nullptr, 16)));
    }
  }
  return ports;
}

std::multiset<std::uint16_t> udp_ports_of(pid_t pid) {
  return ports_of(pid, {"/proc/net/udp", "/proc/net/udp6"});
}

// Sends `method` to user `user` at 127.0.0.1:`port` from a fresh socket; the first response
// status that is not 100 (0: none within 5 s).
int send_request(std::uint16_t port, const std::string& method, const std::string& user,
                 const std::string& call_id) {
  test::UdpSocket s;
  test::RawRequest r;
  r.method = method;
  r.request_uri = "sip:" + user + "@127.0.0.1:" + std::to_string(port);
  r.user = user;
  r.local_port = s.local_port();
  r.call_id = call_id;
  r.branch = "z9hG4bK-" + call_id;
  std::string text = test::make_request(r);
  if (method == "INVITE") {
    text = test::with_extras(text, "Content-Type: application/sdp\r\n",
                             "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                             "t=0 0\r\nm=audio 40000 RTP/AVP 0\r\n");
  }
  s.send_to(text, "127.0.0.1", port);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto got = s.recv(500ms);
    if (got && test::status_code(*got) > 100) return test::status_code(*got);
  }
  return 0;
}

TEST(DaemonSharedPort, TwoHundredAccountsRegisterFromOneSocket) {
  test::Kamailio kam;
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  constexpr int kAccounts = 200, kFirst = 1300;
  const std::uint16_t shared = test::free_port();
  Daemon d(tmp.path());
  d.add_daemon_keys("shared_port = \"udp:" + std::to_string(shared) + "\"\n");
  d.add_tables("[[fleet]]\ncount = " + std::to_string(kAccounts) +
               "\nfirst = " + std::to_string(kFirst) +
               "\nuser_id = \"{n}\"\npassword = \"pw-{n}\"\nsip_server = \"" + kam.host() + ":" +
               std::to_string(kam.udp_port()) +
               "\"\nunregister_before_new_registration = \"no\"\nregistration_retry_wait_s = 1\n");
  d.write_config({});
  ASSERT_TRUE(d.start());

  ASSERT_TRUE(all_registered(d, kAccounts, 30s));
  const auto all = d.accounts();
  ASSERT_TRUE(all.has_value());
  for (const auto& a : *all) EXPECT_EQ(a["local_port"], shared) << a.dump();

  // Kamailio holds one binding per user, every one at the shared port.
  std::set<std::string> want, have;
  for (int k = 0; k < kAccounts; ++k) {
    want.insert(expected_contact(Transport::kUdp, std::to_string(kFirst + k), shared));
  }
  for (const auto& b : kam.ul_dump()) have.insert(b.contact);
  EXPECT_EQ(have, want);

  // One UDP socket per family, on the shared port (device mode: 200 per family).
  const auto ports = udp_ports_of(d.pid());
  EXPECT_GE(ports.count(shared), 1U);
  EXPECT_LE(ports.count(shared), 2U);
  EXPECT_LE(ports.size(), 3U) << "other UDP sockets than the shared one(s)";

  // An INVITE to one account's Contact rings that account, and no other.
  EXPECT_EQ(send_request(shared, "INVITE", std::to_string(kFirst + 57), "shared-invite"), 180);
  auto [status, calls] = d.http("GET", "/api/calls");
  ASSERT_EQ(status, 200);
  ASSERT_EQ(calls.size(), 1U) << calls.dump();
  EXPECT_EQ(calls[0]["account"], 58) << calls.dump();
  EXPECT_EQ(send_request(shared, "OPTIONS", std::to_string(kFirst + 3), "shared-options"), 200);
  // A user no account has: 404 (RFC 3261 §8.2.2.1), counted, never silently dropped.
  EXPECT_EQ(send_request(shared, "OPTIONS", "1999", "shared-nobody"), 404);
  // /metrics counts both, engine-wide per shared socket, and every REGISTER's answer routed.
  const std::string m = d.metrics();
  EXPECT_NE(m.find("# TYPE sipline_shared_port_requests_total counter\n"), std::string::npos) << m;
  const auto value = [&m](const std::string& family, const std::string& outcome) -> long {
    const std::string series = family + "{transport=\"udp\",outcome=\"" + outcome + "\"} ";
    const auto at = m.find(series);
    return at == std::string::npos ? -1 : std::stol(m.substr(at + series.size()));
  };
  EXPECT_GE(value("sipline_shared_port_requests_total", "routed"), 2) << m;
  EXPECT_EQ(value("sipline_shared_port_requests_total", "404"), 1) << m;
  EXPECT_EQ(value("sipline_shared_port_requests_total", "481"), 0) << m;
  EXPECT_GE(value("sipline_shared_port_responses_total", "routed"), kAccounts) << "a 200 each";
  EXPECT_EQ(d.terminate(), 0);
}

// The local ports of the listening TCP sockets process `pid` holds.
std::multiset<std::uint16_t> tcp_listen_ports_of(pid_t pid) {
  return ports_of(pid, {"/proc/net/tcp", "/proc/net/tcp6"}, "0A");
}

class SharedStreamPort : public ::testing::TestWithParam<Transport> {};

TEST_P(SharedStreamPort, FleetRegistersThroughOnePortAndCallsOneAnother) {
  const Transport t = GetParam();
  const bool tls = t == Transport::kTls;
  test::Kamailio kam;
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  constexpr int kAccounts = 20, kFirst = 1400;
  const std::uint16_t shared = test::free_port(test::Protocol::kUdpTcp);
  Daemon d(tmp.path());
  d.add_daemon_keys("shared_port = \"" + std::string(tls ? "tls:" : "tcp:") +
                    std::to_string(shared) + "\"\n");
  std::string fleet =
      "[[fleet]]\ncount = " + std::to_string(kAccounts) + "\nfirst = " + std::to_string(kFirst) +
      "\nuser_id = \"{n}\"\npassword = \"pw-{n}\"\nsip_server = \"" + kam.host() + ":" +
      std::to_string(tls ? kam.tls_port() : kam.udp_port()) + "\"\ntransport = \"" + to_string(t) +
      "\"\nunregister_before_new_registration = \"no\"\n"
      "registration_retry_wait_s = 1\nauto_answer = true\n";
  if (tls) fleet += "tls_ca_file = \"" + kam.cert_path().string() + "\"\n";
  d.add_tables(fleet);
  d.write_config({});
  ASSERT_TRUE(d.start());
  ASSERT_TRUE(all_registered(d, kAccounts, 30s)) << d.log_tail() << kam.log_tail();

  // Kamailio holds one binding per user, every one naming the shared port.
  std::set<std::string> want, have;
  for (int k = 0; k < kAccounts; ++k) {
    want.insert(expected_contact(t, std::to_string(kFirst + k), shared));
  }
  for (const auto& b : kam.ul_dump()) have.insert(b.contact);
  EXPECT_EQ(have, want);

  // The only SIP listening port is the shared one (one socket per family); the HTTP side's is
  // the other (device mode: 20 listening ports).
  std::multiset<std::uint16_t> listening = tcp_listen_ports_of(d.pid());
  EXPECT_GE(listening.count(shared), 1U);
  EXPECT_LE(listening.count(shared), 2U);
  std::set<std::uint16_t> distinct(listening.begin(), listening.end());
  EXPECT_LE(distinct.size(), 2U) << "listening ports other than the shared one and HTTP's";

  // Account 1 calls account 11's user through Kamailio: account 11 (and no other) answers it.
  const std::string callee = std::to_string(kFirst + 10);
  auto [status, placed] = d.http("POST", "/api/calls", R"({"account":1,"to":")" + callee + R"("})");
  ASSERT_EQ(status, 201) << placed.dump();
  Json calls;
  const bool both = eventually(
      [&] {
        calls = d.http("GET", "/api/calls").second;
        int confirmed = 0;
        for (const auto& c : calls) confirmed += c.value("state", "") == "confirmed" ? 1 : 0;
        return confirmed == 2;
      },
      10s);
  ASSERT_TRUE(both) << calls.dump(2) << d.log_tail() << kam.log_tail();
  std::set<int> accounts;
  for (const auto& c : calls) accounts.insert(c.value("account", 0));
  EXPECT_EQ(accounts, (std::set<int>{1, 11})) << calls.dump(2);
  EXPECT_EQ(d.terminate(), 0);
}

INSTANTIATE_TEST_SUITE_P(Streams, SharedStreamPort,
                         ::testing::Values(Transport::kTcp, Transport::kTls),
                         [](const auto& info) { return to_string(info.param); });

TEST(DaemonSharedPort, CheckNamesABadSharedPort) {
  TempDir tmp;
  const auto cfg = tmp.path() / "bad.toml";
  std::ofstream(cfg) << "[daemon]\nshared_port = \"udp:70000\"\n";
  auto r = test::run_command({SIPLINE_BINARY, "check", "-c", cfg.string()}, 10s);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("bad.toml:2: daemon.shared_port = \"udp:70000\""), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("port must be 1..65535"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sipline::e2e
