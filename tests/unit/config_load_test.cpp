// The loader: whole files, positions, cross-account checks, files, the check report.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/load.hpp"
#include "config/validate.hpp"

using namespace sipline::config;

namespace {

const std::string kData = SIPLINE_CONFIG_TEST_DATA;

std::string read(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::vector<Problem>& v) {
  std::vector<std::string> out;
  for (const auto& p : v) out.push_back(format_problem(p));
  return out;
}

// Account N with a distinct port so that several accounts never clash by accident.
std::string account(const std::string& extra = "") {
  return "[[account]]\nsip_server = \"pbx.example.com\"\nuser_id = \"1001\"\n" + extra;
}

}  // namespace

TEST(Load, MinimalFileGetsEveryDefault) {
  auto r = parse_config(account() + account() + account(), "t.toml");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->config.accounts.size(), 3u);
  EXPECT_EQ(r->config.accounts[2].name, "Account 3");
  EXPECT_EQ(r->config.accounts[2].local_sip_port, 5064);
  EXPECT_EQ(r->config.accounts[0].auth_user(), "1001");
  EXPECT_EQ(r->config.daemon.http_listen.to_string(), "127.0.0.1:8080");
  EXPECT_TRUE(r->warnings.empty());
}

TEST(Load, FullDaemonAndTimers) {
  auto r = parse_config(
      "[daemon]\nstate_dir = \"/tmp/s\"\nhttp_listen = \"\"\nlog_level = \"debug\"\n"
      "sip_trace = \"/tmp/t.txt\"\n[timers]\nt1_ms = 100\nt2_ms = 100\nt4_ms = 2000\n" +
          account(),
      "t.toml");
  ASSERT_TRUE(r.ok());
  const Config& c = r->config;
  EXPECT_EQ(c.daemon.state_dir, "/tmp/s");
  EXPECT_TRUE(c.daemon.http_listen.empty());
  EXPECT_EQ(c.daemon.log_level, LogLevel::debug);
  EXPECT_EQ(c.daemon.sip_trace, "/tmp/t.txt");
  EXPECT_EQ(c.timers.t1.count(), 100);
  EXPECT_EQ(c.timers.t2.count(), 100);
  EXPECT_EQ(c.timers.t4.count(), 2000);
}

TEST(Load, TimerT2BelowT1IsAnError) {
  auto r = parse_config(account() + "[timers]\nt1_ms = 1000\nt2_ms = 999\n", "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      lines_of(r.error().errors),
      std::vector<std::string>{"t.toml:6: timers.t2_ms = 999: must not be below t1_ms = 1000"});
}

TEST(Load, RtpPortRangeNeedsOnePair) {
  auto ok = parse_config(
      account() +
          "[daemon]\nrtp_port_min = 40000\nrtp_port_max = 40001\ncall_record_dir = \"/tmp/r\"\n",
      "t.toml");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->config.daemon.rtp_port_min, 40000);
  EXPECT_EQ(ok->config.daemon.rtp_port_max, 40001);
  EXPECT_EQ(ok->config.daemon.call_record_dir, "/tmp/r");
  auto r =
      parse_config(account() + "[daemon]\nrtp_port_min = 40000\nrtp_port_max = 40000\n", "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(lines_of(r.error().errors),
            std::vector<std::string>{"t.toml:6: daemon.rtp_port_max = 40000: must leave room for "
                                     "one RTP/RTCP pair above rtp_port_min = 40000"});
}

