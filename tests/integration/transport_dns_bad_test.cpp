// Bad DNS answers (issue 11 item 5) against the c-ares resolver: the ones a real server gives
// on demand come from dnsmasq (NXDOMAIN, an empty SRV answer, a target "."); the others from a
// scripted server (tests/support/scripted_dns.hpp): SERVFAIL, REFUSED, the TC bit, an unparsable
// message, silence. Each ends in one clear error naming the question, within the resolver's
// timeouts, and a failure is never cached: the next attempt asks again.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/dns_server.hpp"
#include "support/scripted_dns.hpp"
#include "transport/dns.hpp"
#include "transport_support.hpp"

namespace sipline::transport::test {
namespace {

using namespace std::chrono_literals;
using sipline::test::ScriptedDns;
using Got = std::optional<base::Result<std::vector<Target>, std::string>>;
using Kind = ScriptedDns::Kind;

// SRV _sip._udp.bad.test by `srv`; every address question answered by `addresses`.
ScriptedDns::Rule rule(ScriptedDns::Reply srv, ScriptedDns::Reply addresses) {
  return [srv, addresses](const ScriptedDns::Question& q) {
    return q.type == "SRV" ? srv : addresses;
  };
}

const ScriptedDns::Reply kGoodSrv{Kind::kAnswer,
                                  {ScriptedDns::srv(10, 10, 5070, "registrar.bad.test")}};
const ScriptedDns::Reply kGoodAddress{Kind::kAnswer, {ScriptedDns::address("127.0.0.9")}};

class BadDns : public ::testing::Test {
 protected:
  // A resolver pointed at `server` ("127.0.0.1:PORT"), short timeouts: 300 + 600 ms at most.
  void start(const std::string& server) {
    DnsOptions o;
    o.servers = {server};
    o.timeout_ms = 300;
    auto made = DnsResolver::create(io_, o);
    ASSERT_TRUE(made.ok()) << made.error();
    resolver_ = std::move(*made);
  }
  Got resolve(const std::string& host) {
    Got got;
    resolver_->resolve_targets(host, Protocol::kUdp, Family::kV4, random_,
                               [&](auto r) { got = std::move(r); });
    EXPECT_TRUE(run_until(
        io_, [&] { return got.has_value(); }, 10000ms))
        << "no answer from the resolver: stuck";
    return got;
  }
  // The look-up fails with an error containing each of `parts`; a second one asks the server
  // again (failures are not cached).
  void expect_failure(ScriptedDns& dns, const std::vector<std::string>& parts,
                      const std::string& type = "SRV",
                      const std::string& name = "_sip._udp.bad.test") {
    auto got = resolve("bad.test");
    ASSERT_TRUE(got.has_value());
    ASSERT_FALSE(got->ok()) << "resolved to " << to_string(got->value().front().remote);
    for (const auto& p : parts) EXPECT_NE(got->error().find(p), std::string::npos) << got->error();
    const int asked = dns.queries(type, name);
    EXPECT_GE(asked, 1);
    auto again = resolve("bad.test");
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(again->ok());
    EXPECT_GT(dns.queries(type, name), asked) << "a failure was served from the cache";
  }

