// The source-address cache of issue 12 defect 7: one probe per route, not per request; a
// failure is remembered briefly and a wildcard answer counts as one; forget() after a send
// error. Plus the real probes on loopback.
#include <gtest/gtest.h>

#include "transport/source_routes.hpp"

namespace sipline::transport::detail {
namespace {

using Clock = SourceRoutes::Clock;
using asio::ip::make_address;

struct ScriptedProbe {
  int calls = 0;
  std::optional<asio::ip::address> answer = make_address("192.0.2.1");
  std::string why = "network is unreachable";
  SourceProbe probe() {
    return [this](const asio::ip::address&) -> base::Result<asio::ip::address, std::string> {
      ++calls;
      if (answer) return *answer;
      return base::fail(why);
    };
  }
};

TEST(SourceRoutes, OneProbePerRouteUntilItAges) {
  ScriptedProbe p;
  SourceRoutes routes(p.probe());
  const auto t0 = Clock::time_point{} + std::chrono::hours(1);
  const auto registrar = make_address("198.51.100.5");
  for (int i = 0; i < 200; ++i) {
    auto s = routes.source(registrar, t0 + std::chrono::milliseconds(i));
    ASSERT_TRUE(s);
    EXPECT_EQ(*s, make_address("192.0.2.1"));
  }
  EXPECT_EQ(p.calls, 1);
  p.answer = make_address("192.0.2.2");  // a network change, seen once the entry ages
  EXPECT_EQ(*routes.source(registrar, t0 + SourceRoutes::kKnownFor - std::chrono::seconds(1)),
            make_address("192.0.2.1"));
  EXPECT_EQ(*routes.source(registrar, t0 + SourceRoutes::kKnownFor), make_address("192.0.2.2"));
  EXPECT_EQ(p.calls, 2);
}

TEST(SourceRoutes, EachDestinationHasItsRouteAndMappedV4IsV4) {
  ScriptedProbe p;
  SourceRoutes routes(p.probe());
  const auto now = Clock::now();
  ASSERT_TRUE(routes.source(make_address("198.51.100.5"), now));
  ASSERT_TRUE(routes.source(make_address("::ffff:198.51.100.5"), now));
  EXPECT_EQ(p.calls, 1);
  ASSERT_TRUE(routes.source(make_address("198.51.100.6"), now));
  EXPECT_EQ(p.calls, 2);
  EXPECT_EQ(routes.size(), 2u);
}

TEST(SourceRoutes, FailureIsRememberedBrieflyAndWildcardIsAFailure) {
  ScriptedProbe p;
  p.answer.reset();
  SourceRoutes routes(p.probe());
  const auto t0 = Clock::time_point{} + std::chrono::hours(1);
  const auto registrar = make_address("198.51.100.5");
  auto s = routes.source(registrar, t0);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), "network is unreachable");
  EXPECT_FALSE(routes.source(registrar, t0 + std::chrono::milliseconds(999)));
  EXPECT_EQ(p.calls, 1);
  p.answer = make_address("0.0.0.0");
  s = routes.source(registrar, t0 + SourceRoutes::kUnknownFor);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), "the kernel named the wildcard 0.0.0.0");
  p.answer = make_address("::");
  EXPECT_FALSE(routes.source(make_address("2001:db8::1"), t0));
  p.answer = make_address("192.0.2.1");
  EXPECT_TRUE(routes.source(registrar, t0 + 2 * SourceRoutes::kUnknownFor));
  EXPECT_EQ(p.calls, 4);
}

TEST(SourceRoutes, ForgetAsksAgain) {
  ScriptedProbe p;
  SourceRoutes routes(p.probe());
  const auto now = Clock::now();
  const auto registrar = make_address("198.51.100.5");
  ASSERT_TRUE(routes.source(registrar, now));
  routes.forget(registrar);
  ASSERT_TRUE(routes.source(registrar, now));
  EXPECT_EQ(p.calls, 2);
}

TEST(SourceRoutes, TheReasonNamesTheDestination) {
  EXPECT_EQ(no_source_reason("udp:192.0.2.9:5060", "network is unreachable"),
            "no usable source address toward udp:192.0.2.9:5060 (network is unreachable)");
}

// The real probes: the routing table names loopback for loopback, with no port taken.
TEST(SourceProbes, LoopbackRoutesFromLoopback) {
  auto v4 = probe_source_netlink(make_address("127.0.0.1"));
  ASSERT_TRUE(v4) << v4.error();
  EXPECT_EQ(*v4, make_address("127.0.0.1"));
  auto connected = probe_source_connect(make_address("127.0.0.1"));
  ASSERT_TRUE(connected) << connected.error();
  EXPECT_EQ(*connected, make_address("127.0.0.1"));
  auto v6 = probe_source_netlink(make_address("::1"));
  if (!v6) GTEST_SKIP() << "no IPv6 here: " << v6.error();
  EXPECT_EQ(*v6, make_address("::1"));
}

}  // namespace
}  // namespace sipline::transport::detail
