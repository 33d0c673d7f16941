// Finding our own binding in a REGISTER 2xx (RFC 3261 §10.2.4): the registrar lists every
// binding of the AOR; ours is the Contact whose URI equals the one we sent (§19.1.4 URI
// comparison: scheme, user, host case-insensitively, port with its default, transport).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "msg/message.hpp"

namespace sipline::usage::reg {

bool same_contact_uri(const msg::Uri& a, const msg::Uri& b);

// The granted lifetime G for `our_contact` in a 2xx: our Contact's expires param, else the
// Expires header, else `requested_s`. `confirmed` says whether our Contact was listed.
// With it, the GRUUs (RFC 5627 §5.2) the registrar gave our binding, "" when none.
struct Granted {
  std::uint32_t seconds = 0;
  bool confirmed = false;
  std::string pub_gruu;
  std::string temp_gruu;
};
Granted granted_expiry(const msg::Message& response, std::string_view our_contact,
                       std::uint32_t requested_s);

}  // namespace sipline::usage::reg
