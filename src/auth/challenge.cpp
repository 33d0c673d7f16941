#include "auth/challenge.hpp"

#include <array>
#include <utility>

#include "base/text.hpp"
#include "msg/values.hpp"

namespace sipline::auth {

std::string_view describe(AuthErrorCode code) {
  switch (code) {
    case AuthErrorCode::kNotDigest:
      return "not a digest challenge";
    case AuthErrorCode::kMissingRealm:
      return "challenge without realm";
    case AuthErrorCode::kMissingNonce:
      return "challenge without nonce";
    case AuthErrorCode::kUnknownAlgorithm:
      return "unknown algorithm";
    case AuthErrorCode::kUnsupportedQop:
      return "unsupported qop";
    case AuthErrorCode::kBadParameter:
      return "bad parameter";
    case AuthErrorCode::kNoChallenge:
      return "no challenge";
    case AuthErrorCode::kBadCredentials:
      return "bad credentials";
    case AuthErrorCode::kNonceCountExhausted:
      return "nonce count exhausted";
    case AuthErrorCode::kCryptoFailure:
      return "crypto failure";
  }
  return "unknown";
}

namespace {

using base::iequals;

// Linear white space, including the CRLF of a folded header line.
bool is_lws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_lws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_lws(s.back())) s.remove_suffix(1);
  return s;
}

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && u != '\t') || u == 0x7f;
}

bool has_control(std::string_view s) {
  for (char c : s) {
    if (is_control(c)) return true;
  }
  return false;
}

const msg::Param* find(const msg::Params& params, std::string_view name) {
  for (const auto& p : params) {
    if (iequals(p.name, name)) return &p;
  }
  return nullptr;
}

// The parameter's value, quotes stripped (if the parser left them) and escapes resolved;
// nullopt when absent.
std::optional<std::string> value_of(const msg::Params& params, std::string_view name) {
  const msg::Param* p = find(params, name);
  if (p == nullptr) return std::nullopt;
  return msg::unquote(p->value);
}

QopOptions parse_qop(std::string_view list) {
  QopOptions qop;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = trim(list.substr(0, comma));
    if (iequals(item, "auth")) qop.auth = true;
    if (iequals(item, "auth-int")) qop.auth_int = true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return qop;
}

// Details end up in logs: bounded, and no control characters.
AuthError error(AuthErrorCode code, std::string detail = {}) {
  constexpr std::size_t kMaxDetail = 64;
  if (detail.size() > kMaxDetail) detail.resize(kMaxDetail);
  for (char& c : detail) {
    if (is_control(c)) c = '?';
  }
  return AuthError{code, std::move(detail)};
}

}  // namespace

std::string_view algorithm_name(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kMd5:
      return "MD5";
    case Algorithm::kMd5Sess:
      return "MD5-sess";
    case Algorithm::kSha256:
      return "SHA-256";
    case Algorithm::kSha256Sess:
      return "SHA-256-sess";
    case Algorithm::kSha512_256:
      return "SHA-512-256";
    case Algorithm::kSha512_256Sess:
      return "SHA-512-256-sess";
  }
  return "MD5";
}

std::optional<Algorithm> parse_algorithm(std::string_view text) {
  static constexpr std::array kAll = {Algorithm::kMd5,        Algorithm::kMd5Sess,
                                      Algorithm::kSha256,     Algorithm::kSha256Sess,
                                      Algorithm::kSha512_256, Algorithm::kSha512_256Sess};
  text = trim(text);
  for (Algorithm a : kAll) {
    if (iequals(text, algorithm_name(a))) return a;
  }
  return std::nullopt;
}

bool is_session_variant(Algorithm algorithm) {
  return algorithm == Algorithm::kMd5Sess || algorithm == Algorithm::kSha256Sess ||
         algorithm == Algorithm::kSha512_256Sess;
}

