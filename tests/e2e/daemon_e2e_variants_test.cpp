// The sipline daemon end to end against differently configured Kamailios: MD5 and SHA-256
// digest with nonce-count checking, stale nonces, challenged keep-alives, IPv6, an outbound
// proxy, a redirecting registrar, and the REST API's re-register. Spec:
// /work/shared/spec/account-settings.md.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "e2e_support.hpp"
#include "support/net.hpp"
#include "support/raw_sip.hpp"

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;
using test::Kamailio;
using test::KamailioOptions;

struct Started {
  explicit Started(KamailioOptions o) : kam(std::move(o)) {}
  Kamailio kam;
  TempDir tmp;
};

struct DigestCase {
  const char* name;
  const char* algorithm;
  bool nonce_count;  // Kamailio checks that nc grows for each use of a nonce
};

class DaemonDigest : public ::testing::TestWithParam<DigestCase> {};

// Register, then a refresh with add_auth_header_on_reregister = true (nc 2 on the same nonce),
// accepted without a new challenge, for each digest variant Kamailio offers.
TEST_P(DaemonDigest, RegistersAndRefreshesWithPreemptiveAuthorization) {
  const DigestCase& c = GetParam();
  KamailioOptions o;
  o.algorithm = c.algorithm;
  o.nonce_count = c.nonce_count;
  Started s(o);
  ASSERT_NO_THROW(s.kam.start());
  auto a = account_for(s.kam, Transport::kUdp, "1050");
  a.number("reregister_before_expiration_s", 58).flag("add_auth_header_on_reregister", true);
  Daemon d(s.tmp.path());
  d.write_config({a});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 3s, &status)) << status.dump() << "\n" << s.kam.log_tail(8);
  const std::string contact = status["contact"];
  ASSERT_TRUE(eventually(
      [&] {
        auto b = binding(s.kam, "1050", contact);
        return b && b->cseq >= 3;
      },
      4s, 100ms))
      << s.kam.log_tail(8);
  auto seen = registers_seen(s.kam, "1050");
  ASSERT_GE(seen.size(), 3u);
  for (std::size_t i = 1; i < 3; ++i) {
    ASSERT_TRUE(seen[i].has_auth()) << "CSeq " << seen[i].cseq;
    EXPECT_EQ(test::auth_param(seen[i].authorization, "algorithm"), c.algorithm);
    EXPECT_EQ(test::auth_param(seen[i].authorization, "qop"), "auth");
    EXPECT_EQ(std::stoul(seen[i].nc(), nullptr, 16), i) << seen[i].authorization;
  }
  status = d.account(1);
  EXPECT_EQ(status["state"], "registered");
  EXPECT_EQ(status["registration_failures"], 0) << status.dump();
}

// No qop=auth-int case: Kamailio 5.6 cannot verify one. Its auth_check_response() hands
// calc_response() an H(entity-body) buffer it never fills, so a correct auth-int answer (sipline's
// matches RFC 2617 with H("") for the empty body, checked by hand) gets "auth failed (-2)".
INSTANTIATE_TEST_SUITE_P(Variants, DaemonDigest,
                         ::testing::Values(DigestCase{"md5_nc", "MD5", true},
                                           DigestCase{"sha256", "SHA-256", false},
                                           DigestCase{"sha256_nc", "SHA-256", true}),
                         [](const ::testing::TestParamInfo<DigestCase>& i) {
                           return std::string(i.param.name);
                         });

// nonce_expire = 3 s with refreshes every 2 s carrying the last nonce: Kamailio answers a stale
// one with 401 stale=true, sipline answers again with the new nonce, and that is no failure.
TEST(DaemonStaleNonce, IsAnsweredWithoutCountingAsFailure) {
  KamailioOptions o;
  o.nonce_expire_s = 3;
  Started s(o);
  ASSERT_NO_THROW(s.kam.start());
  auto a = account_for(s.kam, Transport::kUdp, "1051");
  a.number("reregister_before_expiration_s", 58).flag("add_auth_header_on_reregister", true);
  Daemon d(s.tmp.path());
  d.write_config({a});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  const std::string first_nonce = registers_seen(s.kam, "1051").at(1).nonce();
  // A REGISTER answering with a second nonce (nc back to 1) means a stale round happened.
  const bool renewed = eventually(
      [&] {
        for (const auto& r : registers_seen(s.kam, "1051")) {
          if (r.has_auth() && r.nonce() != first_nonce && r.nc() == "00000001") return true;
        }
        return false;
      },
      9s, 200ms);
  ASSERT_TRUE(renewed) << s.kam.log_tail();
  ASSERT_TRUE(d.wait_account(
      1, [](const Json& j) { return j["state"] == "registered" && j["registrations_ok"] >= 4; }, 5s,
      &status))
      << status.dump();
  EXPECT_EQ(status["registration_failures"], 0) << status.dump();
  EXPECT_EQ(status["failure_class"], "") << status.dump();
  EXPECT_NE(s.kam.log_tail(400).find("stale nonce for 1051"), std::string::npos);
}

