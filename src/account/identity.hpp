// The names an account puts on the wire (account-settings.md "Transport, local port, URI
// scheme"): Request-URI, AOR (From/To), Contact, for its transport and URI scheme.
#pragma once
#include <string>

#include "base/shared_text.hpp"
#include "config/config.hpp"
#include "transport/transport.hpp"

namespace sipline::account {

struct WireNames {
  std::string scheme;  // "sip" or "sips"
  // REGISTER / OPTIONS Request-URI: "sip:server[:port][;transport=tls]". The accounts of a
  // fleet name one server: consecutive calls that make the same URI share its text.
  base::SharedText request_uri;
  std::string aor;      // From / To: "sip:user@server[;transport=tls]"
  std::string contact;  // "sip:user@local-ip:port[;transport=tcp|tls]"
};

// `local` is the address the transport sends from (Via sent-by), used for the Contact.
WireNames wire_names(const config::AccountConfig& cfg, const transport::Address& local);

// A URI for `user_or_uri` as the account writes it: a sip:/sips: URI is taken as is; a bare
// user becomes "scheme:user@server-host" in the account's scheme (the AOR's form).
std::string resource_uri(const config::AccountConfig& cfg, const std::string& user_or_uri);

// "host" with IPv6 brackets, plus ":port" when configured.
std::string uri_host(const config::HostPort& hp, bool with_port);

}  // namespace sipline::account
