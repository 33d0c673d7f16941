// The keys of each config table with kind, unit, default and range: drives validation, the
// did-you-mean of unknown keys, the listing of an account's settings and (later) the web form.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sipline::config {

enum class ValueKind {
  boolean,
  integer,       // min..max, in `unit`
  string,        // free text (no control characters)
  choice,        // one of `choices`
  host_port,     // "host[:port]"
  listen,        // "host:port" or "" (off)
  user,          // a SIP user part (RFC 3261 `user`)
  secret,        // never printed
  secret_file,   // a file holding a secret, read at load time
  file,          // a path that must be readable
  sip_uri,       // a sip: or sips: URI
  uri_list,      // an array of sip:/sips: URIs or bare SIP users, at most `max` entries
  ip_address,    // one IPv4 or IPv6 address, no brackets, no port; "" = not set
  ip_list,       // comma-separated "ip", "ip:port", "[ipv6]" or "[ipv6]:port"; "" = none
  auto_bool,     // "auto", true or false (`choices` names the three, in the enum's order)
  shared_ports,  // comma-separated "udp:PORT", "tcp:PORT", "tls:PORT"; "" = none
};

struct KeyInfo {
  std::string_view key;
  ValueKind kind = ValueKind::string;
  std::int64_t min = 0;  // integer only
  std::int64_t max = 0;
  std::span<const std::string_view> choices;  // choice only; order = the enum's order
  std::string_view unit;                      // "min", "s", "ms", "" (integers only)
  std::string_view default_text;              // as documented ("Account N", "user_id", ...)
  bool required = false;                      // must be present and non-empty
  std::string_view help;

  // "1..64800", "\"udp\", \"tcp\", \"tls\"", "true or false", "" (free text).
  std::string allowed() const;
  // The TOML type the key wants: "integer", "string", "boolean" or "array" (of strings).
  std::string_view toml_type() const;
};

std::span<const KeyInfo> account_keys();
std::span<const KeyInfo> daemon_keys();
std::span<const KeyInfo> timer_keys();
std::span<const KeyInfo> top_level_keys();  // "daemon", "timers", "account"

const KeyInfo* find_key(std::span<const KeyInfo> keys, std::string_view key);

// Levenshtein distance (insert, delete, substitute), bytes.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest known key when it is close enough to be a likely typo (or a missing/extra unit
// suffix such as "_s"), else "".
std::string suggest_key(std::string_view wrong, std::span<const KeyInfo> keys);

}  // namespace sipline::config
