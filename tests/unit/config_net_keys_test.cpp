// Network keys: [daemon] dns_servers and [account] bind_address (issue 11), each bad value named
// with key, value and line.
#include <gtest/gtest.h>

#include "config/host_port.hpp"
#include "config/load.hpp"

using namespace sipline::config;

namespace {

// One account on `server` with `account_lines` after its three lines, behind a [daemon] table
// with `daemon_lines` (line 1 is "[daemon]").
ConfigResult parse(const std::string& daemon_lines, const std::string& server = "pbx.example.com",
                   const std::string& account_lines = "") {
  return parse_config("[daemon]\n" + daemon_lines + "\n[[account]]\nsip_server = \"" + server +
                          "\"\nuser_id = \"1001\"\n" + account_lines,
                      "t.toml");
}
ConfigResult parse_daemon(const std::string& lines) {
  return parse(lines);
}
ConfigResult parse_account(const std::string& server, const std::string& lines) {
  return parse("", server, lines);
}

}  // namespace

// [daemon] dns_servers: every entry an IP address with an optional port, each bad one named.
TEST(DnsServersKey, AddressesWithOptionalPorts) {
  for (const char* ok : {"", "127.0.0.1", "127.0.0.1:5353", "[::1]", "[::1]:53",
                         "192.0.2.1, 192.0.2.2:5353 ,[2001:db8::1]:53"}) {
    auto r = parse_daemon("dns_servers = \"" + std::string(ok) + "\"");
    EXPECT_TRUE(r.ok()) << ok;
  }
}

TEST(DnsServersKey, BadEntriesNamedWithKeyValueAndLine) {
  auto r = parse_daemon(
      "http_listen = \"127.0.0.1:18080\"\n"
      "dns_servers = \"127.0.0.1:5353, ns.example.com,[::1]:99999,,::1\"");
  ASSERT_FALSE(r.ok());
  const auto& errors = r.error().errors;
  ASSERT_EQ(errors.size(), 4u);
  for (const auto& e : errors) {
    EXPECT_EQ(e.key, "daemon.dns_servers");
    EXPECT_EQ(e.line, 3);
    EXPECT_EQ(e.value, "\"127.0.0.1:5353, ns.example.com,[::1]:99999,,::1\"");
  }
  EXPECT_NE(errors[0].message.find("entry 2 \"ns.example.com\""), std::string::npos);
  EXPECT_NE(errors[0].message.find("not an IP address"), std::string::npos);
  EXPECT_NE(errors[1].message.find("entry 3 \"[::1]:99999\": port 99999 out of range"),
            std::string::npos)
      << errors[1].message;
  EXPECT_NE(errors[2].message.find("entry 4 \"\": empty"), std::string::npos);
  EXPECT_NE(errors[3].message.find("entry 5 \"::1\": IPv6 address must be in brackets"),
            std::string::npos)
      << errors[3].message;
}

TEST(DnsServersKey, SplitList) {
  EXPECT_TRUE(split_list("").empty());
  EXPECT_TRUE(split_list("  ").empty());
  EXPECT_EQ(split_list(" a , b,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_list("a,"), (std::vector<std::string>{"a", ""}));
}

TEST(BindAddressKey, DefaultIsBothWildcards) {
  auto r = parse_account("pbx.example.com", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->config.accounts[0].bind_address, "");
}

TEST(BindAddressKey, AnAddressOfEitherFamily) {
  for (const char* ok : {"0.0.0.0", "::", "127.0.0.1", "::1", "2001:db8::7"}) {
    auto r = parse_account("pbx.example.com", "bind_address = \"" + std::string(ok) + "\"");
    ASSERT_TRUE(r.ok()) << ok;
    EXPECT_EQ(r->config.accounts[0].bind_address, ok);
  }
}

TEST(BindAddressKey, NamesPortsAndBracketsAreRefused) {
  for (const char* bad : {"localhost", "127.0.0.1:5060", "[::1]", "1.2.3", "::g"}) {
    auto r = parse_account("pbx.example.com", "bind_address = \"" + std::string(bad) + "\"");
    ASSERT_FALSE(r.ok()) << bad;
    const auto& e = r.error().errors.at(0);
    EXPECT_EQ(e.key, "account[1].bind_address");
    EXPECT_EQ(e.line, 6);
    EXPECT_EQ(e.value, "\"" + std::string(bad) + "\"");
    EXPECT_NE(e.message.find("not an IP address"), std::string::npos) << e.message;
  }
}

TEST(BindAddressKey, FamilyMustReachAnIpLiteralServer) {
  auto v6_to_v4 = parse_account("192.0.2.1", "bind_address = \"::\"");
  ASSERT_FALSE(v6_to_v4.ok());
  EXPECT_NE(v6_to_v4.error().errors.at(0).message.find("cannot reach sip_server 192.0.2.1"),
            std::string::npos)
      << v6_to_v4.error().errors.at(0).message;
  auto v4_to_v6 = parse_account("[2001:db8::1]:5070", "bind_address = \"0.0.0.0\"");
  ASSERT_FALSE(v4_to_v6.ok());
  EXPECT_EQ(v4_to_v6.error().errors.at(0).key, "account[1].bind_address");
  auto via_proxy = parse_account("[2001:db8::1]",
                                 "outbound_proxy = \"192.0.2.9\"\n"
                                 "bind_address = \"127.0.0.1\"");
  EXPECT_TRUE(via_proxy.ok());
  EXPECT_TRUE(parse_account("pbx.example.com", "bind_address = \"::1\"").ok());
}
