// Config layer: host[:port] parsing, the schema, defaults, the settings listing.
#include <gtest/gtest.h>

#include <map>

#include "config/config.hpp"
#include "config/host_port.hpp"
#include "config/schema.hpp"
#include "config/validate.hpp"

using namespace sipline::config;

TEST(HostPort, AcceptsNamesIpv4AndBracketedIpv6) {
  struct Row {
    const char* text;
    const char* host;
    int port;  // -1: none
  };
  for (const Row& r :
       {Row{"pbx.example.com", "pbx.example.com", -1},
        Row{"pbx.example.com:5080", "pbx.example.com", 5080},
        Row{"pbx.example.com.", "pbx.example.com.", -1}, Row{"localhost", "localhost", -1},
        Row{"10.0.0.1:1", "10.0.0.1", 1}, Row{"127.0.0.1:65535", "127.0.0.1", 65535},
        Row{"[::1]", "::1", -1}, Row{"[2001:db8::10]:5061", "2001:db8::10", 5061},
        Row{"a-b.c1", "a-b.c1", -1}}) {
    auto hp = parse_host_port(r.text, false);
    ASSERT_TRUE(hp.ok()) << r.text << ": " << hp.error();
    EXPECT_EQ(hp->host, r.host) << r.text;
    EXPECT_EQ(hp->port ? int(*hp->port) : -1, r.port) << r.text;
    EXPECT_EQ(hp->to_string(), r.text);
  }
}

TEST(HostPort, RejectsMalformedWithAReason) {
  std::map<std::string, std::string> rows{
      {"", "empty"},
      {"2001:db8::1", "IPv6 address must be in brackets"},
      {"[2001:db8::1", "missing ']'"},
      {"[nonsense]", "is not an IPv6 address"},
      {"[::1]x", "unexpected text after ']'"},
      {"[::1]:0", "out of range 1..65535"},
      {"host:65536", "out of range 1..65535"},
      {"host:", "port missing"},
      {"host:50a", "is not a number"},
      {"host:-1", "is not a number"},
      {"host:1234567", "out of range"},
      {"bad_host", "is not a host name"},
      {"-bad.example", "is not a host name"},
      {"a..b", "is not a host name"},
      {"999.1.1.1", "is not a host name or IP address"},
      {"sip:pbx.example.com", "not a URI"},
      {"pbx example", "is not a host name"},
  };
  for (const auto& [text, reason] : rows) {
    auto hp = parse_host_port(text, false);
    ASSERT_FALSE(hp.ok()) << text;
    EXPECT_NE(hp.error().find(reason), std::string::npos) << text << ": " << hp.error();
  }
  EXPECT_FALSE(parse_host_port("127.0.0.1", true).ok());
  EXPECT_TRUE(parse_host_port("127.0.0.1:8080", true).ok());
  EXPECT_TRUE(parse_host_port(std::string(63, 'a') + ".example", false).ok());
  EXPECT_FALSE(parse_host_port(std::string(64, 'a') + ".example", false).ok());
}

TEST(Defaults, AccountsOneToSevenFollowThePortPattern) {
  const int expected[] = {5060, 5062, 5064, 5066, 5068, 5070, 5072};
  for (int n = 1; n <= 7; ++n) {
    const AccountConfig a = default_account(n);
    EXPECT_EQ(a.local_sip_port, expected[n - 1]) << n;
    EXPECT_EQ(a.tls_port(), expected[n - 1] + 1) << n;
    EXPECT_EQ(a.name, "Account " + std::to_string(n));
  }
  EXPECT_EQ(default_account(30238).local_sip_port, 65534);
  EXPECT_EQ(default_account(30239).local_sip_port, 0);  // past 65535: the loader reports it
}

TEST(Defaults, MatchTheSpec) {
  using namespace std::chrono_literals;
  const AccountConfig a = default_account(1);
  EXPECT_TRUE(a.active);
  EXPECT_TRUE(a.sip_registration);
  EXPECT_EQ(a.unregister_before_new_registration, UnregisterMode::instance);
  EXPECT_EQ(a.register_expiration_min, 60min);
  EXPECT_EQ(a.subscribe_expiration_min, 60min);
  EXPECT_EQ(a.reregister_before_expiration_s, 0s);
  EXPECT_EQ(a.registration_retry_wait_s, 20s);
  EXPECT_FALSE(a.add_auth_header_on_reregister);
  EXPECT_FALSE(a.options_keepalive);
  EXPECT_EQ(a.options_keepalive_interval_s, 30s);
  EXPECT_EQ(a.options_keepalive_max_tries, 3);
  EXPECT_FALSE(a.use_privacy_header);
  EXPECT_FALSE(a.use_p_preferred_identity_header);
  EXPECT_EQ(a.transport, Transport::udp);
  EXPECT_EQ(a.tls_uri_scheme, UriScheme::sip);
  EXPECT_EQ(a.auth_failure_retry_wait_s, 300s);
  EXPECT_FALSE(a.local_tls_port.has_value());
  EXPECT_TRUE(a.tls_verify);
  EXPECT_TRUE(a.tls_ca_file.empty());
  EXPECT_FALSE(a.subscribe_mwi);
  EXPECT_FALSE(a.auto_answer);
  EXPECT_EQ(a.auto_answer_delay_s, 0s);
  EXPECT_EQ(a.max_calls, 4);
  EXPECT_FALSE(a.accept_calls_from_server_only);
  EXPECT_EQ(a.media_file, "");
  const DaemonConfig d;
  EXPECT_EQ(d.state_dir, "/var/lib/sipline");
  EXPECT_EQ(d.http_listen.to_string(), "127.0.0.1:8080");
  EXPECT_EQ(d.log_level, LogLevel::info);
  EXPECT_EQ(d.sip_trace, "");
  const SipTimerConfig t;
  EXPECT_EQ(t.t1, 500ms);
  EXPECT_EQ(t.t2, 4000ms);
  EXPECT_EQ(t.t4, 5000ms);
}

