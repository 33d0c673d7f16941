// The NOTIFY server side of an account's subscriptions: which subscription a NOTIFY belongs to,
// its body read before any state changes (an unreadable body gets 400 with the reason, state
// unchanged), 481 when no subscription matches, and unsolicited message-summary (no To tag)
// accepted only from the registrar / outbound proxy address (else 403).
#pragma once
#include <span>
#include <string>
#include <variant>

#include "transport/transport.hpp"
#include "usage/sub/bodies/dialog_info.hpp"
#include "usage/sub/bodies/mwi.hpp"
#include "usage/sub/bodies/reginfo.hpp"
#include "usage/sub/subscription.hpp"

namespace sipline::usage::sub {

using Body =
    std::variant<std::monostate, bodies::MessageSummary, bodies::DialogInfo, bodies::RegInfo>;

struct NotifyResult {
  int status_code = 200;
  std::string reason;                    // why not 200 (also sent as the Warning text)
  Subscription* subscription = nullptr;  // nullptr: unsolicited or unmatched
  StateVerdict verdict;                  // the subscription's verdict (status 200 only)
  Body body;                             // empty when the NOTIFY had no body
};

// Reads the body of an event package (empty body: monostate).
base::Result<Body, bodies::BodyError> read_body(Package package, std::string_view body);

// Decides about one NOTIFY; on 200 the matching subscription has taken it (dialog, CSeq,
// Subscription-State). `trusted` are the addresses of sip_server / outbound_proxy.
NotifyResult dispatch_notify(std::span<Subscription* const> subscriptions,
                             const msg::Message& notify, const transport::Address& source,
                             std::span<const transport::Address> trusted);

// The response bytes for `result` (To tag added for the unsolicited 200/403 when absent).
std::string notify_response(const msg::Message& notify, const NotifyResult& result,
                            std::string_view to_tag);

}  // namespace sipline::usage::sub