  asio::io_context io_;
  base::SeededRandom random_{5};
  std::unique_ptr<DnsResolver> resolver_;
};

// SERVFAIL to the SRV question is a failure, not "no SRV records": the name's own A record is
// not used in its place (RFC 3263 §4.2 falls back to A only when no SRV records were found).
TEST_F(BadDns, ServfailIsAnErrorWithoutGuessingTheNamesAddress) {
  ScriptedDns dns(rule({Kind::kServfail}, kGoodAddress));
  start(dns.address());
  expect_failure(dns, {"SRV _sip._udp.bad.test", "no usable answer from any DNS server"});
  EXPECT_EQ(dns.queries("A", "bad.test"), 0);
}

// transport = "auto": a NAPTR question that fails is an error naming it, not a silent UDP.
TEST_F(BadDns, NaptrServfailFailsTheTransportChoice) {
  ScriptedDns dns(rule({Kind::kServfail}, {Kind::kServfail}));
  start(dns.address());
  std::optional<base::Result<TransportOffer, std::string>> got;
  resolver_->select_transport("bad.test", false, [&](auto r) { got = std::move(r); });
  ASSERT_TRUE(run_until(
      io_, [&] { return got.has_value(); }, 10000ms))
      << "no answer from the resolver: stuck";
  ASSERT_FALSE(got->ok());
  EXPECT_NE(got->error().find("NAPTR bad.test"), std::string::npos) << got->error();
  EXPECT_GE(dns.queries("NAPTR", "bad.test"), 1);
}

TEST_F(BadDns, RefusedIsAnError) {
  ScriptedDns dns(rule({Kind::kRefused}, kGoodAddress));
  start(dns.address());
  expect_failure(dns, {"SRV _sip._udp.bad.test", "no usable answer from any DNS server"});
}

// With two DNS servers, one answering SERVFAIL: the question goes on to the other, whose
// answer is used (as resolv.conf's servers are used).
TEST_F(BadDns, ServfailFromOneServerIsAskedOfTheNext) {
  ScriptedDns broken(rule({Kind::kServfail}, {Kind::kServfail}));
  ScriptedDns good(rule(kGoodSrv, kGoodAddress));
  DnsOptions o;
  o.servers = {broken.address(), good.address()};
  o.timeout_ms = 300;
  auto made = DnsResolver::create(io_, o);
  ASSERT_TRUE(made.ok()) << made.error();
  resolver_ = std::move(*made);
  auto got = resolve("bad.test");
  ASSERT_TRUE(got->ok()) << got->error();
  EXPECT_EQ(to_string(got->value().front().remote), "udp:127.0.0.9:5070");
  EXPECT_GE(broken.queries("SRV", "_sip._udp.bad.test"), 1);
}

// A SERVFAIL for the SRV target's address: no address for any target, with the reason.
TEST_F(BadDns, ServfailForTheTargetsAddressIsAnError) {
  ScriptedDns dns(rule(kGoodSrv, {Kind::kServfail}));
  start(dns.address());
  expect_failure(dns, {"no address for any SRV target of bad.test", "registrar.bad.test"}, "A",
                 "registrar.bad.test");
}

// An empty SRV answer (NOERROR, no records) means no SRV records: the name's A record, and
// none there either is "no address".
TEST_F(BadDns, EmptySrvAnswerFallsBackToTheNamesAddress) {
  ScriptedDns dns(rule({Kind::kAnswer}, kGoodAddress));
  start(dns.address());
  auto got = resolve("bad.test");
  ASSERT_TRUE(got->ok()) << got->error();
  EXPECT_EQ(to_string(got->value().front().remote), "udp:127.0.0.9:5060");
  dns.set_rule(rule({Kind::kAnswer}, {Kind::kAnswer}));
  auto none = resolve("empty.bad.test");
  ASSERT_FALSE(none->ok());
  EXPECT_NE(none->error().find("no address for empty.bad.test"), std::string::npos)
      << none->error();
}

// The TC bit over UDP: the resolver asks again over TCP (RFC 1035 §4.2.2) and uses that answer.
TEST_F(BadDns, TruncatedAnswerIsAskedAgainOverTcp) {
  ScriptedDns dns([](const ScriptedDns::Question& q) {
    if (q.type == "SRV") {
      return ScriptedDns::Reply{Kind::kTruncated, {ScriptedDns::srv(10, 10, 5070, "r.bad.test")}};
    }
    return kGoodAddress;
  });
  start(dns.address());
  auto got = resolve("bad.test");
  ASSERT_TRUE(got->ok()) << got->error();
  EXPECT_EQ(to_string(got->value().front().remote), "udp:127.0.0.9:5070");
  EXPECT_EQ(dns.queries("SRV", "_sip._udp.bad.test"), 2);  // once over UDP, once over TCP
}

// Truncated over UDP and nothing usable over TCP either: an error, not a hang.
TEST_F(BadDns, TruncatedAnswerWithoutTcpIsAnError) {
  ScriptedDns dns([](const ScriptedDns::Question& q) {
    return ScriptedDns::Reply{q.tcp ? Kind::kSilent : Kind::kTruncated, {}};
  });
  start(dns.address());
  expect_failure(dns, {"SRV _sip._udp.bad.test"});
}

// A message that is no DNS answer is dropped; the question times out.
TEST_F(BadDns, GarbageAnswerIsAnError) {
  ScriptedDns dns(rule({Kind::kGarbage}, kGoodAddress));
  start(dns.address());
  expect_failure(dns, {"SRV _sip._udp.bad.test"});
}

TEST_F(BadDns, SilentServerTimesOut) {
  ScriptedDns dns(rule({Kind::kSilent}, kGoodAddress));
  start(dns.address());
  const auto asked = std::chrono::steady_clock::now();
  expect_failure(dns, {"SRV _sip._udp.bad.test", "Timeout"});
  // Two look-ups of two tries each (300 ms, then 600 ms): bounded, never stuck.
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 8s);
}

// dnsmasq: a name it does not hold is NXDOMAIN for the SRV and for the A question: an error
// naming the name; a target "." (no SIP service) and no such target likewise.
TEST_F(BadDns, RealServerNxdomainDotTargetAndMissingTarget) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sipline-dns-bad-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    sipline::test::DnsServer dns(dir);
    dns.srv("_sip._udp.dot.test", ".", 0, 0, 0)
        .srv("_sip._udp.lost.test", "gone.lost.test", 5070, 10, 10);
    dns.start();
    start(dns.address());
    auto nx = resolve("nowhere.test");
    ASSERT_FALSE(nx->ok());
    EXPECT_NE(nx->error().find("no address for nowhere.test"), std::string::npos) << nx->error();
    auto dot = resolve("dot.test");
    ASSERT_FALSE(dot->ok());
    EXPECT_NE(dot->error().find("no SIP service"), std::string::npos) << dot->error();
    auto lost = resolve("lost.test");
    ASSERT_FALSE(lost->ok());
    EXPECT_NE(lost->error().find("no address for any SRV target of lost.test"), std::string::npos)
        << lost->error();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sipline::transport::test
