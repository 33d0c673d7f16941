// Who may use the daemon's HTTP side: a pure decision per request (no sockets), so the rules
// are table-tested. The HTTP thread applies it before any route (see http_server.cpp).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace sipline::app {

struct AccessPolicy {
  std::string token;                    // "" = no token configured (loopback only)
  bool metrics_public = true;           // GET/HEAD /metrics without the token
  std::vector<std::string> host_names;  // accepted Host names besides IP literals and localhost
};

// What the decision needs of a request; absent headers are "".
struct AccessRequest {
  std::string_view method;
  std::string_view path;
  std::string_view host;            // Host header
  std::string_view origin;          // Origin header
  std::string_view sec_fetch_site;  // Sec-Fetch-Site header
  std::string_view authorization;   // Authorization header
  std::string_view content_type;    // Content-Type header
};

enum class AccessVerdict {
  allow,
  misdirected,   // 421: Host is not ours (DNS rebinding)
  cross_site,    // 403: foreign Origin or Sec-Fetch-Site: cross-site
  not_json,      // 403: a state-changing request with neither JSON nor the token header
  unauthorized,  // 401: token missing or wrong
};

AccessVerdict decide_access(const AccessPolicy& policy, const AccessRequest& request);

// HTTP status and a one-line reason for a refusal (the JSON error's text).
int status_of(AccessVerdict v);
std::string_view reason_of(AccessVerdict v);

// The host of a Host header or of an Origin's authority, without port and IPv6 brackets.
std::string_view host_without_port(std::string_view authority);

}  // namespace sipline::app
