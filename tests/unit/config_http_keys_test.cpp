// [daemon] keys of the HTTP side: defaults, and no non-loopback listen without a token.
#include <gtest/gtest.h>

#include "config/host_port.hpp"
#include "config/load.hpp"

using namespace sipline::config;

namespace {

const std::string kAccount =
    "[[account]]\n"
    "sip_server = \"pbx.example.com\"\n"
    "user_id = \"1001\"\n";

ConfigResult parse_daemon(const std::string& lines) {
  return parse_config("[daemon]\n" + lines + "\n" + kAccount, "t.toml");
}

}  // namespace

TEST(HttpKeys, Defaults) {
  auto r = parse_config(kAccount, "t.toml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->config.daemon.http_token_file, "http_token");
  EXPECT_TRUE(r->config.daemon.metrics_public);
  EXPECT_EQ(r->config.daemon.http_host_names, "");
  EXPECT_EQ(r->config.daemon.http_max_connections, 128);
}

TEST(HttpKeys, NonLoopbackListenNeedsAToken) {
  auto refused = parse_daemon("http_listen = \"0.0.0.0:18080\"\nhttp_token_file = \"\"");
  ASSERT_FALSE(refused.ok());
  ASSERT_EQ(refused.error().errors.size(), 1u);
  EXPECT_NE(refused.error().errors[0].message.find("needs a token"), std::string::npos);
  EXPECT_TRUE(parse_daemon("http_listen = \"0.0.0.0:18080\"").ok());
  EXPECT_TRUE(parse_daemon("http_listen = \"127.0.0.1:18080\"\nhttp_token_file = \"\"").ok());
  EXPECT_TRUE(parse_daemon("http_listen = \"[::1]:18080\"\nhttp_token_file = \"\"").ok());
  EXPECT_TRUE(parse_daemon("http_listen = \"\"\nhttp_token_file = \"\"").ok());
}

TEST(HttpKeys, Loopback) {
  for (const char* h : {"localhost", "127.0.0.1", "127.1.2.3", "::1"}) EXPECT_TRUE(is_loopback(h));
  for (const char* h : {"0.0.0.0", "::", "192.168.1.2", "host.example", "128.0.0.1"}) {
    EXPECT_FALSE(is_loopback(h)) << h;
  }
}

// metrics_per_account: "auto" (the default), true or false; anything else named with its line.
TEST(HttpKeys, MetricsPerAccountIsAutoTrueOrFalse) {
  auto def = parse_config(kAccount, "t.toml");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->config.daemon.metrics_per_account, AutoSwitch::automatic);
  const std::pair<const char*, AutoSwitch> good[] = {
      {"\"auto\"", AutoSwitch::automatic}, {"true", AutoSwitch::on}, {"false", AutoSwitch::off}};
  for (const auto& [text, want] : good) {
    auto r = parse_daemon(std::string("metrics_per_account = ") + text);
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_EQ(r->config.daemon.metrics_per_account, want) << text;
  }
  for (const char* bad : {"\"yes\"", "\"Auto\"", "1", "\"\""}) {
    auto r = parse_daemon(std::string("metrics_per_account = ") + bad);
    ASSERT_FALSE(r.ok()) << bad;
    ASSERT_EQ(r.error().errors.size(), 1u) << bad;
    const Problem& p = r.error().errors[0];
    EXPECT_EQ(p.key, "daemon.metrics_per_account") << bad;
    EXPECT_EQ(p.line, 2) << bad;
    EXPECT_EQ(p.allowed, "\"auto\", true or false") << bad;
  }
}
