#include "auth/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <initializer_list>
#include <memory>

namespace sipline::auth {

namespace {

// The digests, fetched from the provider once: OpenSSL 3 fetches EVP_md5() & co. again at
// every EVP_Digest (a lookup and allocations; three digests a challenged REGISTER). Kept for the
// process's life. A failed fetch falls back to the implicit one.
const EVP_MD* fetched(const char* name, const EVP_MD* implicit) {
  const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  return md != nullptr ? md : implicit;
}

const EVP_MD* md_for(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kMd5:
    case Algorithm::kMd5Sess: {
      static const EVP_MD* const md = fetched("MD5", EVP_md5());
      return md;
    }
    case Algorithm::kSha256:
    case Algorithm::kSha256Sess: {
      static const EVP_MD* const md = fetched("SHA2-256", EVP_sha256());
      return md;
    }
    case Algorithm::kSha512_256:
    case Algorithm::kSha512_256Sess: {
      static const EVP_MD* const md = fetched("SHA2-512/256", EVP_sha512_256());
      return md;
    }
  }
  return nullptr;
}

// One digest context per thread, reset for each digest instead of made and freed each time.
EVP_MD_CTX* digest_context() {
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(),
                                                                            &EVP_MD_CTX_free);
  return ctx.get();
}

std::string to_hex(const unsigned char* data, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0x0f];
  }
  return out;
}

// Joins the parts with ':' into a buffer that is wiped afterwards (it may hold the password).
base::Result<std::string, AuthError> hash_joined(Algorithm algorithm,
                                                 std::initializer_list<std::string_view> parts) {
  std::string joined;
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) joined.push_back(':');
    joined.append(p);
    first = false;
  }
  auto result = hex_hash(algorithm, joined);
  OPENSSL_cleanse(joined.data(), joined.size());
  return result;
}

}  // namespace

base::Result<std::string, AuthError> hex_hash(Algorithm algorithm, std::string_view data) {
  const EVP_MD* md = md_for(algorithm);
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  EVP_MD_CTX* ctx = digest_context();
  if (md == nullptr || ctx == nullptr || EVP_DigestInit_ex2(ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1) {
    return base::fail(
        AuthError{AuthErrorCode::kCryptoFailure, std::string(algorithm_name(algorithm))});
  }
  return to_hex(out.data(), len);
}

std::string_view qop_name(Qop qop) {
  switch (qop) {
    case Qop::kNone:
      return "";
    case Qop::kAuth:
      return "auth";
    case Qop::kAuthInt:
      return "auth-int";
  }
  return "";
}

std::string format_nonce_count(std::uint32_t nc) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[nc & 0x0f];
    nc >>= 4;
  }
  return out;
}

base::Result<std::string, AuthError> compute_ha1(const DigestInput& in) {
  auto base = hash_joined(in.algorithm, {in.username, in.realm, in.password});
  if (!base || !is_session_variant(in.algorithm)) return base;
  return hash_joined(in.algorithm, {*base, in.nonce, in.cnonce});
}

base::Result<std::string, AuthError> compute_ha2(const DigestInput& in) {
  if (in.qop != Qop::kAuthInt) return hash_joined(in.algorithm, {in.method, in.digest_uri});
  auto body = hex_hash(in.algorithm, in.body);
  if (!body) return body;
  return hash_joined(in.algorithm, {in.method, in.digest_uri, *body});
}

base::Result<std::string, AuthError> compute_response(const DigestInput& in) {
  auto ha1 = compute_ha1(in);
  if (!ha1) return ha1;
  auto ha2 = compute_ha2(in);
  if (!ha2) return ha2;
  base::Result<std::string, AuthError> out =
      in.qop == Qop::kNone ? hash_joined(in.algorithm, {*ha1, in.nonce, *ha2})
                           : hash_joined(in.algorithm, {*ha1, in.nonce, format_nonce_count(in.nc),
                                                        in.cnonce, qop_name(in.qop), *ha2});
  OPENSSL_cleanse(ha1->data(), ha1->size());
  return out;
}

}  // namespace sipline::auth
