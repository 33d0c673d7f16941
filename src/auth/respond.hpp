// Answering a 401/407 final response to one of our requests: the one place REGISTER and
// SUBSCRIBE (and later INVITE) read the challenge, ask the session's policy and build the
// credentials, so every usage answers challenges the same way (algorithms, nc, stale, guard).
#pragma once
#include <string>
#include <string_view>

#include "auth/session.hpp"
#include "base/result.hpp"
#include "msg/message.hpp"

namespace sipline::auth {

struct ChallengeFailure {
  bool credentials = false;  // the password is wrong or cannot answer: a credentials failure
  std::string detail;        // "401 again after our credentials (wrong password?)" ...
};

// The Authorization / Proxy-Authorization value (header: session.header_name()) answering the
// 401/407 `response` to `method` sent to `request_uri`, or why it cannot be answered.
base::Result<std::string, ChallengeFailure> answer_challenge(DigestSession& session,
                                                             const msg::Message& response,
                                                             std::string_view method,
                                                             std::string_view request_uri);

}  // namespace sipline::auth
