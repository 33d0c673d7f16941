// The subscription keys of calls-and-subscriptions.md: mwi_uri, subscribe_reg_event, blf.
#include <gtest/gtest.h>

#include "config/load.hpp"
#include "config/validate.hpp"

using namespace sipline::config;

namespace {

ConfigResult parse_account(const std::string& lines) {
  return parse_config(
      "[[account]]\nsip_server = \"pbx.example.com\"\nuser_id = \"1001\"\n" + lines + "\n",
      "t.toml");
}

std::string blf_of(int n) {
  std::string s = "blf = [";
  for (int i = 0; i < n; ++i) s += (i ? ", \"" : "\"") + std::to_string(2000 + i) + "\"";
  return s + "]";
}

}  // namespace

TEST(SubKeys, Defaults) {
  auto r = parse_account("");
  ASSERT_TRUE(r.ok());
  const AccountConfig& a = r->config.accounts[0];
  EXPECT_FALSE(a.subscribe_mwi);
  EXPECT_EQ(a.mwi_uri, "");
  EXPECT_FALSE(a.subscribe_reg_event);
  EXPECT_TRUE(a.blf.empty());
}

TEST(SubKeys, BlfTakesUrisAndUsers) {
  auto r = parse_account(
      "blf = [\"1002\", \"sip:1003@pbx.example.com\", \"sips:front@[::1]:5061;transport=tls\"]\n"
      "mwi_uri = \"sip:*97@pbx.example.com\"\nsubscribe_reg_event = true");
  ASSERT_TRUE(r.ok()) << r.error().errors[0].message;
  const AccountConfig& a = r->config.accounts[0];
  EXPECT_EQ(a.blf, (std::vector<std::string>{"1002", "sip:1003@pbx.example.com",
                                             "sips:front@[::1]:5061;transport=tls"}));
  EXPECT_EQ(a.mwi_uri, "sip:*97@pbx.example.com");
  EXPECT_TRUE(a.subscribe_reg_event);
  EXPECT_TRUE(parse_account("blf = []").ok());
}

TEST(SubKeys, BlfAtMost200) {
  EXPECT_TRUE(parse_account(blf_of(200)).ok());
  auto r = parse_account(blf_of(201));
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().errors.size(), 1u);
  const Problem& p = r.error().errors[0];
  EXPECT_EQ(p.key, "account[1].blf");
  EXPECT_EQ(p.code, ProblemCode::range);
  EXPECT_NE(p.message.find("201 entries, at most 200"), std::string::npos) << p.message;
  EXPECT_EQ(p.line, 4u);
}

TEST(SubKeys, EveryBadBlfEntryIsNamed) {
  auto r = parse_account("blf = [\"ok\", \"two words\", \"http://x\", \"sip:@host\", \"\"]");
  ASSERT_FALSE(r.ok());
  const auto& e = r.error().errors;
  ASSERT_EQ(e.size(), 4u);
  EXPECT_NE(e[0].message.find("entry 2 \"two words\""), std::string::npos) << e[0].message;
  EXPECT_NE(e[1].message.find("entry 3 \"http://x\": not a sip: or sips: URI"), std::string::npos)
      << e[1].message;
  EXPECT_NE(e[2].message.find("entry 4"), std::string::npos);
  EXPECT_NE(e[3].message.find("entry 5 \"\": empty entry"), std::string::npos) << e[3].message;
}

TEST(SubKeys, WrongTypesAreNamed) {
  auto r = parse_account("blf = \"1002\"\nmwi_uri = \"voicemail\"");
  ASSERT_FALSE(r.ok());
  const auto& e = r.error().errors;
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].code, ProblemCode::type);
  EXPECT_NE(e[0].message.find("expected array, got string"), std::string::npos) << e[0].message;
  EXPECT_EQ(e[1].key, "account[1].mwi_uri");
  EXPECT_NE(e[1].message.find("not a sip: or sips: URI"), std::string::npos);
  auto mixed = parse_account("blf = [\"1002\", 3]");
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.error().errors[0].message.find("got array"), std::string::npos);
}

TEST(SubKeys, ShownAsTomlAndReadBack) {
  auto r = parse_account("blf = [\"1002\", \"sip:1003@pbx.example.com\"]");
  ASSERT_TRUE(r.ok());
  const std::string toml = account_to_toml(r->config.accounts[0]);
  EXPECT_NE(toml.find("blf = [\"1002\", \"sip:1003@pbx.example.com\"]\n"), std::string::npos)
      << toml;
  auto again = parse_config("[[account]]\n" + toml, "t.toml");
  ASSERT_TRUE(again.ok()) << again.error().errors[0].message;
  EXPECT_EQ(again->config.accounts[0].blf, r->config.accounts[0].blf);
}
