// DigestSession: one account's credentials against one protection space (a realm behind
// WWW-Authenticate or Proxy-Authenticate), the last challenge, the nonce count, and the
// policy the registration engine asks for: answer this challenge, or the password is wrong.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/challenge.hpp"
#include "auth/digest.hpp"
#include "auth/errors.hpp"
#include "auth/nonce_cache.hpp"
#include "base/random.hpp"
#include "base/result.hpp"

namespace sipline::auth {

// Views of the account's own strings (its config outlives every session that answers for it):
// a session keeps no copy of the password, and thousands of accounts pay 32 bytes each instead
// of two strings (and their allocations when longer than 15 characters). Made from strings
// that outlive it or from literals; a temporary std::string does not compile (it would dangle).
struct Credentials {
  Credentials(const std::string& user, const std::string& pass) : username(user), password(pass) {}
  template <std::size_t N, std::size_t M>
  Credentials(const char (&user)[N], const char (&pass)[M])
      : username(user, N - 1), password(pass, M - 1) {}
  template <std::size_t N>
  Credentials(const char (&user)[N], const std::string& pass)
      : username(user, N - 1), password(pass) {}
  Credentials(std::string&&, const std::string&) = delete;
  Credentials(const std::string&, std::string&&) = delete;
  Credentials(std::string&&, std::string&&) = delete;
  template <std::size_t N>
  Credentials(const char (&)[N], std::string&&) = delete;

  std::string_view username;  // the account's auth_id
  std::string_view password;  // never logged, never returned
};

enum class ChallengeVerdict : std::uint8_t {
  kAnswer,               // answer it (a nonce or protection space not yet answered this attempt)
  kCredentialsRejected,  // the nonce we answered challenged again without stale: wrong credentials
};

class DigestSession {
 public:
  // Answers within one attempt before even new-nonce/stale/new-realm challenges count as
  // rejection, so a server that never accepts cannot loop us.
  static constexpr int kMaxAnswersWithoutSuccess = 4;
  static constexpr std::size_t kCnonceChars = 24;

  DigestSession(Credentials credentials, base::Random& random);
  ~DigestSession();
  DigestSession(DigestSession&&) noexcept = default;
  DigestSession& operator=(DigestSession&&) noexcept = default;
  DigestSession(const DigestSession&) = delete;
  DigestSession& operator=(const DigestSession&) = delete;

  // A new attempt (one REGISTER or SUBSCRIBE exchange up to its outcome) begins: the guard is
  // the attempt's own, so a challenge answered before a timeout, a transport error or an
  // earlier attempt is never held against the next one. The challenge and nc stay for
  // reauthorize().
  void begin_attempt();

  // Policy for a 401/407 just received within the current attempt (RFC 3261 §22.2, as PJSIP
  // does it): one challenge, one answer. A nonce we already answered, challenged again without
  // a new nonce, means the credentials were refused; a changed nonce (stale or not) or a new
  // protection space is a new challenge and is answered, at most kMaxAnswersWithoutSuccess
  // times per attempt. kCredentialsRejected: the session forgets the challenge and its failure
  // count, so the next attempt starts afresh.
  ChallengeVerdict on_challenge(const Challenge& challenge);

  // The full Authorization / Proxy-Authorization value answering `challenge`
  // ("Digest username=..., response=..., nc=..."). nc is 1 for a new nonce, +1 for the same one.
  base::Result<std::string, AuthError> authorize(const Challenge& challenge,
                                                 std::string_view method,
                                                 std::string_view digest_uri,
                                                 std::string_view body = {});

  // Credentials for a request sent without being challenged (add_auth_header_on_reregister):
  // the last challenge (with a shared cache: the newest one the account's usages got, of this
  // session's kind first) with the next nc. A challenge that follows is not held against the
  // password (the server may simply have expired the nonce). kNoChallenge before any.
  base::Result<std::string, AuthError> reauthorize(std::string_view method,
                                                   std::string_view digest_uri,
                                                   std::string_view body = {});

  // Shares nonces and their counts with the account's other usages (nullptr: this session's
  // own). `cache` must outlive the session.
  void share(NonceCache* cache) { cache_ = cache; }

  // A 2xx (or any non-401/407 final answer to our credentials): the failure guard resets. The
  // challenge and nc stay for reauthorize().
  void on_success();
  // After a 2xx, when nothing is answered pre-emptively (add_auth_header_on_reregister off):
  // the challenge goes (here and in the shared cache), the nonce count stays, so a challenge
  // that names a nonce we used gets the next nc, never 1 again (RFC 7616 §3.4).
  void forget_challenge();
  // Forgets the challenge, nc and guard; keeps the credentials.
  void reset();
  // New credentials (config reload): also reset().
  void set_credentials(Credentials credentials);

  bool has_challenge() const { return last_ != nullptr; }
  const Challenge* last_challenge() const { return last_.get(); }
  std::uint32_t nonce_count() const { return nc_; }  // last nc sent, 0 before any
  // Header our answers go in (Authorization unless the last challenge came from a proxy).
  HeaderKind kind() const { return last_ ? last_->kind : HeaderKind::kWww; }
  std::string_view header_name() const { return credentials_header_name(kind()); }
  std::string_view username() const { return credentials_.username; }

 private:
  base::Result<std::string, AuthError> answer(const Challenge& challenge, std::uint32_t nc,
                                              std::string_view method, std::string_view digest_uri,
                                              std::string_view body);

  // The nc for the next use of the nonce `key` names (recorded as used), from the cache when
  // shared.
  base::Result<std::uint32_t, AuthError> next_nc(std::uint64_t key);
  // answer() with the next nc, remembered as this session's last challenge and count.
  base::Result<std::string, AuthError> answer_next(std::shared_ptr<const Challenge> challenge,
                                                   std::string_view method,
                                                   std::string_view digest_uri,
                                                   std::string_view body);

  Credentials credentials_;
  base::Random* random_;
  NonceCache* cache_ = nullptr;
  std::shared_ptr<const Challenge> last_;  // shared with the NonceCache, when there is one
  std::uint64_t last_key_ = 0;             // nonce_key() of the last challenge answered
  std::uint32_t nc_ = 0;
  bool answered_ = false;  // this attempt answered a challenge and has not heard success since
  int answers_since_success_ = 0;  // within this attempt
};

}  // namespace sipline::auth
