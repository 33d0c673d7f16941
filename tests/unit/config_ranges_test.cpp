// Every ranged key at min, max, min-1 and max+1; every enum value; type errors.
#include <gtest/gtest.h>

#include "config/load.hpp"
#include "config/schema.hpp"
#include "config/validate.hpp"

using namespace sipline::config;

namespace {

const std::string kAccountHead =
    "[[account]]\n"
    "sip_server = \"pbx.example.com\"\n"
    "user_id = \"1001\"\n";

ConfigResult parse_account_line(const std::string& line) {
  return parse_config(kAccountHead + line + "\n", "t.toml");
}

struct Ranged {
  const char* table;  // "account", "timers"
  const char* key;
  long long min, max;
};

const Ranged kRanged[] = {
    {"account", "register_expiration_min", 1, 64800},
    {"account", "subscribe_expiration_min", 1, 64800},
    {"account", "reregister_before_expiration_s", 0, 64800},
    {"account", "registration_retry_wait_s", 1, 3600},
    {"account", "options_keepalive_interval_s", 1, 64800},
    {"account", "options_keepalive_max_tries", 3, 10},
    {"account", "local_sip_port", 5, 65535},
    {"account", "auth_failure_retry_wait_s", 1, 86400},
    {"account", "local_tls_port", 5, 65535},
    {"account", "auto_answer_delay_s", 0, 600},
    {"account", "max_calls", 1, 1000},
    {"timers", "t1_ms", 1, 60000},
    {"timers", "t2_ms", 1, 600000},
    {"timers", "t4_ms", 1, 600000},
    {"daemon", "registrations_in_flight", 1, 10000},
    {"daemon", "rtp_port_min", 1024, 65534},
    {"daemon", "rtp_port_max", 1025, 65535},
    {"daemon", "http_max_connections", 1, 10000},
};

ConfigResult parse_ranged(const Ranged& r, long long v) {
  const std::string line = std::string(r.key) + " = " + std::to_string(v);
  if (std::string(r.table) == "account") return parse_account_line(line);
  // t2 must not be below t1: keep the other timers out of the way.
  const std::string key = r.key;
  // Likewise rtp_port_max must leave a pair above rtp_port_min.
  const std::string extra = key == "t2_ms"          ? "t1_ms = 1\n"
                            : key == "t1_ms"        ? "t2_ms = 600000\n"
                            : key == "rtp_port_min" ? "rtp_port_max = 65535\n"
                            : key == "rtp_port_max" ? "rtp_port_min = 1024\n"
                                                    : "";
  return parse_config(kAccountHead + "[" + r.table + "]\n" + extra + line + "\n", "t.toml");
}

}  // namespace

TEST(Ranges, SchemaMatchesTheSpec) {
  int seen = 0;
  for (const auto& r : kRanged) {
    const std::string table = r.table;
    auto keys = table == "account"  ? account_keys()
                : table == "timers" ? timer_keys()
                                    : daemon_keys();
    const KeyInfo* k = find_key(keys, r.key);
    ASSERT_NE(k, nullptr) << r.key;
    EXPECT_EQ(k->kind, ValueKind::integer);
    EXPECT_EQ(k->min, r.min) << r.key;
    EXPECT_EQ(k->max, r.max) << r.key;
    ++seen;
  }
  int integers = 0;
  for (auto keys : {account_keys(), timer_keys(), daemon_keys()}) {
    for (const auto& k : keys) integers += k.kind == ValueKind::integer;
  }
  EXPECT_EQ(integers, seen) << "a ranged key is missing from this test";
}

TEST(Ranges, EdgesInsideAreAcceptedOutsideRejected) {
  for (const auto& r : kRanged) {
    for (long long v : {r.min, r.max}) {
      auto res = parse_ranged(r, v);
      EXPECT_TRUE(res.ok()) << r.key << " = " << v << "\n"
                            << (res ? "" : format_problem(res.error().errors.at(0)));
    }
    for (long long v : {r.min - 1, r.max + 1}) {
      auto res = parse_ranged(r, v);
      ASSERT_FALSE(res.ok()) << r.key << " = " << v;
      ASSERT_EQ(res.error().errors.size(), 1u) << r.key;
      const Problem& p = res.error().errors[0];
      const std::string range = std::to_string(r.min) + ".." + std::to_string(r.max);
      EXPECT_EQ(p.code, ProblemCode::range);
      EXPECT_EQ(p.key,
                std::string(r.table) + (std::string(r.table) == "account" ? "[1]." : ".") + r.key);
      EXPECT_EQ(p.value, std::to_string(v));
      EXPECT_EQ(p.allowed, range);
      EXPECT_EQ(p.message, "out of range " + range);
    }
  }
}

