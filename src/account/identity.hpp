// The names an account puts on the wire (account-settings.md "Transport, local port, URI
// scheme"): Request-URI, AOR (From/To), Contact, for its transport and URI scheme.
#pragma once
#include <string>

#include "config/config.hpp"
#include "transport/transport.hpp"

namespace sipline::account {

struct WireNames {
  std::string scheme;       // "sip" or "sips"
  std::string request_uri;  // REGISTER / OPTIONS Request-URI: "sip:server[:port][;transport=tls]"
  std::string aor;          // From / To: "sip:user@server[;transport=tls]"
  std::string contact;      // "sip:user@local-ip:port[;transport=tcp|tls]"
};

// `local` is the address the transport sends from (Via sent-by), used for the Contact.
WireNames wire_names(const config::AccountConfig& cfg, const transport::Address& local);

// "host" with IPv6 brackets, plus ":port" when configured.
std::string uri_host(const config::HostPort& hp, bool with_port);

}  // namespace sipline::account
