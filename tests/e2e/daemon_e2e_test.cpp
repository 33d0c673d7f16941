// The sipline daemon end to end, the same test for every transport (udp, tcp, tls, tls + sips):
// `sipline run` registers against the project's Kamailio, refreshes with or without an
// Authorization exactly as add_auth_header_on_reregister says (checked on the wire through
// Kamailio's log), keeps registered through a frozen and a restarted server, and unregisters on
// SIGTERM. Spec: /work/shared/spec/account-settings.md ("Registration lifecycle", "OPTIONS
// keep-alive", "Transport, local port, URI scheme").
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "e2e_support.hpp"

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;
using test::Kamailio;

class DaemonTransport : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override { ASSERT_NO_THROW(kam_.start()); }

  Transport transport() const { return GetParam(); }
  // An account of `user` over this test's transport (see account_for).
  AccountToml account(const std::string& user) const {
    return account_for(kam_, transport(), user);
  }

  Kamailio kam_;
  TempDir tmp_;
};

std::string param_name(const ::testing::TestParamInfo<Transport>& info) {
  return to_string(info.param);
}

// The REGISTER of `user` with this CSeq as Kamailio saw it.
std::optional<SeenRegister> seen_with_cseq(const Kamailio& kam, const std::string& user,
                                           std::uint32_t cseq) {
  for (auto& r : registers_seen(kam, user)) {
    if (r.cseq == cseq) return r;
  }
  return std::nullopt;
}

// The Request-URI and To of a REGISTER: sips: for tls_uri_scheme = "sips", sip: with
// ;transport=tls for "sip" over TLS, plain sip: otherwise.
void expect_wire_uris(const SeenRegister& r, Transport t, std::uint16_t server_port) {
  const std::string scheme = t == Transport::kTlsSips ? "sips:" : "sip:";
  const bool tls_param = t == Transport::kTls;
  EXPECT_EQ(r.request_uri.rfind(scheme + "127.0.0.1:" + std::to_string(server_port), 0), 0u)
      << r.request_uri;
  EXPECT_EQ(r.request_uri.find(";transport=tls") != std::string::npos, tls_param) << r.request_uri;
  EXPECT_EQ(r.to.rfind(scheme + r.user + "@127.0.0.1", 0), 0u) << r.to;
  EXPECT_EQ(r.to.find(";transport=tls") != std::string::npos, tls_param) << r.to;
}