TEST(Ranges, ValuesAreStoredInTheirUnits) {
  using namespace std::chrono_literals;
  auto res = parse_account_line(
      "register_expiration_min = 64800\nreregister_before_expiration_s = 30\n"
      "options_keepalive_max_tries = 10\nlocal_sip_port = 5\nlocal_tls_port = 65535");
  ASSERT_TRUE(res.ok());
  const AccountConfig& a = res->config.accounts.at(0);
  EXPECT_EQ(a.register_expiration_min, 64800min);
  EXPECT_EQ(a.reregister_before_expiration_s, 30s);
  EXPECT_EQ(a.options_keepalive_max_tries, 10);
  EXPECT_EQ(a.local_sip_port, 5);
  EXPECT_EQ(a.tls_port(), 65535);
  EXPECT_TRUE(res->warnings.empty());
}

TEST(Enums, EveryValueAcceptedAndOthersRejected) {
  struct Row {
    const char* key;
    std::vector<const char*> ok;
    const char* allowed;
  };
  const Row rows[] = {
      {"unregister_before_new_registration",
       {"no", "all", "instance"},
       "\"no\", \"all\", \"instance\""},
      {"transport", {"udp", "tcp", "tls", "auto"}, "\"udp\", \"tcp\", \"tls\", \"auto\""},
      {"tls_uri_scheme", {"sip", "sips"}, "\"sip\", \"sips\""},
  };
  for (const Row& r : rows) {
    for (const char* v : r.ok) {
      auto res = parse_account_line(std::string(r.key) + " = \"" + v + "\"");
      ASSERT_TRUE(res.ok()) << r.key << " = " << v;
      std::string shown;
      for_each_setting(res->config.accounts[0], [&](std::string_view k, const std::string& s) {
        if (k == r.key) shown = s;
      });
      EXPECT_EQ(shown, v);
    }
    for (const char* bad : {"UDP", "", "none", "Instance"}) {
      auto res = parse_account_line(std::string(r.key) + " = \"" + bad + "\"");
      ASSERT_FALSE(res.ok()) << r.key << " = " << bad;
      const Problem& p = res.error().errors.at(0);
      EXPECT_EQ(p.code, ProblemCode::choice);
      EXPECT_EQ(p.message, std::string("must be one of ") + r.allowed);
      EXPECT_EQ(p.value, std::string("\"") + bad + "\"");
    }
  }
  auto res = parse_config(kAccountHead + "[daemon]\nlog_level = \"verbose\"\n", "t.toml");
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(format_problem(res.error().errors.at(0)),
            "t.toml:5: daemon.log_level = \"verbose\": must be one of \"trace\", \"debug\", "
            "\"info\", \"warn\", \"error\"");
}

TEST(Types, WrongTypeNamesTheExpectedOne) {
  struct Row {
    const char* line;
    const char* message;
  };
  const Row rows[] = {
      {"register_expiration_min = \"60\"", "wrong type: expected integer, got string"},
      {"register_expiration_min = 60.0", "wrong type: expected integer, got float"},
      {"active = \"yes\"", "wrong type: expected boolean, got string"},
      {"active = 1", "wrong type: expected boolean, got integer"},
      {"transport = 1", "wrong type: expected string, got integer"},
      {"display_name = [\"a\"]", "wrong type: expected string, got array"},
      {"name = { x = 1 }", "wrong type: expected string, got table"},
      {"password = true", "wrong type: expected string, got boolean"},
      {"local_sip_port = 1979-05-27", "wrong type: expected integer, got date"},
  };
  for (const Row& r : rows) {
    auto res = parse_account_line(r.line);
    ASSERT_FALSE(res.ok()) << r.line;
    const Problem& p = res.error().errors.at(0);
    EXPECT_EQ(p.code, ProblemCode::type) << r.line;
    EXPECT_EQ(p.message, r.message) << r.line;
    EXPECT_EQ(p.line, 4u) << r.line;
  }
}
