// [[fleet]] templates: patterns, numbering, ports, password files, and their problems.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/fleet.hpp"
#include "config/load.hpp"

using namespace sipline::config;

namespace {

std::vector<std::string> errors_of(const ConfigResult& r) {
  std::vector<std::string> out;
  if (!r) {
    for (const auto& p : r.error().errors) out.push_back(format_problem(p));
  }
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& content) {
    path = std::filesystem::temp_directory_path() /
           ("sipline_fleet_" + std::to_string(::getpid()) + "_" +
            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::ofstream(path) << content;
  }
  ~TempFile() { std::filesystem::remove(path); }
};

// A fleet of three accounts ("{n}" on "h") with `extra` lines; problems name "f.toml".
ConfigResult three(const std::string& extra) {
  return parse_config("[[fleet]]\ncount = 3\nsip_server = \"h\"\nuser_id = \"{n}\"\n" + extra,
                      "f.toml");
}

std::string password_file_line(const TempFile& f) {
  return "password_file = \"" + f.path.string() + "\"\n";
}

}  // namespace

TEST(FleetPattern, ExpandsNumbersWithAndWithoutPadding) {
  detail::Pattern p;
  std::string why;
  ASSERT_TRUE(detail::parse_pattern("u{n}-{n:05}", p, why)) << why;
  EXPECT_EQ(detail::expand_pattern(p, 7), "u7-00007");
  EXPECT_EQ(detail::expand_pattern(p, 1234567), "u1234567-1234567");  // wider than W: as is
  ASSERT_TRUE(detail::parse_pattern("plain", p, why));
  EXPECT_EQ(detail::expand_pattern(p, 3), "plain");
  ASSERT_TRUE(detail::parse_pattern("", p, why));
  EXPECT_EQ(detail::expand_pattern(p, 3), "");
}

TEST(FleetPattern, RejectsOtherBraces) {
  detail::Pattern p;
  std::string why;
  for (const char* bad : {"{m}", "{n", "n}", "{n:5}", "{n:00}", "{n:010}", "{}", "{{n}}"}) {
    EXPECT_FALSE(detail::parse_pattern(bad, p, why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(Fleet, ExpandsAfterTheWrittenAccounts) {
  auto r = parse_config(R"([[fleet]]
count = 3
first = 2000
sip_server = "pbx.example.com"
user_id = "{n}"
auth_id = "a{n:06}"
password = "pw-{n}"
name = "Phone {n}"
blf = ["{n}", "sip:boss@pbx.example.com"]
register_expiration_min = 5

[[account]]
sip_server = "pbx.example.com"
user_id = "100"
)",
                        "f.toml");
  ASSERT_TRUE(r.ok()) << joined(errors_of(r));
  const auto& a = r->config.accounts;
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].user_id, "100");  // [[account]] first, whatever the order in the file
  EXPECT_EQ(a[0].local_sip_port, 5060);
  for (int k = 0; k < 3; ++k) {
    const auto& f = a[1 + k];
    const std::string n = std::to_string(2000 + k);
    EXPECT_EQ(f.user_id, n);
    EXPECT_EQ(f.auth_id, "a00" + n);
    EXPECT_EQ(f.password, "pw-" + n);
    EXPECT_EQ(f.name, "Phone " + n);
    EXPECT_EQ(f.blf, (std::vector<std::string>{n, "sip:boss@pbx.example.com"}));
    EXPECT_EQ(f.register_expiration_min.count(), 5);
    EXPECT_EQ(f.local_sip_port, 5060 + 2 * (1 + k));  // the defaults go on counting
  }
}

TEST(Fleet, DefaultNamesFirstAndPinnedPorts) {
  auto r = parse_config(R"([[fleet]]
count = 2
sip_server = "pbx.example.com"
user_id = "{n:03}"
transport = "tls"
local_sip_port = 30000

[[fleet]]
count = 2
sip_server = "pbx.example.com"
user_id = "x{n}"
local_sip_port = 40000
local_tls_port = 41000
)",
                        "f.toml");
  ASSERT_TRUE(r.ok()) << joined(errors_of(r));
  const auto& a = r->config.accounts;
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].user_id, "001");
  EXPECT_EQ(a[1].user_id, "002");
  EXPECT_EQ(a[1].name, "Account 2");
  EXPECT_EQ(a[0].tls_port(), 30001);
  EXPECT_EQ(a[1].tls_port(), 30003);
  EXPECT_EQ(a[2].user_id, "x1");
  EXPECT_EQ(a[3].local_sip_port, 40002);
  EXPECT_EQ(a[3].tls_port(), 41002);
}