// OPTIONS answered with 407: any answer means the server is alive; it is not answered with
// credentials and counts no miss.
TEST(DaemonOptions, ChallengedKeepalivesAreAnswersNotMisses) {
  Started s(KamailioOptions{});
  ASSERT_NO_THROW(s.kam.start());
  s.kam.set_switch("options_auth", 1);
  auto a = account_for(s.kam, Transport::kUdp, "1052");
  a.flag("options_keepalive", true).number("options_keepalive_interval_s", 1);
  Daemon d(s.tmp.path());
  d.write_config({a});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  std::this_thread::sleep_for(4500ms);
  status = d.account(1);
  EXPECT_EQ(status["state"], "registered");
  EXPECT_EQ(status["keepalive_misses_total"], 0) << status.dump();
  EXPECT_EQ(status["registrations_ok"], 1) << "re-registered: " << status.dump();
  auto options = options_seen(s.kam, "1052");
  EXPECT_GE(options.size(), 3u);
  EXPECT_LE(options.size(), 6u) << "more than one OPTIONS per interval";
  for (const auto& o : options) EXPECT_EQ(o.authorization, "") << "answered the 407";
}

// Over IPv6 loopback: server [::1], contact with the bracketed address.
TEST(DaemonTransportV6, RegistersOverIpv6Loopback) {
  if (!test::ipv6_available()) GTEST_SKIP() << "no ::1 on this host";
  KamailioOptions o;
  o.ipv6 = true;
  Started s(o);
  ASSERT_NO_THROW(s.kam.start());
  auto a = account_for(s.kam, Transport::kUdp, "1053");
  a.text("sip_server", "[::1]:" + std::to_string(s.kam.udp_port()));
  Daemon d(s.tmp.path());
  d.write_config({a});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  const std::string contact = status["contact"];
  EXPECT_EQ(contact, "sip:1053@[::1]:" + std::to_string(status["local_port"].get<int>()));
  EXPECT_TRUE(binding(s.kam, "1053", contact)) << contact;
  EXPECT_EQ(status["aor"], "sip:1053@[::1]");
  EXPECT_EQ(d.terminate(), 0);
  EXPECT_TRUE(s.kam.bindings_of("1053").empty());
}

// outbound_proxy: every request goes to the proxy (Kamailio), while Request-URI, From and To
// keep the sip_server's name, which need not even resolve.
TEST(DaemonProxy, OutboundProxyGetsTheRequestsWithTheServerNameInTheUris) {
  Started s(KamailioOptions{});
  ASSERT_NO_THROW(s.kam.start());
  auto a = account_for(s.kam, Transport::kUdp, "1055");
  a.text("sip_server", "registrar.invalid");
  a.text("outbound_proxy", "127.0.0.1:" + std::to_string(s.kam.udp_port()));
  a.flag("options_keepalive", true).number("options_keepalive_interval_s", 1);
  Daemon d(s.tmp.path());
  d.write_config({a});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump() << "\n" << s.kam.log_tail(8);
  EXPECT_EQ(status["aor"], "sip:1055@registrar.invalid");
  EXPECT_TRUE(binding(s.kam, "1055", status["contact"]));
  auto seen = registers_seen(s.kam, "1055");
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().request_uri, "sip:registrar.invalid");
  EXPECT_EQ(seen.front().to, "sip:1055@registrar.invalid");
  // Kamailio answers these OPTIONS 403 (not for a domain of its own): any answer is alive.
  const std::string options_line = "OPTIONS sip:registrar.invalid from 127.0.0.1:" +
                                   std::to_string(status["local_port"].get<int>()) + "/udp";
  EXPECT_TRUE(
      eventually([&] { return s.kam.log_tail(200).find(options_line) != std::string::npos; }, 3s))
      << "no OPTIONS keep-alive reached the outbound proxy\n"
      << s.kam.log_tail(10);
  // A second keep-alive went out, so the first one's answer has been handled. (These OPTIONS
  // are not for Kamailio itself, so options_seen() does not list them: count the log lines.)
  auto options_sent = [&] {
    const std::string log = s.kam.log_tail(200);
    std::size_t n = 0;
    for (auto at = log.find(options_line); at != std::string::npos;
         at = log.find(options_line, at + 1)) {
      ++n;
    }
    return n;
  };
  ASSERT_TRUE(eventually([&] { return options_sent() >= 2; }, 3s, 50ms)) << s.kam.log_tail(10);
  EXPECT_EQ(d.account(1)["keepalive_misses_total"], 0);
}