TEST(Load, PcapTraceIsAccepted) {
  auto r = parse_config(account() + "[daemon]\nsip_trace = \"/tmp/t.pcap\"\n", "t.toml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->config.daemon.sip_trace, "/tmp/t.pcap");
}

TEST(Load, HttpListenNeedsAPort) {
  auto r = parse_config(account() + "[daemon]\nhttp_listen = \"127.0.0.1\"\n", "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(format_problem(r.error().errors.at(0)),
            "t.toml:5: daemon.http_listen = \"127.0.0.1\": not host:port or \"\": port required "
            "(host:port)");
}

TEST(Load, UnknownKeysSuggestTheClosest) {
  auto r = parse_config("accounts = 1\nlog_level = \"info\"\n" +
                            account("registration_retry_wait = 20\ncolour = \"red\"\n") +
                            "[daemon]\nhttp_listn = 1\n",
                        "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(lines_of(r.error().errors),
            (std::vector<std::string>{
                "t.toml:1: accounts: unknown key \"accounts\" (did you mean \"account\"?)",
                "t.toml:2: log_level: unknown key \"log_level\" (it belongs under "
                "[daemon])",
                "t.toml:6: account[1].registration_retry_wait: unknown key "
                "\"registration_retry_wait\" (did you mean \"registration_retry_wait_s\"?)",
                "t.toml:7: account[1].colour: unknown key \"colour\"",
                "t.toml:9: daemon.http_listn: unknown key \"http_listn\" (did you mean "
                "\"http_listen\"?)",
            }));
}

TEST(Load, RequiredKeysMissingAreNamedAtTheAccountHeader) {
  auto r = parse_config(
      "[daemon]\nlog_level = \"info\"\n\n[[account]]\nname = \"x\"\n"
      "[[account]]\nsip_server = \"\"\nuser_id = \"1001\"\n",
      "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(lines_of(r.error().errors),
            (std::vector<std::string>{
                "t.toml:4: account[1].sip_server: required key missing",
                "t.toml:4: account[1].user_id: required key missing",
                "t.toml:7: account[2].sip_server = \"\": required, must not be empty",
            }));
}

TEST(Load, SyntaxErrorHasLineAndColumn) {
  auto r = parse_config("[daemon]\nlog_level = \"info\n", "s.toml");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().errors.size(), 1u);
  const Problem& p = r.error().errors[0];
  EXPECT_EQ(p.code, ProblemCode::syntax);
  EXPECT_EQ(p.line, 2u);
  EXPECT_GT(p.column, 0u);
  EXPECT_EQ(format_problem(p).rfind("s.toml:2:" + std::to_string(p.column) + ": ", 0), 0u)
      << format_problem(p);

  auto dup = parse_config(account("user_id = \"1002\"\n"), "s.toml");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().errors.at(0).code, ProblemCode::syntax);
  EXPECT_EQ(dup.error().errors.at(0).line, 4u);
}

// Inputs that break toml++ 3.3's parser preconditions or reach its "unreachable" code (found by
// fuzz/fuzz_config.cpp) must give a syntax error, not an assert() abort or undefined behaviour
// (see config/toml_include.hpp; the sanitizer build turns a regression into a failure).
TEST(Load, MalformedInputThatTrippedTomlPlusPlusIsASyntaxError) {
  const std::string inputs[] = {
      std::string("[\0", 2), "[&", "[[[1]]]", "[[=", "[\n", "[a.&]\n", "x = [1,}]\n",
      "[account]\nx = [1,}]\n",
      // U+FE7F where whitespace may be: toml++ reached its "unreachable" code
      "ac\xef\xb9\xbf = 1\n", "a = 1 \xef\xb9\xbf\n"};
  for (const std::string& in : inputs) {
    auto r = parse_config(in, "m.toml");
    ASSERT_FALSE(r.ok()) << in;
    ASSERT_EQ(r.error().errors.size(), 1u) << in;
    EXPECT_EQ(r.error().errors[0].code, ProblemCode::syntax) << in;
    EXPECT_EQ(r.error().errors[0].line, in.starts_with("[account]") ? 2u : 1u) << in;
  }
  auto r = parse_config("[&", "m.toml");
  EXPECT_EQ(format_problem(r.error().errors.at(0)),
            "m.toml:1:2: Error while parsing key: expected bare key starting character or string "
            "delimiter, saw '&'");
}