TEST(Fleet, PortStepSpacesPinnedPorts) {
  auto r = three("local_sip_port = 20000\nport_step = 1\n");
  ASSERT_TRUE(r.ok()) << joined(errors_of(r));
  EXPECT_EQ(r->config.accounts[2].local_sip_port, 20002);
  r = three("port_step = 0\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(joined(errors_of(r)).find("f.toml:5: fleet[1].port_step = 0: out of range 1..100"),
            std::string::npos)
      << joined(errors_of(r));
}

TEST(Fleet, PasswordFileGivesOneLineEach) {
  TempFile f("first\r\nsecond\nthird\n");
  auto r = three(password_file_line(f));
  ASSERT_TRUE(r.ok()) << joined(errors_of(r));
  ASSERT_EQ(r->config.accounts.size(), 3u);
  EXPECT_EQ(r->config.accounts[0].password, "first");
  EXPECT_EQ(r->config.accounts[1].password, "second");
  EXPECT_EQ(r->config.accounts[2].password, "third");
  EXPECT_EQ(r->config.accounts[2].password_file, f.path.string());
}

// The template's texts are one copy for the whole fleet (memory per account), while what the
// patterns make stays each account's own.
TEST(Fleet, AccountsShareTheTemplatesTexts) {
  TempFile f("a\nb\nc\n");
  auto r = three(password_file_line(f) + "user_agent = \"loadtest/1 with a long product name\"\n" +
                 "display_name = \"Phone {n}\"\n");
  ASSERT_TRUE(r.ok()) << joined(errors_of(r));
  const auto& a = r->config.accounts;
  ASSERT_EQ(a.size(), 3u);
  EXPECT_TRUE(a[2].user_agent.shares_with(a[0].user_agent));
  EXPECT_TRUE(a[2].password_file.shares_with(a[0].password_file));
  EXPECT_EQ(a[1].user_agent, "loadtest/1 with a long product name");
  EXPECT_EQ(a[0].display_name, "Phone 1");
  EXPECT_EQ(a[2].display_name, "Phone 3");
}

// Accounts that keep the default User-Agent share its one copy too.
TEST(Fleet, DefaultUserAgentIsOneCopy) {
  const AccountConfig one = default_account(1);
  const AccountConfig two = default_account(2);
  EXPECT_TRUE(one.user_agent.shares_with(two.user_agent));
  EXPECT_EQ(one.user_agent.str().rfind("sipline/", 0), 0u);
  EXPECT_EQ(default_sip_port(2), 5062);
  EXPECT_EQ(default_sip_port(40000), 0);  // past 65535
}

TEST(Fleet, PasswordFileTooShortOrWithAHoleIsNamed) {
  TempFile short_file("alpha\nbravo\n");
  auto r = three(password_file_line(short_file));
  ASSERT_FALSE(r.ok());
  const std::string e = joined(errors_of(r));
  EXPECT_NE(e.find("f.toml:5: fleet[1].password_file"), std::string::npos) << e;
  EXPECT_NE(e.find("holds 2 passwords, count = 3"), std::string::npos) << e;
  EXPECT_EQ(e.find("alpha"), std::string::npos) << "a password leaked: " << e;

  TempFile hole("one\n\nthree\n");
  r = three(password_file_line(hole));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(joined(errors_of(r)).find("line 2 is empty"), std::string::npos);
}

