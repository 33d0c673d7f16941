// The subscriber's decisions (RFC 6665, calls-and-subscriptions.md "Subscriptions") as pure
// functions over parsed values: what a final response to SUBSCRIBE means, what a NOTIFY's
// Subscription-State asks for, and the granted lifetime. Table-tested; the Subscription state
// machine only carries them out.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "msg/message.hpp"

namespace sipline::usage::sub {

enum class Package : std::uint8_t { kMessageSummary, kDialog, kReg };
std::string_view event_name(Package p);   // "message-summary", "dialog", "reg"
std::string_view accept_type(Package p);  // "application/simple-message-summary" ...
std::optional<Package> package_of(std::string_view event);

// What to do after a final response to a SUBSCRIBE (challenges are answered before this).
enum class ResponseAction : std::uint8_t {
  kActive,            // 2xx: the subscription (or its refresh) is accepted
  kRetryMinExpires,   // 423 with a usable Min-Expires, first time: resend asking for it
  kNewNow,            // 481 to a refresh: the dialog is gone, start a new subscription at once
  kStop,              // 489 Bad Event: never again (status says so)
  kRetryLater,        // anything else: retry after registration_retry_wait_s (+ Retry-After)
  kRetryCredentials,  // 403: retry after auth_failure_retry_wait_s
};
struct ResponseInput {
  int status_code = 0;
  bool refresh = false;                      // an in-dialog SUBSCRIBE
  bool got_423 = false;                      // this attempt already followed one 423
  std::uint32_t requested_s = 0;             // what it asked for
  std::optional<std::uint32_t> min_expires;  // the 423's Min-Expires
};
ResponseAction on_final_response(const ResponseInput& in);

// The granted lifetime of a 2xx to SUBSCRIBE: its Expires, else what we asked for.
std::uint32_t granted_expiry(const msg::Message& response, std::uint32_t requested_s);

// What a NOTIFY's Subscription-State asks of the subscriber.
enum class StateAction : std::uint8_t {
  kKeep,        // active / pending: keep; `expires_s` (when given) replaces the granted time
  kNewNow,      // terminated; deactivated / timeout: a new subscription at once
  kNewLater,    // terminated; probation / giveup: a new one after retry-after (or the wait)
  kEnd,         // terminated after our own Expires: 0: the subscription is over
  kNotRenewed,  // terminated; rejected / noresource / invariant / no reason: stays ended
};
struct StateVerdict {
  StateAction action = StateAction::kKeep;
  std::optional<std::uint32_t> expires_s;
  std::optional<std::uint32_t> retry_after_s;
  std::string reason;  // the terminated reason as received ("" when none)
};
// `unsubscribing`: we sent Expires: 0 and wait for the final NOTIFY.
StateVerdict on_subscription_state(const msg::SubscriptionState& state, bool unsubscribing);

}  // namespace sipline::usage::sub