TEST(Load, AccountMustBeAnArrayOfTables) {
  auto r = parse_config("[account]\nuser_id = \"1\"\n", "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(format_problem(r.error().errors.at(0)),
            "t.toml:1: account: wrong type: expected array of tables ([[account]]), got table");
  auto d = parse_config("daemon = 5\n" + account(), "t.toml");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(format_problem(d.error().errors.at(0)),
            "t.toml:1: daemon: wrong type: expected table, got integer");
  auto a = parse_config("account = \"x\"\n", "t.toml");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(format_problem(a.error().errors.at(0)),
            "t.toml:1: account: wrong type: expected array of tables ([[account]]), got string");
  auto e = parse_config("account = [1]\n", "t.toml");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(format_problem(e.error().errors.at(0)),
            "t.toml:1: account[1] = 1: wrong type: expected table, got integer");
}

TEST(Load, Ipv6ServerAndProxy) {
  auto r = parse_config(
      "[[account]]\nsip_server = \"[2001:db8::5]:5080\"\noutbound_proxy = \"[::1]\"\n"
      "user_id = \"1001\"\n",
      "t.toml");
  ASSERT_TRUE(r.ok());
  const AccountConfig& a = r->config.accounts[0];
  EXPECT_EQ(a.sip_server.host, "2001:db8::5");
  EXPECT_EQ(a.sip_server.port, 5080);
  EXPECT_TRUE(a.sip_server.is_ipv6());
  EXPECT_EQ(a.outbound_proxy.host, "::1");
  EXPECT_FALSE(a.outbound_proxy.port.has_value());

  auto bad =
      parse_config("[[account]]\nsip_server = \"2001:db8::5\"\nuser_id = \"1001\"\n", "t.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(format_problem(bad.error().errors.at(0)),
            "t.toml:2: account[1].sip_server = \"2001:db8::5\": not host[:port]: IPv6 address "
            "must be in brackets, e.g. [2001:db8::1]:5060");
}

TEST(Load, UserPartAndControlCharacters) {
  auto r = parse_config("[[account]]\nsip_server = \"h\"\nuser_id = \"a b\"\n" +
                            account("display_name = \"x\\r\\nVia: evil\"\n"),
                        "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(lines_of(r.error().errors),
            (std::vector<std::string>{
                "t.toml:3: account[1].user_id = \"a b\": not a valid SIP user part",
                "t.toml:7: account[2].display_name = \"x\\r\\nVia: evil\": contains a control "
                "character",
            }));
  EXPECT_TRUE(
      parse_config("[[account]]\nsip_server = \"h\"\nuser_id = \"+49%20a.b_c!~*'()&=$,;?/\"\n",
                   "t.toml")
          .ok());
}

TEST(Load, PortClashNamesBothAccounts) {
  auto r = parse_config(account("name = \"Front\"\n") +                                // udp 5060
                            account("name = \"Back\"\nlocal_sip_port = 5060\n") +      // udp 5060
                            account("local_sip_port = 5060\ntransport = \"tcp\"\n") +  // tcp: ok
                            account("transport = \"tls\"\nlocal_tls_port = 5060\n") +  // tcp 5060
                            account("active = false\nlocal_sip_port = 5060\n"),  // inactive: ok
                        "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(lines_of(r.error().errors),
            (std::vector<std::string>{
                "t.toml:9: account[2].local_sip_port = 5060: udp port 5060 is claimed by both "
                "account[1] (\"Front\") and account[2] (\"Back\"); two active accounts may not "
                "share a port and transport",
                "t.toml:19: account[4].local_tls_port = 5060: tcp port 5060 is claimed by both "
                "account[3] (\"Account 3\", tcp) and account[4] (\"Account 4\", tls); two active "
                "accounts may not share a port and transport",
            }));
}