TEST(Fleet, EveryProblemNamesTheFleetKeyValueAndLine) {
  auto r = parse_config(R"([[fleet]]
first = -1
sip_server = "pbx.example.com"
user_id = "{n}"
transport = "sctp"
tls_ca_file = "{n}.pem"
name = "Phone {m}"
registr_retry = 3
password = "a"
password_file = "/nonexistent/pw"
)",
                        "f.toml");
  ASSERT_FALSE(r.ok());
  const std::string e = joined(errors_of(r));
  EXPECT_NE(e.find("f.toml:1: fleet[1].count"), std::string::npos) << e;  // missing
  EXPECT_NE(e.find("f.toml:2: fleet[1].first = -1: out of range 0..999999999"), std::string::npos)
      << e;
  EXPECT_NE(e.find("{n} patterns are allowed only in"), std::string::npos) << e;
  EXPECT_NE(e.find("f.toml:7: fleet[1].name = \"Phone {m}\": unknown field \"{m}\""),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("f.toml:10: fleet[1].password_file"), std::string::npos) << e;
}

TEST(Fleet, TemplateProblemsComeOnceAndLastAccountIsChecked) {
  auto r = parse_config(R"([[fleet]]
count = 100
sip_server = "pbx.example.com"
user_id = "{n}"
transport = "sctp"
)",
                        "f.toml");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().errors.size(), 1u) << joined(errors_of(r));
  EXPECT_EQ(r.error().errors[0].key, "fleet[1].transport");

  // Pinned ports that run past 65535 for the last account.
  r = parse_config(
      "[[fleet]]\ncount = 10\nsip_server = \"h\"\nuser_id = \"{n}\"\n"
      "local_sip_port = 65530\n",
      "f.toml");
  ASSERT_FALSE(r.ok());
  std::string e = joined(errors_of(r));
  EXPECT_NE(e.find("f.toml:5: fleet[1].local_sip_port = 65530"), std::string::npos) << e;
  EXPECT_NE(e.find("10 accounts need ports 65530..65548"), std::string::npos) << e;
}

// Issue 13: accounts that pin no port need one of their own only without [daemon] shared_port
// (each account's table is validated before [daemon] is known; the check comes after).
constexpr const char* kPortlessFleet = R"([[fleet]]
count = 50000
sip_server = "127.0.0.1"
user_id = "u{n}"
password = "p{n}"
)";

TEST(Fleet, PortlessFiftyThousandPassWithASharedPort) {
  const std::string texts[] = {
      "[daemon]\nshared_port = \"udp:5060\"\n" + std::string(kPortlessFleet),
      std::string(kPortlessFleet) + "[daemon]\nshared_port = \"udp:5060,tcp:5060\"\n",
  };
  for (const std::string& text : texts) {
    auto r = parse_config(text, "big.toml");
    ASSERT_TRUE(r.ok()) << joined(errors_of(r));
    ASSERT_EQ(r->config.accounts.size(), 50000u);
    const CheckReport report = check_report(r, "big.toml");
    EXPECT_TRUE(report.ok);
    EXPECT_NE(report.text.find("big.toml: valid, 50000 accounts"), std::string::npos)
        << report.text;
  }
}

TEST(Fleet, PortlessFiftyThousandWithoutASharedPortIsOneClearError) {
  auto r = parse_config(kPortlessFleet, "big.toml");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().errors.size(), 1u) << joined(errors_of(r));
  const Problem& p = r.error().errors[0];
  EXPECT_EQ(p.key, "fleet[1][n=30239].local_sip_port");
  EXPECT_EQ(p.value, "65536");
  EXPECT_EQ(p.line, 1);
  const std::string e = format_problem(p);
  EXPECT_NE(e.find("big.toml:1: fleet[1][n=30239].local_sip_port = 65536"), std::string::npos) << e;
  EXPECT_NE(e.find("and 19761 more accounts"), std::string::npos) << e;
  EXPECT_NE(e.find("shared_port"), std::string::npos) << e;

  // A shared socket for another transport does not help: tcp accounts still need ports.
  r = parse_config("[daemon]\nshared_port = \"udp:5060\"\n" + std::string(kPortlessFleet) +
                       "transport = \"tcp\"\n",
                   "big.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().errors[0].key, "fleet[1][n=30239].local_sip_port") << joined(errors_of(r));
  EXPECT_NE(r.error().errors[0].message.find("shared_port is set, but not for tcp"),
            std::string::npos)
      << joined(errors_of(r));

  // Nor for accounts that bind an address of their own: the message says which key keeps them
  // off the shared socket.
  r = parse_config("[daemon]\nshared_port = \"udp:5060\"\n" + std::string(kPortlessFleet) +
                       "bind_address = \"127.0.0.1\"\n",
                   "big.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().errors[0].message.find(
                "shared_port is set, but an account with bind_address = \"127.0.0.1\" binds a "
                "socket of its own"),
            std::string::npos)
      << joined(errors_of(r));

  // Nor for a written [[account]] numbered past the default ports: named as itself.
  std::string many;
  for (int i = 0; i < 3; ++i) many += "[[account]]\nsip_server = \"h\"\nuser_id = \"a\"\n";
  r = parse_config(many + "[[fleet]]\ncount = 30236\nsip_server = \"h\"\nuser_id = \"{n}\"\n",
                   "f.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().errors[0].key, "fleet[1][n=30236].local_sip_port") << joined(errors_of(r));
  EXPECT_EQ(r.error().errors[0].message.find(" more accounts"), std::string::npos);
}

