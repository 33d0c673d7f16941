// The c-ares resolver (transport/dns.hpp) against a real DNS server on loopback (dnsmasq,
// tests/support/dns_server.hpp): RFC 3263 SRV then A, the fall-back to A without SRV, an
// explicit port skipping SRV, the shared cache, and bad answers as clear errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <tuple>
#include <utility>

#include "support/dns_server.hpp"
#include "transport/dns.hpp"
#include "transport_support.hpp"

namespace sipline::transport::test {
namespace {

using Got = std::optional<base::Result<std::vector<Target>, std::string>>;
using namespace std::chrono_literals;

class DnsLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sipline-dns-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    dns_ = std::make_unique<sipline::test::DnsServer>(dir_);
  }
  void TearDown() override {
    dns_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  // Starts the server and a resolver pointed at it.
  void start(int timeout_ms = 2000) {
    dns_->start();
    DnsOptions o;
    o.servers = {dns_->address()};
    o.timeout_ms = timeout_ms;
    auto made = DnsResolver::create(io_, o);
    ASSERT_TRUE(made.ok()) << made.error();
    resolver_ = std::move(*made);
  }
  Got resolve(const std::string& host_port, Protocol p = Protocol::kUdp) {
    Got got;
    resolver_->resolve_targets(host_port, p, Family::kV4, random_,
                               [&](auto r) { got = std::move(r); });
    EXPECT_FALSE(got.has_value()) << "answered from inside the call";
    EXPECT_TRUE(run_until(
        io_, [&] { return got.has_value(); }, 10000ms));
    return got;
  }
  // select_transport, run to its answer.
  std::optional<base::Result<TransportOffer, std::string>> choose(const std::string& host_port,
                                                                  bool sips_only = false) {
    std::optional<base::Result<TransportOffer, std::string>> got;
    resolver_->select_transport(host_port, sips_only, [&](auto r) { got = std::move(r); });
    EXPECT_FALSE(got.has_value()) << "answered from inside the call";
    EXPECT_TRUE(run_until(
        io_, [&] { return got.has_value(); }, 10000ms));
    return got;
  }
  static std::vector<std::string> where(const Got& got) {
    std::vector<std::string> out;
    for (const auto& t : got->value()) {
      out.push_back(t.remote.address + ":" + std::to_string(t.remote.port));
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<sipline::test::DnsServer> dns_;
  asio::io_context io_;
  base::SeededRandom random_{11};
  std::unique_ptr<DnsResolver> resolver_;
};

TEST_F(DnsLookup, SrvTargetsInPriorityOrderThenTheirAddresses) {
  dns_->srv("_sip._udp.example.test", "backup.example.test", 5080, 20, 10)
      .srv("_sip._udp.example.test", "main.example.test", 5070, 10, 10)
      .host("main.example.test", "127.0.0.2")
      .host("backup.example.test", "127.0.0.3");
  start();
  const auto asked = std::chrono::steady_clock::now();
  auto got = resolve("example.test");
  std::cout << "[ figures  ] SRV + 2 A look-ups against dnsmasq on loopback: "
            << std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::steady_clock::now() - asked)
                   .count()
            << " us\n";
  ASSERT_TRUE(got->ok()) << got->error() << dns_->log_tail();
  EXPECT_EQ(where(got), (std::vector<std::string>{"127.0.0.2:5070", "127.0.0.3:5080"}));
  EXPECT_EQ(got->value()[0].tls_server_name, "example.test");  // RFC 5922: the domain
  EXPECT_EQ(dns_->queries("SRV", "_sip._udp.example.test"), 1);
}

TEST_F(DnsLookup, TlsAsksForSipsOverTcp) {
  dns_->srv("_sips._tcp.example.test", "tls.example.test", 5071, 10, 10)
      .host("tls.example.test", "127.0.0.4");
  start();
  auto got = resolve("example.test", Protocol::kTls);
  ASSERT_TRUE(got->ok()) << got->error();
  EXPECT_EQ(where(got), (std::vector<std::string>{"127.0.0.4:5071"}));
  EXPECT_EQ(got->value()[0].remote.protocol, Protocol::kTls);
}

TEST_F(DnsLookup, NoSrvFallsBackToTheNamesAddressAtTheDefaultPort) {
  dns_->host("plain.example.test", "127.0.0.5");
  start();
  auto got = resolve("plain.example.test");
  ASSERT_TRUE(got->ok()) << got->error();
  EXPECT_EQ(where(got), (std::vector<std::string>{"127.0.0.5:5060"}));
  EXPECT_EQ(dns_->queries("SRV", "_sip._udp.plain.example.test"), 1);
}

TEST_F(DnsLookup, AnExplicitPortSkipsSrv) {
  dns_->srv("_sip._udp.example.test", "main.example.test", 5070, 10, 10)
      .host("example.test", "127.0.0.6");
  start();
  auto got = resolve("example.test:5099");
  ASSERT_TRUE(got->ok()) << got->error();
  EXPECT_EQ(where(got), (std::vector<std::string>{"127.0.0.6:5099"}));
  EXPECT_EQ(dns_->queries("SRV", "_sip._udp.example.test"), 0);
}

// One look-up for many askers: concurrent questions share one query, later ones hit the cache.
TEST_F(DnsLookup, ManyAccountsOneLookup) {
  dns_->srv("_sip._udp.example.test", "main.example.test", 5070, 10, 10)
      .host("main.example.test", "127.0.0.2");
  start();
  int answered = 0;
  for (int i = 0; i < 1000; ++i) {
    resolver_->resolve_targets("example.test", Protocol::kUdp, Family::kV4, random_,
                               [&](auto r) { answered += r.ok() ? 1 : 0; });
  }
  ASSERT_TRUE(run_until(
      io_, [&] { return answered == 1000; }, 10000ms));
  EXPECT_EQ(resolve("example.test")->ok(), true);
  EXPECT_EQ(dns_->queries("SRV", "_sip._udp.example.test"), 1);
  EXPECT_EQ(dns_->queries("A", "main.example.test"), 1);
  EXPECT_EQ(resolver_->counters().queries, 2u);
  // 999 joined the SRV query and 999 the A query in flight; the last look-up hit both.
  EXPECT_EQ(resolver_->counters().cache_hits, 2000u);
}

// RFC 2782 weights across accounts: each draws with its own seed, so 1000 accounts split over
// two equal-priority targets weighted 1:1 (and 3:1) within 10 % of the expected shares.
TEST_F(DnsLookup, WeightsSpreadAccountsAcrossEqualPriorityTargets) {
  dns_->srv("_sip._udp.even.test", "a.even.test", 5070, 10, 50)
      .srv("_sip._udp.even.test", "b.even.test", 5080, 10, 50)
      .srv("_sip._udp.uneven.test", "a.even.test", 5070, 10, 75)
      .srv("_sip._udp.uneven.test", "b.even.test", 5080, 10, 25)
      .host("a.even.test", "127.0.0.2")
      .host("b.even.test", "127.0.0.3");
  start();
  for (const auto& [domain, share_a] : {std::pair{"even.test", 0.5}, {"uneven.test", 0.75}}) {
    int first_a = 0;
    int answered = 0;
    std::vector<base::SeededRandom> accounts;
    accounts.reserve(1000);
    for (int i = 0; i < 1000; ++i) {
      accounts.emplace_back(base::os_seed() + static_cast<unsigned>(i));
      resolver_->resolve_targets(domain, Protocol::kUdp, Family::kV4, accounts.back(), [&](auto r) {
        ++answered;
        if (r.ok() && r.value()[0].remote.port == 5070) ++first_a;
      });
    }
    ASSERT_TRUE(run_until(
        io_, [&] { return answered == 1000; }, 10000ms));
    EXPECT_NEAR(first_a, 1000 * share_a, 100) << domain;
    std::cout << "[ figures  ] " << domain << ": " << first_a
              << " of 1000 accounts on a.even.test\n";
  }
}

TEST_F(DnsLookup, ADotTargetMeansNoService) {
  dns_->srv("_sip._udp.example.test", ".", 0, 0, 0);
  start();
  auto got = resolve("example.test");
  ASSERT_FALSE(got->ok());
  EXPECT_NE(got->error().find("no SIP service"), std::string::npos) << got->error();
}

// RFC 3263 §4.1 (transport = "auto"): the NAPTR record with the lowest order whose SRV name has
// records wins; its SRV name (the replacement, whatever it is called) is what resolve_targets
// then asks.
TEST_F(DnsLookup, NaptrChoosesTheTransportAndNamesItsSrv) {
  dns_->naptr("example.test", 10, 10, "s", "SIP+D2T", "_tcp-srv.example.test")
      .naptr("example.test", 20, 10, "s", "SIP+D2U", "_sip._udp.example.test")
      .naptr("example.test", 5, 10, "s", "SIP+D2T", "_empty.example.test")  // no SRV there
      .srv("_tcp-srv.example.test", "pbx.example.test", 5090, 10, 10)
      .srv("_sip._udp.example.test", "pbx.example.test", 5060, 10, 10)
      .host("pbx.example.test", "127.0.0.2");
  start();
  auto got = choose("example.test");
  ASSERT_TRUE(got->ok()) << got->error() << dns_->log_tail();
  EXPECT_EQ((*got)->protocol, Protocol::kTcp);
  EXPECT_EQ((*got)->srv_name, "_tcp-srv.example.test");
  EXPECT_EQ(dns_->queries("NAPTR", "example.test"), 1);
  Got targets;
  resolver_->resolve_targets(
      "example.test", Protocol::kTcp, Family::kV4, random_, [&](auto r) { targets = std::move(r); },
      (*got)->srv_name);
  ASSERT_TRUE(run_until(
      io_, [&] { return targets.has_value(); }, 10000ms));
  ASSERT_TRUE(targets->ok()) << targets->error();
  EXPECT_EQ(where(targets), (std::vector<std::string>{"127.0.0.2:5090"}));
  EXPECT_EQ(targets->value()[0].remote.protocol, Protocol::kTcp);
  // A second account on the domain: from the cache.
  choose("example.test");
  EXPECT_EQ(dns_->queries("NAPTR", "example.test"), 1);
}

TEST_F(DnsLookup, SipsUriTakesOnlySipsOverTcpFromNaptr) {
  dns_->naptr("example.test", 10, 10, "s", "SIP+D2U", "_sip._udp.example.test")
      .naptr("example.test", 20, 10, "s", "SIPS+D2T", "_sips._tcp.example.test")
      .srv("_sip._udp.example.test", "pbx.example.test", 5060, 10, 10)
      .srv("_sips._tcp.example.test", "pbx.example.test", 5061, 10, 10)
      .host("pbx.example.test", "127.0.0.2");
  start();
  auto got = choose("example.test", true);
  ASSERT_TRUE(got->ok()) << got->error();
  EXPECT_EQ((*got)->protocol, Protocol::kTls);
  EXPECT_EQ((*got)->srv_name, "_sips._tcp.example.test");
}

// No NAPTR: the SRV names in sipline's order (UDP, TCP, TLS), the first with records.
TEST_F(DnsLookup, WithoutNaptrTheFirstSrvWithRecordsWins) {
  dns_->srv("_sip._tcp.example.test", "pbx.example.test", 5070, 10, 10)
      .host("pbx.example.test", "127.0.0.2");
  start();
  auto got = choose("example.test");
  ASSERT_TRUE(got->ok()) << got->error();
  EXPECT_EQ((*got)->protocol, Protocol::kTcp);
  EXPECT_EQ((*got)->srv_name, "_sip._tcp.example.test");
  EXPECT_EQ(dns_->queries("SRV", "_sip._udp.example.test"), 1);
}

// Nothing at all, an IP literal, a port: UDP (TLS for sips:) with no SRV name, no DNS asked
// for the last two.
TEST_F(DnsLookup, NoRecordsALiteralOrAPortMeanTheDefault) {
  dns_->host("pbx.example.test", "127.0.0.2");
  start();
  for (const auto& [what, sips, protocol] : std::vector<std::tuple<std::string, bool, Protocol>>{
           {"pbx.example.test", false, Protocol::kUdp},
           {"pbx.example.test", true, Protocol::kTls},
           {"127.0.0.2", false, Protocol::kUdp},
           {"pbx.example.test:5070", true, Protocol::kTls}}) {
    auto got = choose(what, sips);
    ASSERT_TRUE(got->ok()) << what << ": " << got->error();
    EXPECT_EQ((*got)->protocol, protocol) << what;
    EXPECT_EQ((*got)->srv_name, "") << what;
  }
  EXPECT_EQ(dns_->queries("NAPTR", "pbx.example.test"), 1);  // cached for the sips: one
}

TEST_F(DnsLookup, UnknownNameIsAnError) {
  start();
  auto got = resolve("nowhere.example.test");
  ASSERT_FALSE(got->ok());
  EXPECT_NE(got->error().find("nowhere.example.test"), std::string::npos) << got->error();
}

// A server gone (ICMP refused): the SRV question fails, and that is the error (no guess at the
// name's own address, RFC 3263 §4.2 falls back to A only when there are no SRV records).
TEST_F(DnsLookup, DeadServerIsAnError) {
  start(200);
  dns_->stop();
  auto got = resolve("example.test");
  ASSERT_FALSE(got->ok());
  EXPECT_NE(got->error().find("SRV _sip._udp.example.test"), std::string::npos) << got->error();
  EXPECT_EQ(resolver_->counters().failures, 1u);
}

TEST_F(DnsLookup, DestroyedResolverNeverCallsBack) {
  dns_->srv("_sip._udp.example.test", "main.example.test", 5070, 10, 10)
      .host("main.example.test", "127.0.0.2");
  start();
  bool called = false;
  resolver_->resolve_targets("example.test", Protocol::kUdp, Family::kV4, random_,
                             [&](auto) { called = true; });
  resolver_.reset();
  io_.run_for(300ms);
  EXPECT_FALSE(called);
}

TEST(DnsConfig, BadServerIsAClearError) {
  asio::io_context io;
  DnsOptions o;
  o.servers = {"not-an-address"};
  auto made = DnsResolver::create(io, o);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().find("dns_servers"), std::string::npos) << made.error();
}

}  // namespace
}  // namespace sipline::transport::test
