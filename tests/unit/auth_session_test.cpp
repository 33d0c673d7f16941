// DigestSession: header values, nonce counts and the challenge policy. With FixedRandom(0)
// every cnonce is "000000000000000000000000"; the expected responses were computed with
// Python's hashlib from the same inputs.
#include <gtest/gtest.h>

#include "auth/session.hpp"
#include "auth_test_util.hpp"

namespace sipline::auth {
namespace {

using testing::auth_value;

constexpr std::string_view kUri = "sip:sip.example.com";
constexpr std::string_view kCnonce = "000000000000000000000000";

Challenge challenge(std::string_view text, HeaderKind kind = HeaderKind::kWww) {
  auto c = parse_challenge(auth_value(text), kind);
  EXPECT_TRUE(c.ok()) << text;
  return c.ok() ? c.value() : Challenge{};
}

// The value of one parameter in our own header output ("" when absent).
std::string param(const std::string& header, std::string_view name) {
  const std::string key = ", " + std::string(name) + "=";
  std::size_t at = header.find(key);
  if (name == "username") at = header.find(" username=");
  if (at == std::string::npos) return {};
  at = header.find('=', at) + 1;
  if (header[at] == '"') return header.substr(at + 1, header.find('"', at + 1) - at - 1);
  return header.substr(at, header.find(',', at) - at);
}

class AuthSession : public ::testing::Test {
 protected:
  testing::FixedRandom random_{0};
  DigestSession session_{Credentials{"alice", "s3cr3t"}, random_};
  Challenge md5_ = challenge(
      "Digest realm=\"sip.example.com\", nonce=\"abc123nonce\", qop=\"auth\", opaque=\"op1\"");