// "auto" may end on UDP, TCP or TLS: it claims its SIP port on both protocols and its TLS port.
TEST(Load, AutoTransportClaimsEveryPortItMayUse) {
  auto r = parse_config(account("transport = \"auto\"\nlocal_sip_port = 6000\n") +  // 6000, 6001
                            account("transport = \"tcp\"\nlocal_sip_port = 6001\n") +
                            account("transport = \"auto\"\nlocal_sip_port = 6002\n"),
                        "t.toml");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().errors.size(), 1U);
  EXPECT_NE(lines_of(r.error().errors)[0].find("tcp port 6001 is claimed by both account[1] "
                                               "(\"Account 1\", auto) and account[2]"),
            std::string::npos)
      << lines_of(r.error().errors)[0];
  EXPECT_TRUE(parse_config(account("transport = \"auto\"\n"), "t.toml").ok());
  auto bad = parse_config(account("transport = \"sctp\"\n"), "t.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(lines_of(bad.error().errors)[0].find("auto"), std::string::npos);  // the allowed list
}

TEST(Load, TlsPortDefaultsToSipPortPlusOneAndMustFit) {
  auto r = parse_config(account("transport = \"tls\"\nlocal_sip_port = 6000\n"), "t.toml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->config.accounts[0].listen_port(), 6001);
  auto bad = parse_config(account("transport = \"tls\"\nlocal_sip_port = 65535\n"), "t.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(format_problem(bad.error().errors.at(0)),
            "t.toml:1: account[1].local_tls_port = 65536: default local_sip_port + 1 is out of "
            "range 5..65535; set local_tls_port");
}

TEST(Load, PasswordFileIsReadAndStripped) {
  auto r = parse_config(account("password_file = \"secret.txt\"\n"), "t.toml", kData);
  ASSERT_TRUE(r.ok()) << format_problem(r.error().errors.at(0));
  EXPECT_EQ(r->config.accounts[0].password, "pa ss\"word");
  EXPECT_EQ(r->config.accounts[0].password_file, "secret.txt");

  auto abs = parse_config(account("password_file = \"" + kData + "/secret.txt\"\n"), "t.toml");
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(abs->config.accounts[0].password, "pa ss\"word");

  auto missing = parse_config(account("password_file = \"nope.txt\"\n"), "t.toml", kData);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(format_problem(missing.error().errors.at(0)),
            "t.toml:4: account[1].password_file = \"nope.txt\": cannot read: No such file or "
            "directory");

  auto both =
      parse_config(account("password = \"x\"\npassword_file = \"secret.txt\"\n"), "t.toml", kData);
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(format_problem(both.error().errors.at(0)),
            "t.toml:5: account[1].password_file = \"secret.txt\": give password or "
            "password_file, not both");
}

TEST(Load, SpecialFilesAreRefusedNotReadForever) {
  auto dev = parse_config(account("password_file = \"/dev/zero\"\n"), "t.toml");
  ASSERT_FALSE(dev.ok());
  EXPECT_EQ(dev.error().errors.at(0).message, "cannot read: not a regular file");
  auto dir = parse_config(account("tls_ca_file = \"/\"\n"), "t.toml");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().errors.at(0).message, "cannot read: not a regular file");
  auto ca = parse_config(account("tls_ca_file = \"secret.txt\"\n"), "t.toml", kData);
  EXPECT_TRUE(ca.ok());
  EXPECT_FALSE(check_config_file("/dev/zero").ok);
}

TEST(Load, PasswordNeverAppearsInProblems) {
  auto r = parse_config(account("password = 12345\n"), "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(format_problem(r.error().errors.at(0)),
            "t.toml:4: account[1].password = <hidden>: wrong type: expected string, got integer");
}

