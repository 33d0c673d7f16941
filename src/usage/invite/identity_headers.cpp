#include "usage/invite/identity_headers.hpp"

#include "msg/writer.hpp"

namespace sipline::usage::invite {

IdentityHeaders identity_headers(const IdentityInput& in) {
  IdentityHeaders h;
  h.from =
      in.anonymous ? std::string(kAnonymousFrom) : msg::format_name_addr(in.display_name, in.aor);
  if (in.use_privacy_header) h.privacy = in.anonymous ? "id" : "none";
  if (in.use_p_preferred_identity_header) {
    std::string uri(in.scheme);
    uri.append(":").append(in.user_id).append("@").append(in.host);
    h.p_preferred_identity = msg::format_name_addr(in.display_name, uri);
  }
  return h;
}

}  // namespace sipline::usage::invite
