// Digest challenges (RFC 2617, RFC 7616, RFC 8760) taken from WWW-Authenticate (401) or
// Proxy-Authenticate (407), and the choice among several of them.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "auth/errors.hpp"
#include "base/result.hpp"
#include "msg/message.hpp"
#include "msg/values.hpp"

namespace sipline::auth {

enum class Algorithm : std::uint8_t {
  kMd5,
  kMd5Sess,
  kSha256,
  kSha256Sess,
  kSha512_256,  // SHA-512/256 (FIPS 180-4), RFC 7616 "SHA-512-256"
  kSha512_256Sess,
};
// The token as written in a header: "MD5", "MD5-sess", "SHA-256", ... "SHA-512-256-sess".
std::string_view algorithm_name(Algorithm algorithm);
// Case-insensitive; nullopt for anything unknown.
std::optional<Algorithm> parse_algorithm(std::string_view text);
bool is_session_variant(Algorithm algorithm);
// Higher is stronger: SHA-512-256 > SHA-256 > MD5 (a -sess variant ranks with its hash).
int strength(Algorithm algorithm);

// Which header pair carries the exchange.
enum class HeaderKind : std::uint8_t {
  kWww,    // 401: WWW-Authenticate -> Authorization
  kProxy,  // 407: Proxy-Authenticate -> Proxy-Authorization
};
// 401 -> kWww, 407 -> kProxy, anything else nullopt.
std::optional<HeaderKind> kind_for_status(int status_code);
std::string_view challenge_header_name(HeaderKind kind);    // "WWW-Authenticate" ...
std::string_view credentials_header_name(HeaderKind kind);  // "Authorization" ...

// Quality of protection the server offers (RFC 2617 §3.2.1); none offered = RFC 2069 mode.
struct QopOptions {
  bool auth = false;
  bool auth_int = false;
  bool any() const { return auth || auth_int; }
};

// A parsed Digest challenge. Owns its strings: it outlives the response it came from.
struct Challenge {
  HeaderKind kind = HeaderKind::kWww;
  std::string realm;
  std::string nonce;
  std::optional<std::string> opaque;      // echoed verbatim when present
  Algorithm algorithm = Algorithm::kMd5;  // MD5 when the challenge names none
  QopOptions qop;
  bool stale = false;     // stale=true: the nonce expired, the credentials were fine
  bool userhash = false;  // RFC 7616 §3.4.4: send H(username:realm) instead of the name
};

// Reads one WWW-Authenticate / Proxy-Authenticate value. Quoted values may still hold
// backslash escapes; they are resolved here. Errors: kNotDigest, kMissingRealm, kMissingNonce,
// kUnknownAlgorithm, kUnsupportedQop, kBadParameter.
base::Result<Challenge, AuthError> parse_challenge(const msg::AuthValue& value, HeaderKind kind);

// Picks the strongest supported Digest challenge among all values of one response (RFC 7616
// §3.7, RFC 8760 §2.4: SHA-512-256 > SHA-256 > MD5; the first wins a tie). Non-Digest and
// malformed values are skipped. When none is usable: the first Digest value's error, or
// kNoChallenge when there was no Digest value at all.
base::Result<Challenge, AuthError> choose_challenge(std::span<const msg::AuthValue> values,
                                                    HeaderKind kind);

// The challenge to answer in a whole 401 (WWW-Authenticate) or 407 (Proxy-Authenticate)
// response, chosen as above. kNoChallenge for any other status; kBadParameter when the
// challenge headers do not parse at all.
base::Result<Challenge, AuthError> challenge_from_response(const msg::Message& response);

}  // namespace sipline::auth
