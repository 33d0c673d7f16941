#include "auth/session.hpp"

#include <limits>
#include <utility>

namespace sipline::auth {

namespace {

bool has_control(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

// quoted-string (RFC 3261 §25.1): '"' and '\' escaped.
void append_quoted(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

void append_param(std::string& out, std::string_view name, std::string_view value, bool quoted) {
  out.append(", ").append(name).push_back('=');
  if (quoted) {
    append_quoted(out, value);
  } else {
    out.append(value);
  }
}

Qop pick_qop(const QopOptions& offered) {
  if (offered.auth) return Qop::kAuth;  // no body hash needed; what every server checks
  if (offered.auth_int) return Qop::kAuthInt;
  return Qop::kNone;
}

}  // namespace

DigestSession::DigestSession(Credentials credentials, base::Random& random)
    : credentials_(credentials), random_(&random) {}

DigestSession::~DigestSession() = default;

void DigestSession::begin_attempt() {
  answered_ = false;
  answers_since_success_ = 0;
}

ChallengeVerdict DigestSession::on_challenge(const Challenge& challenge) {
  if (!answered_) return ChallengeVerdict::kAnswer;
  // Same realm and nonce as our answer: refused, stale or not (a stale flag on the nonce we
  // just used cannot be answered with anything new).
  if (answers_since_success_ < kMaxAnswersWithoutSuccess && nonce_key(challenge) != last_key_) {
    return ChallengeVerdict::kAnswer;
  }
  reset();
  return ChallengeVerdict::kCredentialsRejected;
}

base::Result<std::uint32_t, AuthError> DigestSession::next_nc(std::uint64_t key) {
  if (cache_ != nullptr) {
    if (auto nc = cache_->next_nc(key)) return *nc;
  } else if (key != last_key_) {
    return 1;
  } else if (nc_ != std::numeric_limits<std::uint32_t>::max()) {
    return nc_ + 1;
  }
  return base::fail(AuthError{AuthErrorCode::kNonceCountExhausted, {}});
}

base::Result<std::string, AuthError> DigestSession::answer_next(
    std::shared_ptr<const Challenge> challenge, std::string_view method,
    std::string_view digest_uri, std::string_view body) {
  const std::uint64_t key = nonce_key(*challenge);
  auto nc = next_nc(key);
  if (!nc) return base::fail(nc.error());
  auto header = answer(*challenge, *nc, method, digest_uri, body);
  if (!header) return header;
  last_key_ = key;
  last_ = std::move(challenge);
  nc_ = *nc;
  return header;
}

base::Result<std::string, AuthError> DigestSession::authorize(const Challenge& challenge,
                                                              std::string_view method,
                                                              std::string_view digest_uri,
                                                              std::string_view body) {
  auto header = answer_next(std::make_shared<const Challenge>(challenge), method, digest_uri, body);
  if (!header) return header;
  if (cache_ != nullptr) cache_->note(last_);
  answered_ = true;
  ++answers_since_success_;
  return header;
}

base::Result<std::string, AuthError> DigestSession::reauthorize(std::string_view method,
                                                                std::string_view digest_uri,
                                                                std::string_view body) {
  std::shared_ptr<const Challenge> challenge =
      cache_ != nullptr ? cache_->latest_shared(kind()) : nullptr;
  if (!challenge) challenge = last_;
  if (!challenge) return base::fail(AuthError{AuthErrorCode::kNoChallenge, {}});
  return answer_next(std::move(challenge), method, digest_uri, body);
}

void DigestSession::on_success() {
  begin_attempt();
}

void DigestSession::forget_challenge() {
  last_.reset();
  if (cache_ != nullptr) cache_->forget_challenges();
}

void DigestSession::reset() {
  last_.reset();
  last_key_ = 0;
  nc_ = 0;
  on_success();
}

void DigestSession::set_credentials(Credentials credentials) {
  credentials_ = credentials;
  reset();
}

base::Result<std::string, AuthError> DigestSession::answer(const Challenge& challenge,
                                                           std::uint32_t nc,
                                                           std::string_view method,
                                                           std::string_view digest_uri,
                                                           std::string_view body) {
  const Credentials& cr = credentials_;
  if (cr.username.empty() || has_control(cr.username) || has_control(cr.password)) {
    return base::fail(AuthError{AuthErrorCode::kBadCredentials, "username/password"});
  }
  if (method.empty() || has_control(method) || digest_uri.empty() || has_control(digest_uri)) {
    return base::fail(AuthError{AuthErrorCode::kBadCredentials, "method/uri"});
  }
  DigestInput in{
      challenge.algorithm,     cr.username, challenge.realm, cr.password, challenge.nonce, {}, nc,
      pick_qop(challenge.qop), method,      digest_uri,      body};
  const bool with_cnonce = in.qop != Qop::kNone || is_session_variant(in.algorithm);
  const std::string cnonce = with_cnonce ? random_->token(kCnonceChars) : std::string();
  in.cnonce = cnonce;
  auto response = compute_response(in);
  if (!response) return response;

  std::string shown_user(cr.username);
  if (challenge.userhash) {
    auto hashed = hex_hash(in.algorithm, std::string(cr.username) + ":" + challenge.realm);
    if (!hashed) return hashed;
    shown_user = std::move(*hashed);
  }
  std::string out = "Digest username=";
  append_quoted(out, shown_user);
  append_param(out, "realm", challenge.realm, true);
  append_param(out, "nonce", challenge.nonce, true);
  append_param(out, "uri", digest_uri, true);
  append_param(out, "response", *response, true);
  append_param(out, "algorithm", algorithm_name(in.algorithm), false);
  if (with_cnonce) append_param(out, "cnonce", cnonce, true);
  if (challenge.opaque) append_param(out, "opaque", *challenge.opaque, true);
  if (in.qop != Qop::kNone) {
    append_param(out, "qop", qop_name(in.qop), false);
    append_param(out, "nc", format_nonce_count(nc), false);
  }
  if (challenge.userhash) append_param(out, "userhash", "true", false);
  return out;
}

}  // namespace sipline::auth