TEST(Schema, HasEveryKeyOfTheSpecOnce) {
  const std::vector<std::string> spec{"name",
                                      "active",
                                      "sip_server",
                                      "outbound_proxy",
                                      "user_id",
                                      "auth_id",
                                      "password",
                                      "password_file",
                                      "display_name",
                                      "sip_registration",
                                      "unregister_before_new_registration",
                                      "register_expiration_min",
                                      "subscribe_expiration_min",
                                      "reregister_before_expiration_s",
                                      "registration_retry_wait_s",
                                      "add_auth_header_on_reregister",
                                      "options_keepalive",
                                      "options_keepalive_interval_s",
                                      "options_keepalive_max_tries",
                                      "outbound",
                                      "use_privacy_header",
                                      "use_p_preferred_identity_header",
                                      "transport",
                                      "local_sip_port",
                                      "tls_uri_scheme",
                                      "auth_failure_retry_wait_s",
                                      "local_tls_port",
                                      "tls_verify",
                                      "tls_ca_file",
                                      "bind_address",
                                      "subscribe_mwi",
                                      "mwi_uri",
                                      "subscribe_reg_event",
                                      "blf",
                                      "user_agent",
                                      "auto_answer",
                                      "auto_answer_delay_s",
                                      "max_calls",
                                      "accept_calls_from_server_only",
                                      "media_file"};
  std::vector<std::string> have;
  for (const auto& k : account_keys()) have.emplace_back(k.key);
  EXPECT_EQ(have, spec);
}

TEST(Schema, EditDistanceAndSuggestions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("transport", "transprot"), 2u);
  const auto keys = account_keys();
  EXPECT_EQ(suggest_key("registration_retry_wait", keys), "registration_retry_wait_s");
  EXPECT_EQ(suggest_key("register_expiration", keys), "register_expiration_min");
  EXPECT_EQ(suggest_key("transprot", keys), "transport");
  EXPECT_EQ(suggest_key("local_sip_prot", keys), "local_sip_port");
  EXPECT_EQ(suggest_key("options_keepalive_interval", keys), "options_keepalive_interval_s");
  EXPECT_EQ(suggest_key("colour", keys), "");
  EXPECT_EQ(suggest_key("accounts", top_level_keys()), "account");
}

TEST(Listing, EverySettingButThePassword) {
  AccountConfig a = default_account(2);
  a.sip_server = HostPort{"2001:db8::1", 5070};
  a.user_id = "1001";
  a.password = "s3cret";
  a.transport = Transport::tls;
  std::map<std::string, std::string> seen;
  for_each_setting(a, [&](std::string_view k, const std::string& v) { seen[std::string(k)] = v; });
  EXPECT_EQ(seen.size(), account_keys().size() - 1);
  EXPECT_EQ(seen.count("password"), 0u);
  EXPECT_EQ(seen["name"], "Account 2");
  EXPECT_EQ(seen["sip_server"], "[2001:db8::1]:5070");
  EXPECT_EQ(seen["auth_id"], "1001");  // defaults to user_id
  EXPECT_EQ(seen["local_sip_port"], "5062");
  EXPECT_EQ(seen["local_tls_port"], "5063");
  EXPECT_EQ(seen["transport"], "tls");
  EXPECT_EQ(seen["register_expiration_min"], "60");
  EXPECT_EQ(seen["unregister_before_new_registration"], "instance");
  EXPECT_EQ(seen["tls_verify"], "true");
  const std::string toml = account_to_toml(a);
  EXPECT_EQ(toml.find("s3cret"), std::string::npos);
  EXPECT_NE(toml.find("sip_server = \"[2001:db8::1]:5070\"\n"), std::string::npos);
  EXPECT_NE(toml.find("register_expiration_min = 60\n"), std::string::npos);
  EXPECT_NE(toml.find("active = true\n"), std::string::npos);
}