int strength(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kMd5:
    case Algorithm::kMd5Sess:
      return 1;
    case Algorithm::kSha256:
    case Algorithm::kSha256Sess:
      return 2;
    case Algorithm::kSha512_256:
    case Algorithm::kSha512_256Sess:
      return 3;
  }
  return 0;
}

std::optional<HeaderKind> kind_for_status(int status_code) {
  if (status_code == 401) return HeaderKind::kWww;
  if (status_code == 407) return HeaderKind::kProxy;
  return std::nullopt;
}

std::string_view challenge_header_name(HeaderKind kind) {
  return kind == HeaderKind::kProxy ? "Proxy-Authenticate" : "WWW-Authenticate";
}

std::string_view credentials_header_name(HeaderKind kind) {
  return kind == HeaderKind::kProxy ? "Proxy-Authorization" : "Authorization";
}

base::Result<Challenge, AuthError> parse_challenge(const msg::AuthValue& value, HeaderKind kind) {
  if (!iequals(trim(value.scheme), "Digest")) {
    return base::fail(error(AuthErrorCode::kNotDigest, std::string(value.scheme)));
  }
  Challenge c;
  c.kind = kind;
  auto realm = value_of(value.params, "realm");
  if (!realm) return base::fail(error(AuthErrorCode::kMissingRealm));
  c.realm = std::move(*realm);
  auto nonce = value_of(value.params, "nonce");
  if (!nonce || nonce->empty()) return base::fail(error(AuthErrorCode::kMissingNonce));
  c.nonce = std::move(*nonce);
  c.opaque = value_of(value.params, "opaque");
  // These are echoed into our header: no CR/LF (or other control) may ride along.
  if (has_control(c.realm) || has_control(c.nonce) || has_control(c.opaque.value_or(""))) {
    return base::fail(error(AuthErrorCode::kBadParameter, "realm/nonce/opaque"));
  }
  if (auto algorithm = value_of(value.params, "algorithm")) {
    auto parsed = parse_algorithm(*algorithm);
    if (!parsed) return base::fail(error(AuthErrorCode::kUnknownAlgorithm, *algorithm));
    c.algorithm = *parsed;
  }
  if (auto qop = value_of(value.params, "qop")) {
    c.qop = parse_qop(*qop);
    if (!c.qop.any()) return base::fail(error(AuthErrorCode::kUnsupportedQop, *qop));
  }
  c.stale = iequals(trim(value_of(value.params, "stale").value_or("")), "true");
  c.userhash = iequals(trim(value_of(value.params, "userhash").value_or("")), "true");
  return c;
}

base::Result<Challenge, AuthError> choose_challenge(std::span<const msg::AuthValue> values,
                                                    HeaderKind kind) {
  std::optional<Challenge> best;
  std::optional<AuthError> first_error;
  for (const auto& v : values) {
    auto parsed = parse_challenge(v, kind);
    if (!parsed) {
      if (!first_error && parsed.error().code != AuthErrorCode::kNotDigest) {
        first_error = parsed.error();
      }
      continue;
    }
    if (!best || strength(parsed->algorithm) > strength(best->algorithm)) {
      best = std::move(parsed).value();
    }
  }
  if (best) return std::move(*best);
  if (first_error) return base::fail(std::move(*first_error));
  return base::fail(error(AuthErrorCode::kNoChallenge));
}

base::Result<Challenge, AuthError> challenge_from_response(const msg::Message& response) {
  const auto kind = kind_for_status(response.status_code());
  if (!kind) return base::fail(error(AuthErrorCode::kNoChallenge));
  const msg::HeaderId id = *kind == HeaderKind::kProxy ? msg::HeaderId::kProxyAuthenticate
                                                       : msg::HeaderId::kWwwAuthenticate;
  auto values = response.auth(id);
  if (!values) {
    return base::fail(
        error(AuthErrorCode::kBadParameter, std::string(challenge_header_name(*kind))));
  }
  return choose_challenge(*values, *kind);
}

}  // namespace sipline::auth
