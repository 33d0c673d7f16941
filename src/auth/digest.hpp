// Digest response computation (RFC 2617 §3.2.2, RFC 7616 §3.4.1, RFC 8760), hashes via OpenSSL
// EVP. Pure functions: no state, no randomness, no I/O.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/challenge.hpp"
#include "auth/errors.hpp"
#include "base/result.hpp"

namespace sipline::auth {

// Lowercase hex of H(data) for the algorithm's hash (MD5, SHA-256 or SHA-512/256).
// kCryptoFailure when OpenSSL refuses (an MD5 disabled by policy, say).
base::Result<std::string, AuthError> hex_hash(Algorithm algorithm, std::string_view data);

// The qop actually used in one answer; kNone is the RFC 2069 form (no cnonce, no nc).
enum class Qop : std::uint8_t { kNone, kAuth, kAuthInt };
std::string_view qop_name(Qop qop);  // "", "auth", "auth-int"

// nc as sent: 8 lowercase hex digits, 1 -> "00000001".
std::string format_nonce_count(std::uint32_t nc);

struct DigestInput {
  Algorithm algorithm = Algorithm::kMd5;
  std::string_view username;  // the plain name (userhash only changes what the header shows)
  std::string_view realm;
  std::string_view password;
  std::string_view nonce;
  std::string_view cnonce;  // used with a qop, and by the -sess HA1
  std::uint32_t nc = 1;
  Qop qop = Qop::kAuth;
  std::string_view method;
  std::string_view digest_uri;
  std::string_view body;  // hashed for auth-int only
};

// HA1 = H(username:realm:password); for -sess: H(H(username:realm:password):nonce:cnonce).
base::Result<std::string, AuthError> compute_ha1(const DigestInput& in);
// HA2 = H(method:uri), or H(method:uri:H(body)) for auth-int.
base::Result<std::string, AuthError> compute_ha2(const DigestInput& in);
// response = H(HA1:nonce:nc:cnonce:qop:HA2), or H(HA1:nonce:HA2) without qop.
base::Result<std::string, AuthError> compute_response(const DigestInput& in);

}  // namespace sipline::auth
