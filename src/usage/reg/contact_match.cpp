#include "usage/reg/contact_match.hpp"

#include <algorithm>
#include <cctype>

#include "base/text.hpp"

namespace sipline::usage::reg {
namespace {

using base::iequals;

std::uint16_t effective_port(const msg::Uri& u) {
  if (u.port != 0) return u.port;
  return u.scheme == msg::Scheme::kSips ? 5061 : 5060;
}

std::string_view effective_transport(const msg::Uri& u) {
  std::string_view t = u.param("transport");
  if (!t.empty()) return t;
  return u.scheme == msg::Scheme::kSips ? "tls" : "udp";
}

}  // namespace

bool same_contact_uri(const msg::Uri& a, const msg::Uri& b) {
  return a.scheme == b.scheme && a.user == b.user && iequals(a.host, b.host) &&
         effective_port(a) == effective_port(b) &&
         iequals(effective_transport(a), effective_transport(b));
}

Granted granted_expiry(const msg::Message& response, std::string_view our_contact,
                       std::uint32_t requested_s) {
  Granted g;
  std::optional<std::uint32_t> from_contact;
  auto ours = msg::parse_uri(our_contact);
  auto contacts = response.contacts();
  if (ours.ok() && contacts.ok()) {
    for (const auto& c : *contacts) {
      if (c.star || !same_contact_uri(c.addr.uri, *ours)) continue;
      g.confirmed = true;
      from_contact = c.expires();
      if (const auto* p = msg::find_param(c.addr.params, "pub-gruu")) g.pub_gruu = p->value;
      if (const auto* p = msg::find_param(c.addr.params, "temp-gruu")) g.temp_gruu = p->value;
      break;
    }
  }
  if (from_contact) {
    g.seconds = *from_contact;
  } else if (auto e = response.uint_header(msg::HeaderId::kExpires)) {
    g.seconds = *e;
  } else {
    g.seconds = requested_s;
  }
  return g;
}

}  // namespace sipline::usage::reg
