// Which shard a process runs (app/shard_option.hpp): --shard I/N, else JOB_COMPLETION_INDEX with
// SIPLINE_SHARDS; every bad value named with its range.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "app/shard_option.hpp"

namespace sipline::app {
namespace {

struct Env {
  std::map<std::string, std::string> vars;
  EnvLookup lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

struct Outcome {
  bool ok = false;
  Shard shard;
  std::string error;
};

Outcome resolve(const std::string& flag, const Env& env = {}) {
  Outcome o;
  o.ok = resolve_shard(flag, env.lookup(), o.shard, o.error);
  return o;
}

TEST(AppShard, NoFlagAndNoEnvironmentIsEveryAccount) {
  Outcome o = resolve("");
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_EQ(o.shard, (Shard{0, 1}));
  Outcome empty = resolve("", Env{{{"JOB_COMPLETION_INDEX", ""}, {"SIPLINE_SHARDS", ""}}});
  ASSERT_TRUE(empty.ok) << empty.error;  // empty variables count as unset
  EXPECT_EQ(empty.shard, (Shard{0, 1}));
}

TEST(AppShard, FlagGivesIndexAndCount) {
  for (std::size_t n = 1; n <= 7; ++n) {
    for (std::size_t i = 0; i < n; ++i) {
      Outcome o = resolve(std::to_string(i) + "/" + std::to_string(n));
      ASSERT_TRUE(o.ok) << o.error;
      EXPECT_EQ(o.shard, (Shard{i, n}));
    }
  }
}

TEST(AppShard, EnvironmentGivesIndexAndCountAndTheFlagWins) {
  Env env{{{"JOB_COMPLETION_INDEX", "2"}, {"SIPLINE_SHARDS", "3"}}};
  Outcome o = resolve("", env);
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_EQ(o.shard, (Shard{2, 3}));
  Outcome flag = resolve("0/5", env);
  ASSERT_TRUE(flag.ok) << flag.error;
  EXPECT_EQ(flag.shard, (Shard{0, 5}));
  // The flag wins even over a broken environment.
  Outcome over = resolve("1/2", Env{{{"JOB_COMPLETION_INDEX", "x"}}});
  ASSERT_TRUE(over.ok) << over.error;
  EXPECT_EQ(over.shard, (Shard{1, 2}));
}

// Every bad value fails with a message naming what was given and what is allowed.
TEST(AppShard, BadValuesNameTheFlagOrVariableAndTheRange) {
  struct Case {
    std::string flag;
    Env env;
    std::vector<std::string> mentions;
  };
  const std::vector<Case> cases = {
      {"3/3", {}, {"--shard \"3/3\"", "0..2"}},
      {"7/3", {}, {"--shard \"7/3\"", "0..2"}},
      {"0/0", {}, {"--shard \"0/0\"", "1..1000000"}},
      {"1/1000001", {}, {"--shard \"1/1000001\"", "1..1000000"}},
      {"x", {}, {"--shard \"x\"", "I/N"}},
      {"1", {}, {"--shard \"1\"", "I/N"}},
      {"-1/3", {}, {"--shard \"-1/3\"", "I/N"}},
      {"1/3/4", {}, {"--shard \"1/3/4\"", "I/N"}},
      {" 1/3", {}, {"I/N"}},
      {"1/", {}, {"I/N"}},
      {"",
       Env{{{"JOB_COMPLETION_INDEX", "3"}, {"SIPLINE_SHARDS", "3"}}},
       {"JOB_COMPLETION_INDEX = \"3\"", "0..2", "SIPLINE_SHARDS = \"3\""}},
      {"",
       Env{{{"JOB_COMPLETION_INDEX", "one"}, {"SIPLINE_SHARDS", "3"}}},
       {"JOB_COMPLETION_INDEX = \"one\"", "0..2"}},
      {"",
       Env{{{"JOB_COMPLETION_INDEX", "0"}}},
       {"JOB_COMPLETION_INDEX = \"0\"", "SIPLINE_SHARDS", "is not", "1..1000000"}},
      {"",
       Env{{{"JOB_COMPLETION_INDEX", "0"}, {"SIPLINE_SHARDS", "0"}}},
       {"SIPLINE_SHARDS = \"0\"", "1..1000000"}},
      {"",
       Env{{{"JOB_COMPLETION_INDEX", "0"}, {"SIPLINE_SHARDS", "three"}}},
       {"SIPLINE_SHARDS = \"three\"", "1..1000000"}},
      {"",
       Env{{{"SIPLINE_SHARDS", "4"}}},
       {"SIPLINE_SHARDS = \"4\"", "JOB_COMPLETION_INDEX", "0..3"}},
  };
  for (const auto& c : cases) {
    Outcome o = resolve(c.flag, c.env);
    EXPECT_FALSE(o.ok) << "flag \"" << c.flag << "\" gave " << o.shard.index << "/"
                       << o.shard.count;
    for (const auto& m : c.mentions) {
      EXPECT_NE(o.error.find(m), std::string::npos) << "\"" << m << "\" not in: " << o.error;
    }
  }
}

}  // namespace
}  // namespace sipline::app
