// The seed's identity rows on an INVITE (calls-and-subscriptions.md "Calls"), as pure functions:
//  - use_privacy_header: "Privacy: id" on an anonymous call, "Privacy: none" otherwise; off: none.
//  - use_p_preferred_identity_header: P-Preferred-Identity: "display" <scheme:user@host> (no
//    display part when empty; sips where the account's scheme is sips); off: none.
//  - an anonymous call's From is "Anonymous" <sip:anonymous@anonymous.invalid> either way.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace sipline::usage::invite {

struct IdentityInput {
  bool anonymous = false;
  bool use_privacy_header = false;
  bool use_p_preferred_identity_header = false;
  std::string_view display_name;
  std::string_view scheme = "sip";  // "sip" or "sips"
  std::string_view user_id;
  std::string_view host;  // sip_server's host (no port)
  std::string_view aor;   // the From URI of a call that is not anonymous
};

struct IdentityHeaders {
  std::string from;  // From name-addr without tag
  std::optional<std::string> privacy;
  std::optional<std::string> p_preferred_identity;
};

inline constexpr std::string_view kAnonymousFrom =
    "\"Anonymous\" <sip:anonymous@anonymous.invalid>";

IdentityHeaders identity_headers(const IdentityInput& in);

}  // namespace sipline::usage::invite
