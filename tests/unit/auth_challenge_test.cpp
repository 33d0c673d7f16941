// Challenge parsing and choice. AuthValues come from a test-local splitter (auth_test_util.hpp).
#include <gtest/gtest.h>

#include <vector>

#include "auth/challenge.hpp"
#include "auth_test_util.hpp"

namespace sipline::auth {
namespace {

using testing::auth_value;

base::Result<Challenge, AuthError> parse(std::string_view text,
                                         HeaderKind kind = HeaderKind::kWww) {
  return parse_challenge(auth_value(text), kind);
}

AuthErrorCode error_of(std::string_view text) {
  auto r = parse(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? AuthErrorCode::kNoChallenge : r.error().code;
}

TEST(AuthChallenge, Rfc7616Example) {
  auto c = parse(
      "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
      "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, HeaderKind::kWww);
  EXPECT_EQ(c->realm, "http-auth@example.org");
  EXPECT_EQ(c->nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
  ASSERT_TRUE(c->opaque.has_value());
  EXPECT_EQ(*c->opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  EXPECT_EQ(c->algorithm, Algorithm::kSha256);
  EXPECT_TRUE(c->qop.auth);
  EXPECT_TRUE(c->qop.auth_int);
  EXPECT_FALSE(c->stale);
  EXPECT_FALSE(c->userhash);
}

TEST(AuthChallenge, DefaultsWhenAbsent) {
  auto c = parse("Digest realm=\"sip.example.com\", nonce=\"n1\"", HeaderKind::kProxy);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, HeaderKind::kProxy);
  EXPECT_EQ(c->algorithm, Algorithm::kMd5);
  EXPECT_FALSE(c->qop.any());
  EXPECT_FALSE(c->opaque.has_value());
}

TEST(AuthChallenge, NamesAndValuesAreCaseInsensitive) {
  auto c = parse("digest REALM=\"r\", Nonce=\"n\", ALGORITHM=md5-SESS, QOP=\"AUTH\", STALE=TRUE");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->algorithm, Algorithm::kMd5Sess);
  EXPECT_TRUE(c->qop.auth);
  EXPECT_FALSE(c->qop.auth_int);
  EXPECT_TRUE(c->stale);
}

TEST(AuthChallenge, StaleAndUserhash) {
  auto c = parse("Digest realm=\"r\", nonce=\"n\", stale=false, userhash=true");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->stale);
  EXPECT_TRUE(c->userhash);
}

TEST(AuthChallenge, EveryAlgorithm) {
  const std::pair<std::string_view, Algorithm> rows[] = {
      {"MD5", Algorithm::kMd5},
      {"MD5-sess", Algorithm::kMd5Sess},
      {"SHA-256", Algorithm::kSha256},
      {"SHA-256-sess", Algorithm::kSha256Sess},
      {"SHA-512-256", Algorithm::kSha512_256},
      {"SHA-512-256-sess", Algorithm::kSha512_256Sess},
  };
  for (const auto& [text, algorithm] : rows) {
    EXPECT_EQ(parse_algorithm(text), algorithm) << text;
    EXPECT_EQ(algorithm_name(algorithm), text);
    EXPECT_EQ(is_session_variant(algorithm), text.ends_with("-sess")) << text;
  }
  EXPECT_EQ(parse_algorithm("SHA-1"), std::nullopt);
  EXPECT_EQ(parse_algorithm(""), std::nullopt);
  EXPECT_EQ(parse_algorithm("AKAv1-MD5"), std::nullopt);
}

TEST(AuthChallenge, QuotedEscapesAreResolved) {
  auto c = parse(R"(Digest realm="a\"b\\c", nonce="n")");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->realm, "a\"b\\c");
}

TEST(AuthChallenge, UnknownQopTokensAreIgnored) {
  auto c = parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf,auth-int\"");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->qop.auth);
  EXPECT_TRUE(c->qop.auth_int);
}

TEST(AuthChallenge, MalformedChallengesAreErrorValues) {
  EXPECT_EQ(error_of("Digest nonce=\"n\""), AuthErrorCode::kMissingRealm);
  EXPECT_EQ(error_of("Digest realm=\"r\""), AuthErrorCode::kMissingNonce);
  EXPECT_EQ(error_of("Digest realm=\"r\", nonce=\"\""), AuthErrorCode::kMissingNonce);
  EXPECT_EQ(error_of("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1"),
            AuthErrorCode::kUnknownAlgorithm);
  EXPECT_EQ(error_of("Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\""),
            AuthErrorCode::kUnsupportedQop);
  EXPECT_EQ(error_of("Basic realm=\"r\""), AuthErrorCode::kNotDigest);
  EXPECT_EQ(error_of("Digest"), AuthErrorCode::kMissingRealm);
  EXPECT_EQ(error_of(""), AuthErrorCode::kNotDigest);
}

