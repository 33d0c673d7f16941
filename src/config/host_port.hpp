// Parsing "host[:port]" values (sip_server, outbound_proxy, http_listen).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "config/config.hpp"

namespace sipline::config {

// Accepts "name", "name:port", "1.2.3.4[:port]", "[v6]" and "[v6]:port". A DNS name is labels of
// letters, digits and '-' (not at a label's ends), at most 253 bytes; a port is 1..65535.
// The error is a short reason ("IPv6 address must be in brackets", ...).
base::Result<HostPort, std::string> parse_host_port(std::string_view text, bool port_required);

// The entries of a comma-separated list, each trimmed of spaces; "" gives none, an empty entry
// ("a,,b", "a,") stays in as "" for the checker to name.
std::vector<std::string> split_list(std::string_view text);

// One "ip", "ip:port", "[ipv6]" or "[ipv6]:port" (a DNS server): a name is refused, since the
// server that would resolve it is the one being named.
base::Result<HostPort, std::string> parse_ip_port(std::string_view text);

// "localhost", 127.0.0.0/8 or ::1: reachable from this machine only.
bool is_loopback(std::string_view host);

}  // namespace sipline::config
