#include "usage/sub/policy.hpp"

#include <array>

#include "base/text.hpp"

namespace sipline::usage::sub {

namespace {

struct PackageRow {
  Package package;
  std::string_view event;
  std::string_view accept;
};
constexpr std::array<PackageRow, 3> kPackages{{
    {Package::kMessageSummary, "message-summary", "application/simple-message-summary"},
    {Package::kDialog, "dialog", "application/dialog-info+xml"},
    {Package::kReg, "reg", "application/reginfo+xml"},
}};

using base::iequals;

std::string_view param(const msg::SubscriptionState& s, std::string_view name) {
  const msg::Param* p = msg::find_param(s.params, name);
  return p != nullptr ? p->value : std::string_view{};
}

}  // namespace

std::string_view event_name(Package p) {
  return kPackages[static_cast<std::size_t>(p)].event;
}

std::string_view accept_type(Package p) {
  return kPackages[static_cast<std::size_t>(p)].accept;
}

std::optional<Package> package_of(std::string_view event) {
  for (const PackageRow& row : kPackages) {
    if (iequals(row.event, event)) return row.package;
  }
  return std::nullopt;
}

ResponseAction on_final_response(const ResponseInput& in) {
  const int code = in.status_code;
  if (code >= 200 && code < 300) return ResponseAction::kActive;
  if (code == 423 && !in.got_423 && in.min_expires && *in.min_expires > in.requested_s) {
    return ResponseAction::kRetryMinExpires;
  }
  if (code == 481 && in.refresh) return ResponseAction::kNewNow;
  if (code == 489) return ResponseAction::kStop;
  if (code == 403) return ResponseAction::kRetryCredentials;
  return ResponseAction::kRetryLater;
}

std::uint32_t granted_expiry(const msg::Message& response, std::uint32_t requested_s) {
  const auto e = response.uint_header(msg::HeaderId::kExpires);
  return e.has_value() ? *e : requested_s;
}

StateVerdict on_subscription_state(const msg::SubscriptionState& state, bool unsubscribing) {
  StateVerdict v;
  if (!iequals(state.state, "terminated")) {
    v.expires_s = state.expires();
    return v;
  }
  v.reason = std::string(param(state, "reason"));
  v.retry_after_s = msg::parse_uint(param(state, "retry-after"));
  if (unsubscribing) {
    v.action = StateAction::kEnd;
  } else if (iequals(v.reason, "deactivated") || iequals(v.reason, "timeout")) {
    v.action = StateAction::kNewNow;
  } else if (iequals(v.reason, "probation") || iequals(v.reason, "giveup")) {
    v.action = StateAction::kNewLater;
  } else {
    v.action = StateAction::kNotRenewed;
  }
  return v;
}

}  // namespace sipline::usage::sub
