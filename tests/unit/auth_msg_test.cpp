// The auth layer fed by msg's real parser: challenges taken from whole 401/407 responses.
#include <gtest/gtest.h>

#include "auth/challenge.hpp"
#include "auth/session.hpp"
#include "auth_test_util.hpp"
#include "msg/message.hpp"

namespace sipline::auth {
namespace {

msg::Message response(std::string_view status_line, std::string_view auth_headers) {
  std::string text(status_line);
  text +=
      "\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc\r\n"
      "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>;tag=2\r\n"
      "Call-ID: c1\r\nCSeq: 1 REGISTER\r\n";
  text += auth_headers;
  text += "Content-Length: 0\r\n\r\n";
  auto m = msg::Message::parse(std::move(text));
  EXPECT_TRUE(m.ok());
  return m.ok() ? std::move(m).value() : msg::Message{};
}

TEST(AuthWithMsg, RealWwwAuthenticateHeader) {
  const msg::Message m =
      response("SIP/2.0 401 Unauthorized",
               "WWW-Authenticate: Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
               "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
               "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"\r\n");
  const auto kind = kind_for_status(m.status_code());
  ASSERT_EQ(kind, HeaderKind::kWww);
  auto values = m.auth(msg::HeaderId::kWwwAuthenticate);
  ASSERT_TRUE(values.ok());
  auto c = choose_challenge(*values, *kind);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->realm, "testrealm@host.com");
  EXPECT_EQ(c->nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
  EXPECT_EQ(c->opaque.value_or(""), "5ccc069c403ebaf9f0171e9517f40e41");
  EXPECT_TRUE(c->qop.auth && c->qop.auth_int);
  EXPECT_EQ(c->algorithm, Algorithm::kMd5);

  // Our answer parses back as credentials with the same fields.
  testing::FixedRandom random{0};
  DigestSession session{Credentials{"Mufasa", "Circle Of Life"}, random};
  auto header = session.authorize(*c, "REGISTER", "sip:host.com", {});
  ASSERT_TRUE(header.ok());
  auto back = msg::parse_auth(*header);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->scheme, "Digest");
  EXPECT_EQ(back->param("username"), "Mufasa");
  EXPECT_EQ(back->param("realm"), "testrealm@host.com");
  EXPECT_EQ(back->param("uri"), "sip:host.com");
  EXPECT_EQ(back->param("nc"), "00000001");
  EXPECT_EQ(back->param("qop"), "auth");
}

TEST(AuthWithMsg, ProxyAuthenticateWithTwoChallenges) {
  const msg::Message m = response(
      "SIP/2.0 407 Proxy Authentication Required",
      "Proxy-Authenticate: Digest realm=\"proxy\", nonce=\"m\", algorithm=MD5, qop=\"auth\"\r\n"
      "Proxy-Authenticate: Digest realm=\"proxy\", nonce=\"s\", algorithm=SHA-256, "
      "qop=\"auth\"\r\n");
  const auto kind = kind_for_status(m.status_code());
  ASSERT_EQ(kind, HeaderKind::kProxy);
  auto values = m.auth(msg::HeaderId::kProxyAuthenticate);
  ASSERT_TRUE(values.ok());
  ASSERT_EQ(values->size(), 2u);
  auto c = choose_challenge(*values, *kind);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->algorithm, Algorithm::kSha256);
  EXPECT_EQ(c->nonce, "s");
  EXPECT_EQ(credentials_header_name(c->kind), "Proxy-Authorization");
}

TEST(AuthWithMsg, EscapedRealm) {
  const msg::Message m = response("SIP/2.0 401 Unauthorized",
                                  "WWW-Authenticate: Digest realm=\"a\\\"b\", nonce=\"n\"\r\n");
  auto values = m.auth(msg::HeaderId::kWwwAuthenticate);
  ASSERT_TRUE(values.ok());
  auto c = choose_challenge(*values, HeaderKind::kWww);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->realm, "a\"b");
}

TEST(AuthWithMsg, ChallengeFromResponse) {
  auto c = challenge_from_response(
      response("SIP/2.0 407 Proxy Authentication Required",
               "Proxy-Authenticate: Digest realm=\"p\", nonce=\"n\", algorithm=SHA-512-256\r\n"
               "WWW-Authenticate: Digest realm=\"w\", nonce=\"x\"\r\n"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, HeaderKind::kProxy);
  EXPECT_EQ(c->realm, "p");
  EXPECT_EQ(c->algorithm, Algorithm::kSha512_256);

  c = challenge_from_response(response("SIP/2.0 401 Unauthorized",
                                       "WWW-Authenticate: Digest realm=\"w\", nonce=\"x\"\r\n"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, HeaderKind::kWww);

  auto none = challenge_from_response(response("SIP/2.0 401 Unauthorized", ""));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, AuthErrorCode::kNoChallenge);

  none = challenge_from_response(
      response("SIP/2.0 403 Forbidden", "WWW-Authenticate: Digest realm=\"w\", nonce=\"x\"\r\n"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, AuthErrorCode::kNoChallenge);

  auto bad = challenge_from_response(
      response("SIP/2.0 401 Unauthorized",
               "WWW-Authenticate: Digest realm=\"w\", algorithm=FOO, nonce=x\r\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, AuthErrorCode::kUnknownAlgorithm);
}

}  // namespace
}  // namespace sipline::auth