// A misspelt secret key is unknown, so nothing says it is secret: no unknown key's value is shown,
// wherever it stands (account, [daemon], top level).
TEST(Load, UnknownKeysNeverShowTheirValue) {
  for (const std::string& text : std::vector<std::string>{
           account("pasword = \"s3cret\"\n"), account("auth_secret = \"s3cret\"\n"),
           "[daemon]\npasword = \"s3cret\"\n" + account(""), "pasword = \"s3cret\"\n" + account(""),
           "[daemon]\nhttp_tokn_file = \"s3cret\"\n" + account("")}) {
    auto r = parse_config(text, "t.toml");
    ASSERT_FALSE(r.ok()) << text;
    const std::string report = check_report(r, "t.toml").text;
    EXPECT_EQ(report.find("s3cret"), std::string::npos) << report;
    EXPECT_NE(report.find("t.toml"), std::string::npos) << report;
  }
  auto r = parse_config(account("pasword = \"s3cret\"\n"), "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(format_problem(r.error().errors.at(0)),
            "t.toml:4: account[1].pasword: unknown key \"pasword\" (did you mean \"password\"?)");
}

TEST(Load, WarningsAreSeparate) {
  auto r = parse_config(account("register_expiration_min = 1\nreregister_before_expiration_s = 60\n"
                                "unregister_before_new_registration = \"all\"\n"),
                        "t.toml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(lines_of(r->warnings),
            (std::vector<std::string>{
                "t.toml:5: account[1].reregister_before_expiration_s = 60: not below "
                "register_expiration_min * 60 = 60 s: refresh falls back to automatic timing",
                "t.toml:6: account[1].unregister_before_new_registration = \"all\": \"all\" also "
                "removes the bindings of other devices registered for the same AOR",
            }));
  auto fine = parse_config(account("reregister_before_expiration_s = 3599\n"), "t.toml");
  ASSERT_TRUE(fine.ok());
  EXPECT_TRUE(fine->warnings.empty());
  auto none = parse_config("[daemon]\n", "t.toml");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(lines_of(none->warnings),
            std::vector<std::string>{"t.toml: no [[account]] table: nothing to register"});
}

TEST(Load, ErrorsFileGivesTheExpectedReport) {
  const std::string text = read(kData + "/errors.toml");
  ASSERT_FALSE(text.empty());
  const CheckReport report = check_report(parse_config(text, "errors.toml", kData), "errors.toml");
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.text, read(kData + "/errors.expected"));
}

TEST(Load, ValidExampleFileChecksClean) {
  const CheckReport report =
      check_config_file(std::string(SIPLINE_CONFIG_TEST_DATA) + "/../../../examples/sipline.toml");
  EXPECT_TRUE(report.ok) << report.text;
}

TEST(Load, MissingFileIsAnIoError) {
  const CheckReport report = check_config_file("/nonexistent/sipline.toml");
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.text,
            "/nonexistent/sipline.toml: cannot read: No such file or directory\n"
            "/nonexistent/sipline.toml: invalid, 1 error, 0 warnings\n");
}

TEST(Validate, HttpStyleUpdateOnTopOfAnAccount) {
  auto r = parse_config(account(), "t.toml");
  ASSERT_TRUE(r.ok());
  const AccountConfig current = r->config.accounts[0];
  const SettingsSource src{"http", "account[1]", {}, ""};
  Diagnostics d;
  SettingList ok{{"register_expiration_min", SettingValue::integer(5), {}},
                 {"transport", SettingValue::text("tcp"), {}}};
  AccountConfig updated = validate_account(ok, src, current, d);
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(updated.register_expiration_min.count(), 5);
  EXPECT_EQ(updated.transport, Transport::tcp);
  EXPECT_EQ(updated.user_id, "1001");  // required keys come from the current settings

  SettingList bad{{"register_expiration_min", SettingValue::integer(0), {}},
                  {"transport", SettingValue::boolean(true), {}},
                  {"sip_servr", SettingValue::text("x"), {}}};
  validate_account(bad, src, current, d);
  EXPECT_EQ(lines_of(d.errors),
            (std::vector<std::string>{
                "http: account[1].register_expiration_min = 0: out of range 1..64800",
                "http: account[1].transport = true: wrong type: expected string, got boolean",
                "http: account[1].sip_servr: unknown key \"sip_servr\" (did you mean "
                "\"sip_server\"?)",
            }));
}