TEST(AuthChallenge, ControlCharactersAreRejected) {
  const std::string text = std::string("Digest realm=\"r\", nonce=\"n\r\nVia: x\"");
  EXPECT_EQ(error_of(text), AuthErrorCode::kBadParameter);
  EXPECT_EQ(error_of("Digest realm=\"r\", nonce=\"n\", opaque=\"a\x01\""),
            AuthErrorCode::kBadParameter);
}

TEST(AuthChallenge, FoldedQopListIsFine) {
  // A folded header line leaves CRLF + WSP inside the value; it is white space there.
  auto c = parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth,\r\n auth-int\", domain=\"a\r\n b\"");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->qop.auth);
  EXPECT_TRUE(c->qop.auth_int);
}

TEST(AuthChallenge, UnknownAlgorithmKeepsItsNameAsDetail) {
  auto r = parse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA3-256");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "SHA3-256");
  EXPECT_EQ(describe(r.error().code), "unknown algorithm");
}

std::vector<msg::AuthValue> values(std::initializer_list<std::string_view> texts) {
  std::vector<msg::AuthValue> out;
  for (auto t : texts) out.push_back(auth_value(t));
  return out;
}

TEST(AuthChallenge, ChoosesTheStrongest) {
  auto v = values({"Digest realm=\"r\", nonce=\"md5\", algorithm=MD5",
                   "Digest realm=\"r\", nonce=\"sha\", algorithm=SHA-256"});
  auto c = choose_challenge(v, HeaderKind::kWww);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->algorithm, Algorithm::kSha256);
  EXPECT_EQ(c->nonce, "sha");

  v = values({"Digest realm=\"r\", nonce=\"a\", algorithm=SHA-256",
              "Digest realm=\"r\", nonce=\"b\", algorithm=SHA-512-256-sess",
              "Digest realm=\"r\", nonce=\"c\""});
  c = choose_challenge(v, HeaderKind::kProxy);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->algorithm, Algorithm::kSha512_256Sess);
  EXPECT_EQ(c->kind, HeaderKind::kProxy);
}

TEST(AuthChallenge, FirstWinsATie) {
  auto v = values({"Digest realm=\"one\", nonce=\"a\"", "Digest realm=\"two\", nonce=\"b\""});
  auto c = choose_challenge(v, HeaderKind::kWww);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->realm, "one");
}

TEST(AuthChallenge, SkipsUnusableValues) {
  auto v = values({"Basic realm=\"r\"", "Digest realm=\"r\", nonce=\"x\", algorithm=SHA-1",
                   "Digest realm=\"r\", nonce=\"ok\""});
  auto c = choose_challenge(v, HeaderKind::kWww);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->nonce, "ok");
}

TEST(AuthChallenge, NothingUsable) {
  auto v = values({"Basic realm=\"r\"", "Digest realm=\"r\", nonce=\"x\", algorithm=SHA-1",
                   "Digest nonce=\"y\""});
  auto c = choose_challenge(v, HeaderKind::kWww);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, AuthErrorCode::kUnknownAlgorithm);

  v = values({"Basic realm=\"r\""});
  c = choose_challenge(v, HeaderKind::kWww);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, AuthErrorCode::kNoChallenge);

  c = choose_challenge({}, HeaderKind::kWww);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, AuthErrorCode::kNoChallenge);
}

TEST(AuthChallenge, StrengthOrder) {
  EXPECT_GT(strength(Algorithm::kSha512_256), strength(Algorithm::kSha256));
  EXPECT_GT(strength(Algorithm::kSha256), strength(Algorithm::kMd5));
  EXPECT_EQ(strength(Algorithm::kMd5Sess), strength(Algorithm::kMd5));
}

TEST(AuthChallenge, HeaderNames) {
  EXPECT_EQ(kind_for_status(401), HeaderKind::kWww);
  EXPECT_EQ(kind_for_status(407), HeaderKind::kProxy);
  EXPECT_EQ(kind_for_status(403), std::nullopt);
  EXPECT_EQ(challenge_header_name(HeaderKind::kWww), "WWW-Authenticate");
  EXPECT_EQ(challenge_header_name(HeaderKind::kProxy), "Proxy-Authenticate");
  EXPECT_EQ(credentials_header_name(HeaderKind::kWww), "Authorization");
  EXPECT_EQ(credentials_header_name(HeaderKind::kProxy), "Proxy-Authorization");
}

}  // namespace
}  // namespace sipline::auth