// Register with digest; the binding holds our contact; with G = 60 s and R = 58 s the refresh
// comes 2 s after each 2xx. Account 1 (add_auth_header_on_reregister = false) sends its refreshes
// bare and answers Kamailio's challenge; account 2 (true) sends each refresh with an
// Authorization for the last nonce, nc counting up, and is not challenged.
TEST_P(DaemonTransport, RegistersAndRefreshesWithAuthorizationExactlyAsConfigured) {
  auto bare = account("1000").number("reregister_before_expiration_s", 58);
  bare.flag("add_auth_header_on_reregister", false);
  auto eager = account("1001").number("reregister_before_expiration_s", 58);
  eager.flag("add_auth_header_on_reregister", true);
  Daemon d(tmp_.path());
  d.write_config({bare, eager});
  ASSERT_TRUE(d.start());

  const std::vector<std::pair<int, std::string>> accounts = {{1, "1000"}, {2, "1001"}};
  std::map<std::string, std::string> contacts;
  std::map<std::string, std::uint16_t> ports;
  for (const auto& [index, user] : accounts) {
    Json a;
    ASSERT_TRUE(d.wait_registered(index, 5s, &a)) << a.dump();
    const auto port = a["local_port"].get<std::uint16_t>();
    EXPECT_EQ(a["contact"], expected_contact(transport(), user, port)) << a.dump();
    EXPECT_EQ(a["transport"], transport() == Transport::kUdp   ? "udp"
                              : transport() == Transport::kTcp ? "tcp"
                                                               : "tls");
    EXPECT_EQ(a["granted_expires_s"], 60);
    EXPECT_LE(a["next_refresh_in_s"].get<int>(), 2) << a.dump();
    EXPECT_EQ(a["last_status_code"], 200);
    contacts[user] = a["contact"].get<std::string>();
    ports[user] = port;
    auto b = binding(kam_, user, contacts[user]);
    ASSERT_TRUE(b) << "no binding of " << contacts[user] << " at Kamailio";
    EXPECT_GT(b->expires_s, 50);
  }

  // The first refresh of account 2 comes G - R = 2 s after its 2xx (never before).
  const auto registered_at = Clock::now();
  ASSERT_TRUE(eventually(
      [&] {
        auto b = binding(kam_, "1001", contacts["1001"]);
        return b && b->cseq >= 3;
      },
      5s, 50ms));
  const auto refresh_after = Clock::now() - registered_at;
  EXPECT_GT(refresh_after, 1500ms);
  EXPECT_LT(refresh_after, 3500ms);

  // Two refreshes each: bare ends at CSeq 6 (3/4 and 5/6 are challenge rounds), eager at 4.
  const bool refreshed = eventually(
      [&] {
        auto b1 = binding(kam_, "1000", contacts["1000"]);
        auto b2 = binding(kam_, "1001", contacts["1001"]);
        return b1 && b1->cseq >= 6 && b2 && b2->cseq >= 4;
      },
      9s, 200ms);
  ASSERT_TRUE(refreshed) << kam_.log_tail();
  auto b1 = binding(kam_, "1000", contacts["1000"]);
  ASSERT_TRUE(b1);
  EXPECT_GT(b1->expires_s, 55) << "the refresh resets the lease";

  // Account 1, add_auth_header_on_reregister = false: each refresh goes out bare, then answers.
  for (std::uint32_t cseq : {1u, 3u, 5u}) {
    auto r = seen_with_cseq(kam_, "1000", cseq);
    ASSERT_TRUE(r) << "no REGISTER with CSeq " << cseq;
    EXPECT_FALSE(r->has_auth()) << "CSeq " << cseq << ": " << r->authorization;
    auto answer = seen_with_cseq(kam_, "1000", cseq + 1);
    ASSERT_TRUE(answer);
    EXPECT_TRUE(answer->has_auth()) << "CSeq " << cseq + 1;
    EXPECT_EQ(answer->nc(), "00000001");
    EXPECT_EQ(answer->call_id, r->call_id) << "a refresh keeps the Call-ID";
  }

  // Account 2, true: only the first REGISTER is bare; refreshes reuse the nonce, nc + 1 each.
  auto first = seen_with_cseq(kam_, "1001", 1);
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->has_auth());
  std::string nonce;
  for (std::uint32_t cseq : {2u, 3u, 4u}) {
    auto r = seen_with_cseq(kam_, "1001", cseq);
    ASSERT_TRUE(r) << "no REGISTER with CSeq " << cseq;
    ASSERT_TRUE(r->has_auth()) << "CSeq " << cseq << " without Authorization";
    EXPECT_EQ(std::stoul(r->nc(), nullptr, 16), cseq - 1) << r->authorization;
    if (nonce.empty()) nonce = r->nonce();
    EXPECT_EQ(r->nonce(), nonce) << "the refresh answers the last challenge";
    EXPECT_EQ(r->call_id, first->call_id);
  }
  for (const auto& r : registers_seen(kam_, "1001")) {
    EXPECT_TRUE(r.cseq == 1 || r.has_auth()) << "bare REGISTER with CSeq " << r.cseq;
  }
  const bool tls = transport() == Transport::kTls || transport() == Transport::kTlsSips;
  for (const auto& r : registers_seen(kam_)) {
    expect_wire_uris(r, transport(), tls ? kam_.tls_port() : kam_.udp_port());
  }
  // One socket per account: UDP from local_sip_port itself, TCP/TLS over one persistent
  // connection (the same source for every REGISTER).
  const std::string proto = tls ? "/tls" : "/" + to_string(transport());
  for (const auto& [index, user] : accounts) {
    auto seen = registers_seen(kam_, user);
    ASSERT_FALSE(seen.empty());
    for (const auto& r : seen) EXPECT_EQ(r.source, seen.front().source) << "CSeq " << r.cseq;
    EXPECT_TRUE(seen.front().source.ends_with(proto)) << seen.front().source;
    if (transport() == Transport::kUdp) {
      EXPECT_EQ(seen.front().source, "127.0.0.1:" + std::to_string(ports[user]) + "/udp");
    }
  }
}

// Kamailio restarted on the same ports forgets every binding: sipline registers again. UDP
// notices through its short refresh; TCP/TLS through the lost connection (the automatic refresh
// is ~30 s away, so only the connection loss can explain a quick re-registration).
TEST_P(DaemonTransport, RegistersAgainAfterKamailioRestart) {
  auto a = account("1002");
  if (transport() == Transport::kUdp) a.number("reregister_before_expiration_s", 58);
  Daemon d(tmp_.path());
  d.write_config({a});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  const std::string contact = status["contact"];
  ASSERT_TRUE(binding(kam_, "1002", contact));
  const auto ok_before = status["registrations_ok"].get<int>();

  ASSERT_NO_THROW(kam_.restart());
  const bool back =
      eventually([&] { return binding(kam_, "1002", contact).has_value(); }, 10s, 200ms);
  EXPECT_TRUE(back) << "no binding in the restarted Kamailio\n" << kam_.log_tail();
  EXPECT_TRUE(d.wait_account(
      1,
      [&](const Json& j) {
        return j["state"] == "registered" && j["registrations_ok"].get<int>() > ok_before;
      },
      5s, &status))
      << status.dump();
}