// A registrar that only redirects: every REGISTER gets "302" with Contact <sip:127.0.0.1:PORT>.
class Redirector {
 public:
  explicit Redirector(std::uint16_t to_port)
      : contact_("<sip:127.0.0.1:" + std::to_string(to_port) + ">"), thread_([this] { run(); }) {}
  ~Redirector() {
    stop_ = true;
    thread_.join();
  }
  std::uint16_t port() const { return sock_.local_port(); }
  int redirected() const { return redirected_; }

 private:
  void run() {
    while (!stop_) {
      test::Endpoint from;
      auto msg = sock_.recv(100ms, &from);
      if (!msg || msg->rfind("REGISTER ", 0) != 0) continue;
      std::string reply = "SIP/2.0 302 Moved Temporarily\r\n";
      for (const char* h : {"Via", "From", "To", "Call-ID", "CSeq"}) {
        reply += std::string(h) + ": " + test::header_value(*msg, h).value_or("") + "\r\n";
      }
      reply += "Contact: " + contact_ + "\r\nContent-Length: 0\r\n\r\n";
      sock_.send_to(reply, from.host, from.port);
      ++redirected_;
    }
  }
  test::UdpSocket sock_{"127.0.0.1", 0};
  std::string contact_;
  std::atomic<bool> stop_{false};
  std::atomic<int> redirected_{0};
  std::thread thread_;
};

// A registrar that supports RFC 5626 outbound (Debian's Kamailio has no outbound module): every
// REGISTER gets a 200 with Require: outbound and Flow-Timer: 2, and STUN Binding requests get a
// Binding success while `answering` holds.
class OutboundRegistrar {
 public:
  OutboundRegistrar() : thread_([this] { run(); }) {}
  ~OutboundRegistrar() {
    stop_ = true;
    thread_.join();
  }
  std::uint16_t port() const { return sock_.local_port(); }
  int registers() const { return registers_; }
  int pongs() const { return pongs_; }
  std::atomic<bool> answering{true};

 private:
  void run() {
    while (!stop_) {
      test::Endpoint from;
      auto msg = sock_.recv(100ms, &from);
      if (!msg) continue;
      if (msg->size() >= 20 && (*msg)[0] == 0 && (*msg)[1] == 1) {  // STUN Binding request
        if (!answering) continue;
        std::string reply = *msg;
        reply.resize(20);
        reply[0] = 0x01;
        reply[1] = 0x01;
        reply[2] = reply[3] = 0;  // no attributes
        sock_.send_to(reply, from.host, from.port);
        ++pongs_;
        continue;
      }
      if (msg->rfind("REGISTER ", 0) != 0) continue;
      std::string reply = "SIP/2.0 200 OK\r\n";
      for (const char* h : {"Via", "From", "To", "Call-ID", "CSeq"}) {
        reply += std::string(h) + ": " + test::header_value(*msg, h).value_or("") + "\r\n";
      }
      reply += "Contact: " + test::header_value(*msg, "Contact").value_or("") +
               ";expires=3600\r\nRequire: outbound\r\nFlow-Timer: 2\r\nContent-Length: 0\r\n\r\n";
      sock_.send_to(reply, from.host, from.port);
      ++registers_;
    }
  }
  test::UdpSocket sock_{"127.0.0.1", 0};
  std::atomic<bool> stop_{false};
  std::atomic<int> registers_{0};
  std::atomic<int> pongs_{0};
  std::thread thread_;
};