  std::string authorize(const Challenge& c, std::string_view body = {}) {
    auto r = session_.authorize(c, "REGISTER", kUri, body);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r.value() : std::string();
  }
};

TEST_F(AuthSession, FullHeaderValue) {
  EXPECT_EQ(authorize(md5_),
            "Digest username=\"alice\", realm=\"sip.example.com\", nonce=\"abc123nonce\", "
            "uri=\"sip:sip.example.com\", response=\"a08718ecc2c9d734e94d782fe1a8eccc\", "
            "algorithm=MD5, cnonce=\"000000000000000000000000\", opaque=\"op1\", qop=auth, "
            "nc=00000001");
  EXPECT_EQ(session_.header_name(), "Authorization");
  EXPECT_EQ(session_.nonce_count(), 1u);
}

TEST_F(AuthSession, NonceCountPerNonce) {
  EXPECT_EQ(param(authorize(md5_), "nc"), "00000001");
  const std::string second = authorize(md5_);
  EXPECT_EQ(param(second, "nc"), "00000002");
  EXPECT_EQ(param(second, "response"), "b36269e6511c8a84475d9002de23e27a");
  auto third = session_.reauthorize("REGISTER", kUri);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(param(*third, "nc"), "00000003");
  EXPECT_EQ(session_.nonce_count(), 3u);

  const Challenge fresh = challenge("Digest realm=\"sip.example.com\", nonce=\"n2\", qop=auth");
  EXPECT_EQ(param(authorize(fresh), "nc"), "00000001");
  auto next = session_.reauthorize("REGISTER", kUri);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(param(*next, "nc"), "00000002");
  EXPECT_EQ(param(*next, "nonce"), "n2");
}

TEST_F(AuthSession, Rfc2069ModeHasNoCnonceNorNc) {
  const std::string h =
      authorize(challenge("Digest realm=\"sip.example.com\", nonce=\"abc123nonce\""));
  EXPECT_EQ(param(h, "response"), "fa734c59cd0bddf686fe7ba736a133c1");
  EXPECT_EQ(h.find("cnonce"), std::string::npos);
  EXPECT_EQ(h.find("qop"), std::string::npos);
  EXPECT_EQ(h.find("nc="), std::string::npos);
  EXPECT_EQ(h.find("opaque"), std::string::npos);
}

TEST_F(AuthSession, SessWithoutQopStillSendsCnonce) {
  const std::string h = authorize(
      challenge("Digest realm=\"sip.example.com\", nonce=\"abc123nonce\", algorithm=MD5-sess"));
  EXPECT_EQ(param(h, "algorithm"), "MD5-sess");
  EXPECT_EQ(param(h, "cnonce"), kCnonce);
  EXPECT_EQ(param(h, "response"), "4913b49949f84aeb8db1df1d0adb460d");
  EXPECT_EQ(h.find("qop"), std::string::npos);
}

TEST_F(AuthSession, AuthIntWhenOnlyAuthIntIsOffered) {
  const std::string h = authorize(
      challenge("Digest realm=\"sip.example.com\", nonce=\"abc123nonce\", qop=\"auth-int\""),
      "v=0\r\n");
  EXPECT_EQ(param(h, "qop"), "auth-int");
  EXPECT_EQ(param(h, "response"), "307382fa1152fa88df4aaf7a009f9e26");
}

TEST_F(AuthSession, AuthPreferredWhenBothAreOffered) {
  const std::string h = authorize(
      challenge("Digest realm=\"sip.example.com\", nonce=\"abc123nonce\", qop=\"auth-int,auth\""));
  EXPECT_EQ(param(h, "qop"), "auth");
  EXPECT_EQ(param(h, "response"), "a08718ecc2c9d734e94d782fe1a8eccc");
}

TEST_F(AuthSession, ProxyChallengeSha512_256) {
  const Challenge c = challenge(
      "Digest realm=\"sip.example.com\", nonce=\"abc123nonce\", qop=auth, algorithm=SHA-512-256",
      HeaderKind::kProxy);
  const std::string h = authorize(c);
  EXPECT_EQ(session_.header_name(), "Proxy-Authorization");
  EXPECT_EQ(session_.kind(), HeaderKind::kProxy);
  EXPECT_EQ(param(h, "algorithm"), "SHA-512-256");
  EXPECT_EQ(param(h, "response"),
            "e0ff57af021c1eb606ef2693ed6a9834d08a1849c26ead1ccdd92847f78439cd");
}

TEST_F(AuthSession, Userhash) {
  const std::string h = authorize(challenge(
      "Digest realm=\"sip.example.com\", nonce=\"abc123nonce\", qop=auth, algorithm=SHA-256, "
      "userhash=true"));
  EXPECT_EQ(param(h, "username"),
            "3ef6cae3778f461af4a4c6187df649a11a4dbf1e61a07ecf0dba06ceab83c9a1");
  EXPECT_EQ(param(h, "userhash"), "true");
  // The response still uses the plain name (RFC 7616 §3.4.4 only hides it on the wire).
  EXPECT_EQ(param(h, "response"),
            "493b22f7073ec2bd46311b30d912abd52843a5d387e31e745e513138e01ab610");
  EXPECT_EQ(h.find("alice"), std::string::npos);
}

TEST_F(AuthSession, QuotedStringsAreEscaped) {
  DigestSession s{Credentials{"al\"ice", "pw"}, random_};
  auto h = s.authorize(challenge(R"(Digest realm="r\"x", nonce="n")"), "REGISTER", kUri, {});
  ASSERT_TRUE(h.ok());
  EXPECT_NE(h->find(R"(username="al\"ice")"), std::string::npos);
  EXPECT_NE(h->find(R"(realm="r\"x")"), std::string::npos);
}

TEST_F(AuthSession, PasswordNeverAppears) {
  const std::string h = authorize(md5_);
  EXPECT_EQ(h.find("s3cr3t"), std::string::npos);
}

TEST_F(AuthSession, BadCredentialsAndRequestAreErrors) {
  DigestSession empty{Credentials{"", "pw"}, random_};
  auto r = empty.authorize(md5_, "REGISTER", kUri, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, AuthErrorCode::kBadCredentials);

  r = session_.authorize(md5_, "REGISTER", "sip:x\r\nVia: evil", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, AuthErrorCode::kBadCredentials);
  EXPECT_FALSE(session_.has_challenge());  // a failed answer changes nothing
}

TEST_F(AuthSession, ReauthorizeBeforeAnyChallenge) {
  auto r = session_.reauthorize("REGISTER", kUri);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, AuthErrorCode::kNoChallenge);
}

// --- the challenge policy --------------------------------------------------------------------

TEST_F(AuthSession, FirstChallengeIsAnswered) {
  EXPECT_EQ(session_.on_challenge(md5_), ChallengeVerdict::kAnswer);
}

TEST_F(AuthSession, TheAnsweredNonceChallengedAgainMeansWrongPassword) {
  ASSERT_EQ(session_.on_challenge(md5_), ChallengeVerdict::kAnswer);
  authorize(md5_);
  EXPECT_EQ(session_.on_challenge(md5_), ChallengeVerdict::kCredentialsRejected);
  // Forgotten, so the next attempt (after the failure wait) starts afresh.
  EXPECT_FALSE(session_.has_challenge());
  EXPECT_EQ(session_.on_challenge(md5_), ChallengeVerdict::kAnswer);
}

TEST_F(AuthSession, AChangedNonceIsANewChallengeAndIsAnswered) {
  authorize(md5_);
  const Challenge fresh = challenge("Digest realm=\"sip.example.com\", nonce=\"n2\", qop=auth");
  EXPECT_EQ(session_.on_challenge(fresh), ChallengeVerdict::kAnswer);
  EXPECT_EQ(param(authorize(fresh), "nc"), "00000001");
}

TEST_F(AuthSession, ServerRotatingNoncesForAWrongPasswordIsCutWithinTheAttempt) {
  int answered = 0;
  for (int i = 0; i < 10; ++i) {
    const Challenge c = challenge("Digest realm=\"sip.example.com\", qop=auth, nonce=\"r" +
                                  std::to_string(i) + "\"");
    if (session_.on_challenge(c) == ChallengeVerdict::kCredentialsRejected) break;
    authorize(c);
    ++answered;
  }
  EXPECT_EQ(answered, DigestSession::kMaxAnswersWithoutSuccess);
}

// The fault campaign's lock-out: the answer to our credentials was lost (timeout, send error),
// and the next attempt's ordinary challenge must be answered, not taken as a second refusal.
TEST_F(AuthSession, TheGuardBelongsToOneAttempt) {
  authorize(md5_);
  session_.begin_attempt();
  EXPECT_EQ(session_.on_challenge(md5_), ChallengeVerdict::kAnswer)
      << "even the very nonce we answered before the answer was lost";
  EXPECT_TRUE(session_.has_challenge()) << "a new attempt keeps the challenge for reauthorize()";
  for (int i = 0; i < DigestSession::kMaxAnswersWithoutSuccess; ++i) {
    session_.begin_attempt();
    const Challenge c = challenge("Digest realm=\"sip.example.com\", qop=auth, nonce=\"a" +
                                  std::to_string(i) + "\"");
    ASSERT_EQ(session_.on_challenge(c), ChallengeVerdict::kAnswer) << i;
    authorize(c);
  }
}

TEST_F(AuthSession, StaleWithNewNonceIsAnsweredWithoutFailure) {
  authorize(md5_);
  authorize(md5_);  // nc 2
  const Challenge stale =
      challenge("Digest realm=\"sip.example.com\", nonce=\"n2\", qop=auth, stale=true");
  EXPECT_EQ(session_.on_challenge(stale), ChallengeVerdict::kAnswer);
  EXPECT_EQ(param(authorize(stale), "nc"), "00000001");
}

TEST_F(AuthSession, StaleWithTheSameNonceIsRejected) {
  authorize(md5_);
  const Challenge stale =
      challenge("Digest realm=\"sip.example.com\", nonce=\"abc123nonce\", qop=auth, stale=true");
  EXPECT_EQ(session_.on_challenge(stale), ChallengeVerdict::kCredentialsRejected);
}

TEST_F(AuthSession, EndlessStaleChallengesAreCut) {
  int answered = 0;
  for (int i = 0; i < 10; ++i) {
    const std::string text = "Digest realm=\"sip.example.com\", qop=auth, stale=true, nonce=\"s" +
                             std::to_string(i) + "\"";
    const Challenge c = challenge(text);
    if (session_.on_challenge(c) == ChallengeVerdict::kCredentialsRejected) break;
    authorize(c);
    ++answered;
  }
  EXPECT_EQ(answered, DigestSession::kMaxAnswersWithoutSuccess);
}

TEST_F(AuthSession, SuccessResetsTheGuard) {
  authorize(md5_);
  session_.on_success();
  EXPECT_TRUE(session_.has_challenge());
  const Challenge next = challenge("Digest realm=\"sip.example.com\", nonce=\"n2\", qop=auth");
  EXPECT_EQ(session_.on_challenge(next), ChallengeVerdict::kAnswer);
}

TEST_F(AuthSession, ChallengeAfterReauthorizeIsNotHeldAgainstThePassword) {
  authorize(md5_);
  session_.on_success();
  ASSERT_TRUE(session_.reauthorize("REGISTER", kUri).ok());
  // The server expired the nonce without saying stale: answer once more.
  const Challenge next = challenge("Digest realm=\"sip.example.com\", nonce=\"n2\", qop=auth");
  ASSERT_EQ(session_.on_challenge(next), ChallengeVerdict::kAnswer);
  authorize(next);
  EXPECT_EQ(session_.on_challenge(next), ChallengeVerdict::kCredentialsRejected);
}

TEST_F(AuthSession, NewRealmIsAnswered) {
  authorize(md5_);
  const Challenge other = challenge("Digest realm=\"other.example.com\", nonce=\"n\", qop=auth");
  EXPECT_EQ(session_.on_challenge(other), ChallengeVerdict::kAnswer);
}

TEST_F(AuthSession, SetCredentialsResets) {
  authorize(md5_);
  session_.set_credentials(Credentials{"bob", "other"});
  EXPECT_FALSE(session_.has_challenge());
  EXPECT_EQ(session_.nonce_count(), 0u);
  EXPECT_EQ(session_.username(), "bob");
  EXPECT_EQ(session_.on_challenge(md5_), ChallengeVerdict::kAnswer);
}

TEST_F(AuthSession, CnonceComesFromTheInjectedRandom) {
  testing::FixedRandom other{0x123456789abcdefull};
  DigestSession s{Credentials{"alice", "s3cr3t"}, other};
  auto h = s.authorize(md5_, "REGISTER", kUri, {});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(param(*h, "cnonce"), other.token(DigestSession::kCnonceChars));
  EXPECT_NE(param(*h, "cnonce"), kCnonce);
}

// Two usages of one account (a registration and a subscription) sharing a NonceCache: one nc
// sequence per nonce across both, so the server's strictly-increasing nc check holds when a
// subscription reuses the registration's nonce.
class SharedNonces : public AuthSession {
 protected:
  NonceCache cache_;
  DigestSession sub_{Credentials{"alice", "s3cr3t"}, random_};
  void SetUp() override {
    session_.share(&cache_);
    sub_.share(&cache_);
  }
};

TEST_F(SharedNonces, OneCountPerNonceAcrossTheUsages) {
  EXPECT_EQ(param(authorize(md5_), "nc"), "00000001");  // the REGISTER answers its 401
  auto pre = sub_.reauthorize("SUBSCRIBE", kUri);       // a SUBSCRIBE reuses that nonce
  ASSERT_TRUE(pre.ok());
  EXPECT_EQ(param(*pre, "nonce"), "abc123nonce");
  EXPECT_EQ(param(*pre, "nc"), "00000002");
  EXPECT_EQ(sub_.header_name(), "Authorization");
  auto refresh = session_.reauthorize("REGISTER", kUri);
  ASSERT_TRUE(refresh.ok());
  EXPECT_EQ(param(*refresh, "nc"), "00000003");
  // The subscription is challenged with a new nonce: it starts at 1 and becomes the newest,
  // which the next pre-emptive REGISTER uses (nc 2).
  const Challenge fresh = challenge("Digest realm=\"sip.example.com\", nonce=\"n2\", qop=auth");
  auto answer = sub_.authorize(fresh, "SUBSCRIBE", kUri);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(param(*answer, "nc"), "00000001");
  auto again = session_.reauthorize("REGISTER", kUri);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(param(*again, "nonce"), "n2");
  EXPECT_EQ(param(*again, "nc"), "00000002");
}

TEST_F(SharedNonces, NothingToReuseBeforeAnyChallenge) {
  auto pre = sub_.reauthorize("SUBSCRIBE", kUri);
  ASSERT_FALSE(pre.ok());
  EXPECT_EQ(pre.error().code, AuthErrorCode::kNoChallenge);
}

TEST_F(SharedNonces, AProxyChallengedUsagePrefersTheProxyNonce) {
  authorize(md5_);  // WWW, from the registrar
  const Challenge proxy =
      challenge("Digest realm=\"sip.example.com\", nonce=\"p1\", qop=auth", HeaderKind::kProxy);
  ASSERT_TRUE(sub_.authorize(proxy, "SUBSCRIBE", kUri).ok());
  auto pre = sub_.reauthorize("SUBSCRIBE", kUri);
  ASSERT_TRUE(pre.ok());
  EXPECT_EQ(param(*pre, "nonce"), "p1");
  EXPECT_EQ(sub_.header_name(), "Proxy-Authorization");
  auto reg = session_.reauthorize("REGISTER", kUri);  // the registration keeps its own kind
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ(param(*reg, "nonce"), "abc123nonce");
  EXPECT_EQ(session_.header_name(), "Authorization");
}

TEST_F(SharedNonces, ReusedCredentialsChallengedAgainAreAnsweredNotRejected) {
  authorize(md5_);
  sub_.begin_attempt();
  ASSERT_TRUE(sub_.reauthorize("SUBSCRIBE", kUri).ok());
  // The server took the reused nonce as stale or replayed and challenges with the same one:
  // not a wrong password, as nothing was answered in this attempt yet.
  EXPECT_EQ(sub_.on_challenge(md5_), ChallengeVerdict::kAnswer);
}

// After a 2xx without pre-emptive answers, the challenge is forgotten (in the session and in
// the shared cache) but its count is not: the same nonce challenged again gets the next nc,
// never 1 twice (RFC 7616 §3.4, a replay to the server).
TEST_F(SharedNonces, AForgottenChallengeKeepsItsCount) {
  EXPECT_EQ(param(authorize(md5_), "nc"), "00000001");
  session_.on_success();
  session_.forget_challenge();
  EXPECT_FALSE(session_.has_challenge());
  EXPECT_EQ(cache_.latest(HeaderKind::kWww), nullptr);
  auto pre = session_.reauthorize("REGISTER", kUri);
  ASSERT_FALSE(pre.ok());
  EXPECT_EQ(pre.error().code, AuthErrorCode::kNoChallenge);
  session_.begin_attempt();
  EXPECT_EQ(session_.on_challenge(md5_), ChallengeVerdict::kAnswer);
  EXPECT_EQ(param(authorize(md5_), "nc"), "00000002");
}

TEST_F(AuthSession, AForgottenChallengeKeepsItsCountWithoutACache) {
  EXPECT_EQ(param(authorize(md5_), "nc"), "00000001");
  session_.on_success();
  session_.forget_challenge();
  EXPECT_FALSE(session_.has_challenge());
  session_.begin_attempt();
  EXPECT_EQ(param(authorize(md5_), "nc"), "00000002");
  // A new nonce starts at 1; answered, and challenged again with it in the same attempt: the
  // credentials were refused, as before forgetting.
  const Challenge fresh = challenge("Digest realm=\"sip.example.com\", nonce=\"n9\", qop=auth");
  session_.begin_attempt();
  auto first = session_.authorize(fresh, "REGISTER", kUri);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(param(*first, "nc"), "00000001");
  EXPECT_EQ(session_.on_challenge(fresh), ChallengeVerdict::kCredentialsRejected);
}

TEST(NonceCacheTest, KeepsTheNewestNoncesOnly) {
  NonceCache cache;
  Challenge c;
  c.realm = "r";
  auto next_nc = [&] { return cache.next_nc(nonce_key(c)); };
  for (std::size_t i = 0; i <= NonceCache::kKeep; ++i) {
    c.nonce = "n" + std::to_string(i);
    EXPECT_EQ(next_nc(), 1u);
    EXPECT_EQ(next_nc(), 2u);
  }
  c.nonce = "n0";  // pushed out: starts again at 1
  EXPECT_EQ(next_nc(), 1u);
  c.nonce = "n" + std::to_string(NonceCache::kKeep);
  EXPECT_EQ(next_nc(), 3u);
  EXPECT_EQ(cache.latest(HeaderKind::kWww), nullptr);
  cache.note(c);
  ASSERT_NE(cache.latest(HeaderKind::kProxy), nullptr);  // the other kind when none of its own
  EXPECT_EQ(cache.latest(HeaderKind::kProxy)->nonce, c.nonce);
}

}  // namespace
}  // namespace sipline::auth
