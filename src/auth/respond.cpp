#include "auth/respond.hpp"

namespace sipline::auth {

base::Result<std::string, ChallengeFailure> answer_challenge(DigestSession& session,
                                                             const msg::Message& response,
                                                             std::string_view method,
                                                             std::string_view request_uri) {
  using base::fail;
  const int code = response.status_code();
  const auto kind = kind_for_status(code);
  if (!kind) return fail(ChallengeFailure{false, std::to_string(code) + " is not a challenge"});
  const auto header = *kind == HeaderKind::kWww ? msg::HeaderId::kWwwAuthenticate
                                                : msg::HeaderId::kProxyAuthenticate;
  auto values = response.auth(header);
  if (!values.ok()) {
    return fail(ChallengeFailure{false, std::to_string(code) + " with a malformed challenge"});
  }
  auto challenge = choose_challenge(*values, *kind);
  if (!challenge.ok()) {
    return fail(ChallengeFailure{false, std::to_string(code) + " with no usable challenge: " +
                                            std::string(describe(challenge.error().code)) + " " +
                                            challenge.error().detail});
  }
  if (session.on_challenge(*challenge) == ChallengeVerdict::kCredentialsRejected) {
    return fail(ChallengeFailure{
        true, std::to_string(code) + " again after our credentials (wrong password?)"});
  }
  auto credentials = session.authorize(*challenge, method, request_uri);
  if (!credentials.ok()) {
    return fail(ChallengeFailure{
        true, "cannot answer the challenge: " + std::string(describe(credentials.error().code)) +
                  " " + credentials.error().detail});
  }
  return std::move(credentials).value();
}

}  // namespace sipline::auth
