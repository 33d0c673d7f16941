#include "account/identity.hpp"

namespace sipline::account {

std::string uri_host(const config::HostPort& hp, bool with_port) {
  return with_port ? hp.to_string() : config::HostPort{hp.host, std::nullopt}.to_string();
}

namespace {
struct Scheme {
  std::string name;       // "sip" or "sips"
  std::string tls_param;  // sips: carries TLS by itself; sip: over TLS says ;transport=tls
};
Scheme scheme_of(const config::AccountConfig& cfg) {
  const bool tls = cfg.transport == config::Transport::tls;
  const bool sips = tls && cfg.tls_uri_scheme == config::UriScheme::sips;
  return {sips ? "sips" : "sip", (tls && !sips) ? ";transport=tls" : ""};
}
}  // namespace

std::string resource_uri(const config::AccountConfig& cfg, const std::string& user_or_uri) {
  if (user_or_uri.find(':') != std::string::npos) return user_or_uri;
  const Scheme s = scheme_of(cfg);
  return s.name + ":" + user_or_uri + "@" + uri_host(cfg.sip_server, false) + s.tls_param;
}

namespace {
// The last Request-URI made (on this thread): the next account of a fleet gets the same one.
base::SharedText shared_request_uri(std::string text) {
  thread_local base::SharedText last;
  if (last.str() != text) last = base::SharedText(std::move(text));
  return last;
}
}  // namespace

WireNames wire_names(const config::AccountConfig& cfg, const transport::Address& local) {
  WireNames n;
  const Scheme s = scheme_of(cfg);
  n.scheme = s.name;
  const std::string& tls_param = s.tls_param;
  n.request_uri = shared_request_uri(n.scheme + ":" + uri_host(cfg.sip_server, true) + tls_param);
  n.aor = resource_uri(cfg, cfg.user_id);
  const bool v6 = local.address.find(':') != std::string::npos;
  n.contact = n.scheme + ":" + cfg.user_id + "@" +
              (v6 ? "[" + local.address + "]" : local.address) + ":" + std::to_string(local.port);
  if (!cfg.contact_line.empty()) n.contact += ";line=" + cfg.contact_line;  // shared port
  if (cfg.transport == config::Transport::tcp) n.contact += ";transport=tcp";
  n.contact += tls_param;
  return n;
}

}  // namespace sipline::account
