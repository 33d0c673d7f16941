// A request that got no usable answer from its next hop, as a usage reports it to the account,
// which decides whether to move to the server's next target (RFC 3263 §4.3). REGISTER,
// SUBSCRIBE and out-of-dialog INVITE report through this one type, so the rule and the walk
// through the targets are written once (account::Account::fail_over).
#pragma once
#include <functional>
#include <string>

#include "transport/transport.hpp"

namespace sipline::txn {

struct NextHopFailure {
  transport::Target target;  // where the failed request went
  bool no_response = false;  // the transaction timed out or met a transport error
  int status = 0;            // otherwise the final status
  bool retry_after = false;  // the response carried Retry-After
  std::string why;           // "timeout", "transport", "503": for the reason shown in status

  // The move rule: a timeout, a transport error, or a 503 without Retry-After.
  bool moves_on() const { return no_response || (status == 503 && !retry_after); }
};

// True: send the request again at once, to the account's (new) target. False: the failure
// stands (no other target, a fixed server, or a failure that does not move).
using FailOver = std::function<bool(const NextHopFailure&)>;

}  // namespace sipline::txn
