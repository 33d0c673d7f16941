#include "account/identity.hpp"

namespace sipline::account {

std::string uri_host(const config::HostPort& hp, bool with_port) {
  std::string out = hp.is_ipv6() ? "[" + hp.host + "]" : hp.host;
  if (with_port && hp.port) {
    out += ':';  // appended: g++ 12 -O3 warns a false -Wrestrict on ":" + std::string
    out += std::to_string(*hp.port);
  }
  return out;
}

WireNames wire_names(const config::AccountConfig& cfg, const transport::Address& local) {
  WireNames n;
  const bool tls = cfg.transport == config::Transport::tls;
  const bool sips = tls && cfg.tls_uri_scheme == config::UriScheme::sips;
  n.scheme = sips ? "sips" : "sip";
  // sips: carries TLS by itself; sip: over TLS says so with ;transport=tls.
  const std::string tls_param = (tls && !sips) ? ";transport=tls" : "";
  n.request_uri = n.scheme + ":" + uri_host(cfg.sip_server, true) + tls_param;
  n.aor = n.scheme + ":" + cfg.user_id + "@" + uri_host(cfg.sip_server, false) + tls_param;
  const bool v6 = local.address.find(':') != std::string::npos;
  n.contact = n.scheme + ":" + cfg.user_id + "@" +
              (v6 ? "[" + local.address + "]" : local.address) + ":" + std::to_string(local.port);
  if (cfg.transport == config::Transport::tcp) n.contact += ";transport=tcp";
  n.contact += tls_param;
  return n;
}

}  // namespace sipline::account