// SIGTERM: every binding is removed (REGISTER with our Contact, expires=0), exit code 0, quickly.
TEST_P(DaemonTransport, SigtermUnregistersAndExitsZero) {
  Daemon d(tmp_.path());
  d.write_config({account("1003"), account("1004")});
  ASSERT_TRUE(d.start());
  for (int index : {1, 2}) {
    Json a;
    ASSERT_TRUE(d.wait_registered(index, 5s, &a)) << a.dump();
  }
  ASSERT_EQ(kam_.bindings_of("1003").size(), 1u);
  ASSERT_EQ(kam_.bindings_of("1004").size(), 1u);
  const std::string metrics = d.metrics();
  for (const char* account : {"1", "2"}) {
    const std::string labels = std::string("{account=\"") + account + "\",";
    EXPECT_NE(metrics.find("sipline_account_registered" + labels), std::string::npos) << metrics;
    auto at = metrics.find("sipline_account_registered" + labels);
    if (at != std::string::npos) {
      const auto eol = metrics.find('\n', at);
      EXPECT_EQ(metrics.substr(eol - 2, 2), " 1") << metrics.substr(at, eol - at);
    }
  }
  // Both attempts ended: nothing holds a place of the engine's registration gate.
  EXPECT_NE(metrics.find("\nsipline_registrations_in_flight 0\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nsipline_registrations_in_flight_limit 64\n"), std::string::npos);

  const auto t0 = Clock::now();
  EXPECT_EQ(d.terminate(8s), 0) << d.log_tail();
  EXPECT_LT(Clock::now() - t0, 3s);
  EXPECT_TRUE(kam_.bindings_of("1003").empty());
  EXPECT_TRUE(kam_.bindings_of("1004").empty());
  auto seen = registers_seen(kam_, "1003");
  ASSERT_FALSE(seen.empty());
  EXPECT_NE(seen.back().contact.find("expires=0"), std::string::npos) << seen.back().contact;
}

// OPTIONS keep-alive every second, 3 tries: a frozen Kamailio makes the misses count up, then
// sipline re-registers (the attempt times out: last_error set, the lease keeps the state); once
// Kamailio thaws, the next attempt (registration_retry_wait_s = 3) registers again.
// tls_sips only changes the URIs: the keep-alive runs over udp, tcp and tls.
class DaemonKeepalive : public DaemonTransport {};

TEST_P(DaemonKeepalive, MissesReRegisterAndRecoverAfterThaw) {
  auto a = account("1005");
  a.flag("options_keepalive", true);
  a.number("options_keepalive_interval_s", 1);
  a.number("options_keepalive_max_tries", 3);
  a.number("registration_retry_wait_s", 3);
  Daemon d(tmp_.path());
  d.write_config({a}, /*t1_ms=*/25);  // a REGISTER times out after 64 * T1 = 1.6 s
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  // A keep-alive went out (and Kamailio answered it: no miss counted).
  ASSERT_TRUE(eventually([&] { return !options_seen(kam_, "1005").empty(); }, 3s, 50ms))
      << d.log_tail();
  status = d.account(1);
  EXPECT_EQ(status["keepalive_misses"], 0) << status.dump();
  const auto ok_before = status["registrations_ok"].get<int>();
  const auto failures_before = status["registration_failures"].get<int>();

  kam_.freeze();
  int max_misses = 0;
  const bool attempted = d.wait_account(
      1,
      [&](const Json& j) {
        max_misses = std::max(max_misses, j["keepalive_misses"].get<int>());
        return j["registration_failures"].get<int>() > failures_before &&
               !j["last_error"].get<std::string>().empty();
      },
      12s, &status);
  const Json frozen = status;
  kam_.thaw();
  ASSERT_TRUE(attempted) << status.dump() << "\n" << d.log_tail();
  EXPECT_GE(max_misses, 1) << "keepalive_misses never rose";
  EXPECT_GE(frozen["keepalive_misses_total"].get<int>(), 3) << frozen.dump();
  // The lease (60 s) still runs: the account stays registered and shows the error.
  EXPECT_EQ(frozen["state"], "registered") << frozen.dump();
  EXPECT_FALSE(frozen["next_attempt_in_s"].is_null()) << frozen.dump();

  EXPECT_TRUE(d.wait_account(
      1,
      [&](const Json& j) {
        return j["state"] == "registered" && j["registrations_ok"].get<int>() > ok_before &&
               j["last_error"] == "";
      },
      6s, &status))
      << "not registered again within registration_retry_wait_s after the thaw: " << status.dump()
      << "\n"
      << d.log_tail();
  EXPECT_TRUE(binding(kam_, "1005", status["contact"]));
}

INSTANTIATE_TEST_SUITE_P(Transports, DaemonTransport,
                         ::testing::Values(Transport::kUdp, Transport::kTcp, Transport::kTls,
                                           Transport::kTlsSips),
                         param_name);
INSTANTIATE_TEST_SUITE_P(Transports, DaemonKeepalive,
                         ::testing::Values(Transport::kUdp, Transport::kTcp, Transport::kTls),
                         param_name);

}  // namespace
}  // namespace sipline::e2e