// RFC 5626 §4.4.2: STUN keep-alives every 1.6-2 s are answered, then no more: 10 s after the
// first unanswered one the flow is failed and the account REGISTERs again at once.
TEST(DaemonOutbound, UnansweredStunKeepAlivesReregister) {
  Started s(KamailioOptions{});
  ASSERT_NO_THROW(s.kam.start());
  OutboundRegistrar registrar;
  auto a = account_for(s.kam, Transport::kUdp, "1057");
  a.text("sip_server", "127.0.0.1:" + std::to_string(registrar.port()));
  a.flag("outbound", true);
  Daemon d(s.tmp.path());
  d.write_config({a});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  EXPECT_EQ(status["outbound"]["keepalive"], "stun") << status.dump();
  ASSERT_TRUE(eventually([&] { return registrar.pongs() >= 2; }, 8s, 50ms));
  const int registers = registrar.registers();
  registrar.answering = false;
  const auto silent_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return registrar.registers() > registers; }, 20s, 50ms))
      << d.account(1).dump();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - silent_at)
                      .count();
  std::printf("STUN pongs stopped -> re-registered after %lld ms\n", static_cast<long long>(ms));
  EXPECT_GE(ms, 9000);  // not before the 10 s pong deadline of the first unanswered ping
  ASSERT_TRUE(eventually([&] { return d.account(1)["outbound"]["flow_failures"] == 1; }, 2s, 50ms))
      << d.account(1).dump();
}

// 3xx: the first Contact is followed once, as the registrar for this attempt.
TEST(DaemonRedirect, FollowsA302ToTheRegistrar) {
  Started s(KamailioOptions{});
  ASSERT_NO_THROW(s.kam.start());
  Redirector redirector(s.kam.udp_port());
  auto a = account_for(s.kam, Transport::kUdp, "1056");
  a.text("sip_server", "127.0.0.1:" + std::to_string(redirector.port()));
  Daemon d(s.tmp.path());
  d.write_config({a});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  EXPECT_TRUE(binding(s.kam, "1056", status["contact"]));
  EXPECT_GE(redirector.redirected(), 1);
  auto seen = registers_seen(s.kam, "1056");
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().request_uri, "sip:127.0.0.1:" + std::to_string(s.kam.udp_port()));
}

// POST /api/accounts/N/register re-registers at once (a new REGISTER on the same Call-ID).
TEST(DaemonApi, PostRegisterReRegistersNow) {
  Started s(KamailioOptions{});
  ASSERT_NO_THROW(s.kam.start());
  Daemon d(s.tmp.path());
  d.write_config({account_for(s.kam, Transport::kTcp, "1054")});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  const auto before = registers_seen(s.kam, "1054").size();
  EXPECT_EQ(d.post("/api/accounts/1/register"), 202);
  EXPECT_TRUE(d.wait_account(
      1, [](const Json& j) { return j["state"] == "registered" && j["registrations_ok"] == 2; }, 3s,
      &status))
      << status.dump();
  auto seen = registers_seen(s.kam, "1054");
  ASSERT_GT(seen.size(), before);
  EXPECT_EQ(seen.back().call_id, seen.front().call_id);
  EXPECT_EQ(d.post("/api/accounts/9/register"), 404);
}

// issue 10 item 9: a UDP registrar that is not there answers with ICMP port unreachable; the
// REGISTER fails at once as a transport failure instead of after timer F (64*T1 = 32 s here).
TEST(DaemonIcmp, DeadUdpRegistrarIsATransportFailureNotATimeout) {
  Started s(KamailioOptions{});
  ASSERT_NO_THROW(s.kam.start());
  auto a = account_for(s.kam, Transport::kUdp, "1057");
  a.text("sip_server", "127.0.0.1:" + std::to_string(test::free_port(test::Protocol::kUdp)));
  Daemon d(s.tmp.path());
  d.write_config({a}, /*t1_ms=*/500);
  ASSERT_TRUE(d.start());
  Json status;
  EXPECT_TRUE(d.wait_account(
      1, [](const Json& j) { return j["registration_failures"].get<int>() >= 1; }, 10s, &status))
      << status.dump() << d.log_tail();
  EXPECT_EQ(status["failure_class"], "transport") << status.dump();
  EXPECT_NE(status["last_error"].get<std::string>().find("unreachable"), std::string::npos)
      << status.dump();
  EXPECT_NE(d.metrics().find("sipline_icmp_unreachable_total{account=\"1\""), std::string::npos);
}

}  // namespace
}  // namespace sipline::e2e