TEST(Listing, AccountToTomlParsesBackToTheSameSettings) {
  auto r = parse_config(
      account("transport = \"tls\"\ntls_uri_scheme = \"sips\"\ndisplay_name = \"Gate \\\"2\\\"\"\n"
              "outbound_proxy = \"[::1]:5070\"\nregister_expiration_min = 5\n"
              "unregister_before_new_registration = \"no\"\npassword = \"x\"\n"),
      "t.toml");
  ASSERT_TRUE(r.ok());
  const AccountConfig& a = r->config.accounts[0];
  auto again = parse_config("[[account]]\n" + account_to_toml(a), "dump.toml");
  ASSERT_TRUE(again.ok()) << format_problem(again.error().errors.at(0));
  std::vector<std::string> first, second;
  for_each_setting(a, [&](std::string_view k, const std::string& v) {
    first.push_back(std::string(k) + "=" + v);
  });
  for_each_setting(again->config.accounts[0], [&](std::string_view k, const std::string& v) {
    second.push_back(std::string(k) + "=" + v);
  });
  EXPECT_EQ(first, second);
  EXPECT_EQ(again->config.accounts[0].password, "");  // the dump never carries it
}

TEST(Listing, TlsPortPastTheLastPortIsLeftOut) {
  auto r = parse_config(account("local_sip_port = 65535\n"), "t.toml");
  ASSERT_TRUE(r.ok());
  const std::string dump = account_to_toml(r->config.accounts[0]);
  EXPECT_EQ(dump.find("local_tls_port"), std::string::npos);
  EXPECT_TRUE(parse_config("[[account]]\n" + dump, "dump.toml").ok());
}

TEST(Robustness, TruncatedAndCorruptedFilesGiveProblemsNeverCrashes) {
  const std::string text =
      read(kData + "/errors.toml") + read(kData + "/../../../examples/sipline.toml");
  ASSERT_FALSE(text.empty());
  std::size_t failures = 0;
  for (std::size_t cut = 0; cut <= text.size(); cut += 7) {
    auto r = parse_config(std::string_view(text).substr(0, cut), "cut.toml");
    failures += !r.ok();
    if (!r.ok()) {
      EXPECT_FALSE(r.error().errors.empty());
    }
  }
  EXPECT_GT(failures, 0u);
  const char junk[] = {'\0', '"', '[', ']', '=', '\n', '\xff', '#', '\'', '{'};
  std::string mutated = text;
  for (std::size_t i = 0; i < mutated.size(); i += 13) {
    mutated[i] = junk[i % sizeof junk];
    auto r = parse_config(mutated, "junk.toml");
    if (!r.ok()) {
      for (const auto& p : r.error().errors) EXPECT_FALSE(format_problem(p).empty());
    }
  }
}

TEST(Validate, UpdateAccountChecksPortsAgainstTheOthers) {
  auto r = parse_config(account("name = \"A\"\n") + account("name = \"B\"\n"), "t.toml");
  ASSERT_TRUE(r.ok());
  const Config& cfg = r->config;

  auto moved = update_account(cfg, 2, {{"local_sip_port", SettingValue::integer(5060), {}}});
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(lines_of(moved.error().errors),
            std::vector<std::string>{
                "http: account[2].local_sip_port = 5060: udp port 5060 is claimed by both "
                "account[1] (\"A\") and account[2] (\"B\"); two active accounts may not share a "
                "port and transport"});

  auto other_transport =
      update_account(cfg, 2,
                     {{"local_sip_port", SettingValue::integer(5060), {}},
                      {"transport", SettingValue::text("tcp"), {}},
                      {"unregister_before_new_registration", SettingValue::text("all"), {}}});
  ASSERT_TRUE(other_transport.ok());
  EXPECT_EQ(other_transport->account.local_sip_port, 5060);
  EXPECT_EQ(other_transport->account.name, "B");
  EXPECT_EQ(other_transport->warnings.size(), 1u);

  auto missing = update_account(cfg, 3, {}, "api");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(format_problem(missing.error().errors.at(0)), "api: account[3]: no such account");
}
