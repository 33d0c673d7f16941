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

// [daemon] shared_port (issue 13): PROTOCOL:PORT entries, each protocol once.
TEST(SharedPortKey, EntriesParsed) {
  std::vector<SharedPortSpec> specs;
  std::string why;
  ASSERT_TRUE(parse_shared_ports("udp:5060, tls:5061", specs, why)) << why;
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0], (SharedPortSpec{Transport::udp, 5060}));
  EXPECT_EQ(specs[1], (SharedPortSpec{Transport::tls, 5061}));
  ASSERT_TRUE(parse_shared_ports("", specs, why));
  EXPECT_TRUE(specs.empty());
  for (const char* bad : {"udp", "sctp:5060", "udp:0", "udp:65536", "udp:50x", "udp:1,udp:2"}) {
    EXPECT_FALSE(parse_shared_ports(bad, specs, why)) << bad;
  }
  EXPECT_FALSE(parse_shared_ports("udp:1,udp:2", specs, why));
  EXPECT_NE(why.find("udp is listed twice"), std::string::npos) << why;
}

// [daemon] admission (issue 13): "auto" (the default) or "fixed"; anything else is named.
TEST(AdmissionKey, AutoByDefaultFixedOnRequestOthersNamed) {
  auto r = parse_daemon("log_level = \"info\"");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->config.daemon.admission, Admission::automatic);
  r = parse_daemon("admission = \"fixed\"");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->config.daemon.admission, Admission::fixed);
  r = parse_daemon("admission = \"adaptive\"");
  ASSERT_FALSE(r.ok());
  const auto& e = r.error().errors.at(0);
  EXPECT_EQ(e.key, "daemon.admission");
  EXPECT_EQ(e.line, 2);
  EXPECT_NE(format_problem(e).find("auto"), std::string::npos) << format_problem(e);
}

TEST(SharedPortKey, BadValueNamedWithKeyValueAndLine) {
  auto r = parse_daemon("shared_port = \"tcp:5060,sctp:1\"");
  ASSERT_FALSE(r.ok());
  const auto& e = r.error().errors.at(0);
  EXPECT_EQ(e.key, "daemon.shared_port");
  EXPECT_EQ(e.line, 2);
  EXPECT_NE(e.message.find("entry \"sctp:1\": protocol must be udp, tcp or tls"), std::string::npos)
      << e.message;
}

// Accounts that pin no port share the socket: no clash among them; a pinned one keeps its own,
// and two sharing accounts with one user get distinct Contact line tokens.
TEST(SharedPortKey, UnpinnedAccountsShareAndGetLineTokensOnlyWhenUsersClash) {
  const std::string account = "[[account]]\nsip_server = \"pbx.example.com\"\nuser_id = ";
  auto r = parse_config("[daemon]\nshared_port = \"udp:5070\"\n" + account + "\"1001\"\n" +
                            account + "\"1001\"\n" + account + "\"1002\"\n" + account +
                            "\"1003\"\nlocal_sip_port = 5080\n" + account +
                            "\"1003\"\nlocal_sip_port = 5080\n",
                        "t.toml");
  ASSERT_FALSE(r.ok());  // only the two pinned ones clash
  ASSERT_EQ(r.error().errors.size(), 1u);
  EXPECT_EQ(r.error().errors[0].key, "account[5].local_sip_port");
  auto ok = parse_config("[daemon]\nshared_port = \"udp:5070\"\n" + account + "\"1001\"\n" +
                             account + "\"1001\"\n" + account + "\"1002\"\n" + account +
                             "\"1001\"\nlocal_sip_port = 5080\n",
                         "t.toml");
  ASSERT_TRUE(ok.ok());
  const auto& a = ok->config.accounts;
  EXPECT_FALSE(a[0].port_pinned);
  EXPECT_TRUE(a[3].port_pinned);
  EXPECT_EQ(a[0].contact_line, "l1");
  EXPECT_EQ(a[1].contact_line, "l2");
  EXPECT_EQ(a[2].contact_line, "");  // a user of its own
  EXPECT_EQ(a[3].contact_line, "");  // its own socket
  EXPECT_TRUE(
      a[0].shares_port(Transport::udp, std::vector<SharedPortSpec>{{Transport::udp, 5070}}));
  EXPECT_FALSE(
      a[0].shares_port(Transport::tcp, std::vector<SharedPortSpec>{{Transport::udp, 5070}}));
}
