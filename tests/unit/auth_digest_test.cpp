// Digest arithmetic against the RFCs' worked examples; every other vector below was computed
// independently with Python's hashlib (md5, sha256, sha512_256).
#include <gtest/gtest.h>

#include "auth/digest.hpp"

namespace sipline::auth {
namespace {

constexpr std::string_view k7616Nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr std::string_view k7616Cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

DigestInput rfc7616(Algorithm algorithm) {
  return DigestInput{algorithm,
                     "Mufasa",
                     "http-auth@example.org",
                     "Circle of Life",
                     k7616Nonce,
                     k7616Cnonce,
                     1,
                     Qop::kAuth,
                     "GET",
                     "/dir/index.html",
                     {}};
}

// A SIP REGISTER used for the vectors not in any RFC.
DigestInput sip(Algorithm algorithm, Qop qop, std::uint32_t nc = 1, std::string_view body = {}) {
  return DigestInput{
      algorithm, "alice",    "sip.example.com",     "s3cr3t", "abc123nonce", "0a4f113b", nc,
      qop,       "REGISTER", "sip:sip.example.com", body};
}

std::string response(const DigestInput& in) {
  auto r = compute_response(in);
  EXPECT_TRUE(r.ok());
  return r.ok() ? r.value() : std::string();
}

TEST(AuthDigest, HexHashKnownValues) {
  EXPECT_EQ(*hex_hash(Algorithm::kMd5, ""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(*hex_hash(Algorithm::kSha256, "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(*hex_hash(Algorithm::kSha512_256, "abc"),
            "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");
  EXPECT_EQ(*hex_hash(Algorithm::kSha512_256Sess, "abc"), *hex_hash(Algorithm::kSha512_256, "abc"));
}

TEST(AuthDigest, Rfc2617Section35) {
  const DigestInput in{Algorithm::kMd5,
                       "Mufasa",
                       "testrealm@host.com",
                       "Circle Of Life",
                       "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                       "0a4f113b",
                       1,
                       Qop::kAuth,
                       "GET",
                       "/dir/index.html",
                       {}};
  EXPECT_EQ(response(in), "6629fae49393a05397450978507c4ef1");
}

TEST(AuthDigest, Rfc7616Section391Md5) {
  EXPECT_EQ(response(rfc7616(Algorithm::kMd5)), "8ca523f5e9506fed4657c9700eebdbec");
}

TEST(AuthDigest, Rfc7616Section391Sha256) {
  EXPECT_EQ(response(rfc7616(Algorithm::kSha256)),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST(AuthDigest, Sha512_256OnRfc7616Inputs) {
  EXPECT_EQ(response(rfc7616(Algorithm::kSha512_256)),
            "430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0");
}

TEST(AuthDigest, Rfc2069WithoutQop) {
  EXPECT_EQ(response(sip(Algorithm::kMd5, Qop::kNone)), "fa734c59cd0bddf686fe7ba736a133c1");
}

TEST(AuthDigest, Md5Sess) {
  EXPECT_EQ(response(sip(Algorithm::kMd5Sess, Qop::kAuth)), "c12b62ce584abf70ec90c9c80e5dab17");
  auto ha1 = compute_ha1(sip(Algorithm::kMd5Sess, Qop::kAuth));
  auto plain = compute_ha1(sip(Algorithm::kMd5, Qop::kAuth));
  ASSERT_TRUE(ha1.ok() && plain.ok());
  EXPECT_EQ(*ha1, *hex_hash(Algorithm::kMd5, *plain + ":abc123nonce:0a4f113b"));
}

TEST(AuthDigest, AuthIntHashesTheBody) {
  EXPECT_EQ(response(sip(Algorithm::kMd5, Qop::kAuthInt, 1, "v=0\r\n")),
            "b475da7fe46dffbbf1c36deb06e59454");
  EXPECT_EQ(response(sip(Algorithm::kMd5, Qop::kAuthInt, 1, "")),
            "660436a7c4cace338c13b6e22de6d9ff");
  // auth ignores the body.
  EXPECT_EQ(response(sip(Algorithm::kMd5, Qop::kAuth, 1, "v=0\r\n")),
            response(sip(Algorithm::kMd5, Qop::kAuth, 1, "")));
}

TEST(AuthDigest, Sha256SessAuthIntSecondUse) {
  EXPECT_EQ(response(sip(Algorithm::kSha256Sess, Qop::kAuthInt, 2, "hello")),
            "5f815cf08e550c80afe108c3c7e971754d8e618c24b53dbec743aa15927e97f6");
}

TEST(AuthDigest, Sha512_256Sess) {
  EXPECT_EQ(response(sip(Algorithm::kSha512_256Sess, Qop::kAuth)),
            "6da7e22039ebf4448d44016388be3c1a152be96b836199406c29a321dee9d977");
}

TEST(AuthDigest, NonceCountChangesTheResponse) {
  EXPECT_EQ(response(sip(Algorithm::kMd5, Qop::kAuth, 2)), "b2440f327e2c92146bab1c0327dd8d9b");
}

TEST(AuthDigest, NonceCountFormat) {
  EXPECT_EQ(format_nonce_count(1), "00000001");
  EXPECT_EQ(format_nonce_count(0xabc), "00000abc");
  EXPECT_EQ(format_nonce_count(0xffffffffu), "ffffffff");
}

TEST(AuthDigest, QopNames) {
  EXPECT_EQ(qop_name(Qop::kNone), "");
  EXPECT_EQ(qop_name(Qop::kAuth), "auth");
  EXPECT_EQ(qop_name(Qop::kAuthInt), "auth-int");
}

}  // namespace
}  // namespace sipline::auth