// The shared TLS socket has one TLS client context: its accounts must check servers alike.
TEST(Fleet, AccountsOnTheSharedTlsPortMustVerifyAlike) {
  const std::string head =
      "[daemon]\nshared_port = \"tls:5061\"\n[[account]]\nsip_server = "
      "\"h\"\nuser_id = \"a\"\ntransport = \"tls\"\n";
  const std::string fleet =
      "[[fleet]]\ncount = 3\nsip_server = \"h\"\nuser_id = \"u{n}\"\ntransport = \"tls\"\n";
  auto r = parse_config(head + fleet, "tls.toml");
  ASSERT_TRUE(r.ok()) << joined(errors_of(r));

  r = parse_config(head + fleet + "tls_verify = false\n", "tls.toml");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().errors.size(), 1u) << joined(errors_of(r));
  const Problem& p = r.error().errors[0];
  EXPECT_TRUE(p.key.ends_with(".tls_verify")) << p.key;
  EXPECT_EQ(p.value, "false");
  EXPECT_NE(p.message.find("differs from account[1]"), std::string::npos) << p.message;
  EXPECT_NE(p.message.find("tls_verify = true"), std::string::npos) << p.message;
  EXPECT_NE(p.message.find("and so do 2 more accounts"), std::string::npos) << p.message;

  // Not verifying, the CA file does not matter; an account with its own port is not concerned.
  r = parse_config(head + "tls_verify = false\n" + fleet + "tls_verify = false\n", "tls.toml");
  EXPECT_TRUE(r.ok()) << joined(errors_of(r));
  r = parse_config(head + "local_tls_port = 6001\n" + fleet + "tls_verify = false\n", "tls.toml");
  EXPECT_TRUE(r.ok()) << joined(errors_of(r));
}

TEST(Fleet, ClashesWithWrittenAccountsAreNamedByN) {
  auto r = parse_config(R"([[account]]
sip_server = "h"
user_id = "1"
local_sip_port = 7004

[[fleet]]
count = 5
sip_server = "h"
user_id = "{n}"
local_sip_port = 7000
)",
                        "f.toml");
  ASSERT_FALSE(r.ok());
  const std::string e = joined(errors_of(r));
  EXPECT_NE(e.find("fleet[1][n=3]"), std::string::npos) << e;
  EXPECT_NE(e.find("account[1]"), std::string::npos) << e;
}

TEST(Fleet, FiftyThousandAccountsExpand) {
  auto r = parse_config(R"([daemon]
http_listen = ""
[[fleet]]
count = 25000
sip_server = "127.0.0.1"
user_id = "u{n:05}"
password = "p{n}"
local_sip_port = 10000
[[fleet]]
count = 25000
first = 25001
sip_server = "127.0.0.1"
user_id = "u{n:05}"
transport = "tcp"
local_sip_port = 10000
)",
                        "big.toml");
  ASSERT_TRUE(r.ok()) << joined(errors_of(r));
  ASSERT_EQ(r->config.accounts.size(), 50000u);
  EXPECT_EQ(r->config.accounts[49999].user_id, "u50000");
  EXPECT_EQ(r->config.accounts[49999].local_sip_port, 10000 + 2 * 24999);
  EXPECT_EQ(r->config.accounts[12344].password, "p12345");
}
