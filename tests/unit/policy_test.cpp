#include <gtest/gtest.h>

#include "account/identity.hpp"
#include "account/policy.hpp"

namespace sipline::account {
namespace {

using std::chrono::seconds;
using Ms = base::Duration;

struct RefreshRow {
  int granted, before;
  double jitter;
  std::int64_t expect_ms;
};

TEST(Policy, RefreshDelayTable) {
  const RefreshRow rows[] = {
      {3600, 0, 0.0, 3000000},                                // m = 600
      {3600, 0, 0.999, 2940060},                              // moved earlier by up to 10 % of m
      {600, 0, 0.0, 300000},                                  // m = G/2
      {601, 0, 0.0, 300500},      {3600, 100, 0.5, 3500000},  // G - R, no jitter
      {3600, 3599, 0.5, 1000},                                // never sooner than 1 s
      {3600, 3600, 0.0, 3000000},                             // R >= G: automatic
      {3600, 9000, 0.0, 3000000}, {2, 0, 0.0, 1000},         {1, 0, 0.0, 1000},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(refresh_delay(seconds{r.granted}, seconds{r.before}, r.jitter), Ms{r.expect_ms})
        << r.granted << " " << r.before << " " << r.jitter;
  }
}

TEST(Policy, RetryDelayTable) {
  EXPECT_EQ(retry_delay(seconds{20}, std::nullopt, 0.0), Ms{20000});
  EXPECT_EQ(retry_delay(seconds{20}, std::nullopt, 0.5), Ms{21000});
  EXPECT_EQ(retry_delay(seconds{20}, 5u, 0.0), Ms{20000});
  EXPECT_EQ(retry_delay(seconds{20}, 120u, 0.0), Ms{120000});
  EXPECT_EQ(retry_delay(seconds{20}, 120u, 0.5), Ms{121000});
  EXPECT_EQ(retry_delay(seconds{20}, 100000u, 0.0), Ms{3600000});
  EXPECT_EQ(retry_delay(seconds{3600}, std::nullopt, 0.999), Ms{3959640});
}

config::AccountConfig with(config::Transport t, config::UriScheme s) {
  auto c = config::default_account(1);
  c.sip_server = {"pbx.example.com", 5080};
  c.user_id = "1001";
  c.transport = t;
  c.tls_uri_scheme = s;
  return c;
}

TEST(Identity, WireNamesPerTransportAndScheme) {
  const transport::Address local{transport::Protocol::kUdp, "192.0.2.5", 5062};
  auto udp = wire_names(with(config::Transport::udp, config::UriScheme::sip), local);
  EXPECT_EQ(udp.request_uri, "sip:pbx.example.com:5080");
  EXPECT_EQ(udp.aor, "sip:1001@pbx.example.com");
  EXPECT_EQ(udp.contact, "sip:1001@192.0.2.5:5062");
  auto tcp = wire_names(with(config::Transport::tcp, config::UriScheme::sips), local);
  EXPECT_EQ(tcp.contact, "sip:1001@192.0.2.5:5062;transport=tcp");  // sips only applies to TLS
  auto tls = wire_names(with(config::Transport::tls, config::UriScheme::sip), local);
  EXPECT_EQ(tls.request_uri, "sip:pbx.example.com:5080;transport=tls");
  EXPECT_EQ(tls.aor, "sip:1001@pbx.example.com;transport=tls");
  EXPECT_EQ(tls.contact, "sip:1001@192.0.2.5:5062;transport=tls");
  auto sips = wire_names(with(config::Transport::tls, config::UriScheme::sips), local);
  EXPECT_EQ(sips.request_uri, "sips:pbx.example.com:5080");
  EXPECT_EQ(sips.aor, "sips:1001@pbx.example.com");
  EXPECT_EQ(sips.contact, "sips:1001@192.0.2.5:5062");
  const transport::Address v6{transport::Protocol::kUdp, "::1", 5060};
  auto c6 = with(config::Transport::udp, config::UriScheme::sip);
  c6.sip_server = {"::1", std::nullopt};
  auto n6 = wire_names(c6, v6);
  EXPECT_EQ(n6.request_uri, "sip:[::1]");
  EXPECT_EQ(n6.contact, "sip:1001@[::1]:5060");
}

// A fleet's accounts name one server: their Request-URIs share one text (one allocation for
// all of them), while each keeps its own AOR and Contact.
TEST(Identity, AccountsOfOneServerShareTheRequestUriText) {
  const transport::Address local{transport::Protocol::kUdp, "192.0.2.5", 5062};
  auto a = with(config::Transport::udp, config::UriScheme::sip);
  auto b = a;
  b.user_id = "1002";
  const auto na = wire_names(a, local);
  const auto nb = wire_names(b, local);
  EXPECT_EQ(nb.aor, "sip:1002@pbx.example.com");
  EXPECT_TRUE(na.request_uri.shares_with(nb.request_uri));
  auto other = a;
  other.sip_server = {"pbx2.example.com", std::nullopt};
  const auto no = wire_names(other, local);
  EXPECT_EQ(no.request_uri, "sip:pbx2.example.com");
  EXPECT_FALSE(no.request_uri.shares_with(na.request_uri));
  EXPECT_EQ(na.request_uri, "sip:pbx.example.com:5080") << "an earlier one keeps its text";
}

}  // namespace
}  // namespace sipline::account

TEST(Policy, SpreadPhaseCoversThePeriodNeverBelowOneSecond) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  EXPECT_EQ(sipline::account::spread_phase(seconds{30}, 0.0), seconds{30});
  EXPECT_EQ(sipline::account::spread_phase(seconds{30}, 0.5), seconds{15});
  EXPECT_EQ(sipline::account::spread_phase(seconds{30}, 0.99), seconds{1});  // 0.3 s: at least 1 s
  EXPECT_EQ(sipline::account::spread_phase(milliseconds{500}, 0.5),
            milliseconds{500});  // <= period
}
