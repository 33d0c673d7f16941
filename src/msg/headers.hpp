// Header ids: every header name, long or compact form, in any case, maps to one id.
#pragma once
#include <cstdint>
#include <string_view>

namespace sipline::msg {

enum class HeaderId : std::uint8_t {
  kOther = 0,  // any header sipline has no id for; look it up by name
  kAccept,
  kAcceptEncoding,
  kAllow,
  kAllowEvents,  // compact u
  kAuthorization,
  kCallId,   // compact i
  kContact,  // compact m
  kContentDisposition,
  kContentEncoding,  // compact e
  kContentLength,    // compact l
  kContentType,      // compact c
  kCSeq,
  kDate,
  kEvent,  // compact o
  kExpires,
  kFrom,  // compact f
  kMaxForwards,
  kMinExpires,
  kPAssertedIdentity,
  kPPreferredIdentity,
  kPath,
  kPrivacy,
  kProxyAuthenticate,
  kProxyAuthorization,
  kProxyRequire,
  kRecordRoute,
  kReferTo,  // compact r
  kRequire,
  kRetryAfter,
  kRoute,
  kServer,
  kSubject,  // compact s
  kSubscriptionState,
  kSupported,  // compact k
  kTo,         // compact t
  kUnsupported,
  kUserAgent,
  kVia,  // compact v
  kWarning,
  kWwwAuthenticate,
  kCount
};

// Case-insensitive; compact forms map to the same id; unknown names give kOther.
HeaderId header_id(std::string_view name);
// The canonical long name ("Call-ID", "CSeq", "WWW-Authenticate", ...). kOther gives "".
std::string_view header_name(HeaderId id);

}  // namespace sipline::msg
