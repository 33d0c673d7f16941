// Digest errors: every malformed challenge or unusable state is a value, never an exception.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace sipline::auth {

enum class AuthErrorCode : std::uint8_t {
  kNotDigest,            // the challenge's scheme is not Digest (Basic, Bearer ...)
  kMissingRealm,         // a Digest challenge without realm
  kMissingNonce,         // a Digest challenge without nonce (or an empty one)
  kUnknownAlgorithm,     // algorithm=... names none we support
  kUnsupportedQop,       // qop offered, but neither auth nor auth-int
  kBadParameter,         // a parameter holds control characters (CR, LF, NUL ...)
  kNoChallenge,          // nothing to answer: no Digest challenge, or reauthorize() before any
  kBadCredentials,       // empty username, or control characters in username/password/uri
  kNonceCountExhausted,  // nc would pass ffffffff for one nonce
  kCryptoFailure,        // OpenSSL refused the digest (e.g. MD5 disabled by policy)
};

struct AuthError {
  AuthErrorCode code;
  std::string detail;  // what was wrong (an algorithm name, a parameter name); never a secret
};

// A stable, human-readable name for the code ("unknown algorithm").
std::string_view describe(AuthErrorCode code);

}  // namespace sipline::auth
