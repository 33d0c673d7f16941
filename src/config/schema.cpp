#include "config/schema.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "config/fields.hpp"

namespace sipline::config {
namespace {

template <class Cfg>
std::vector<KeyInfo> infos(std::span<const detail::Field<Cfg>> fields) {
  std::vector<KeyInfo> out;
  out.reserve(fields.size());
  for (const auto& f : fields) out.push_back(f.info);
  return out;
}

}  // namespace

std::string KeyInfo::allowed() const {
  switch (kind) {
    case ValueKind::boolean:
      return "true or false";
    case ValueKind::integer:
      return std::to_string(min) + ".." + std::to_string(max);
    case ValueKind::choice: {
      std::string s;
      for (auto c : choices) s += (s.empty() ? "\"" : ", \"") + std::string(c) + "\"";
      return s;
    }
    case ValueKind::host_port:
      return "host[:port]";
    case ValueKind::listen:
      return "host:port or \"\"";
    case ValueKind::sip_uri:
      return "a sip: or sips: URI";
    case ValueKind::uri_list:
      return "at most " + std::to_string(max) + " sip:/sips: URIs or SIP users";
    case ValueKind::ip_address:
      return "an IPv4 or IPv6 address, or \"\"";
    case ValueKind::ip_list:
      return "comma-separated ip[:port] ([ipv6]:port)";
    case ValueKind::auto_bool:
      return "\"auto\", true or false";
    case ValueKind::shared_ports:
      return "comma-separated udp:PORT, tcp:PORT, tls:PORT (PORT 1..65535), or \"\"";
    default:
      return {};
  }
}

std::string_view KeyInfo::toml_type() const {
  switch (kind) {
    case ValueKind::boolean:
      return "boolean";
    case ValueKind::integer:
      return "integer";
    case ValueKind::uri_list:
      return "array";
    default:
      return "string";
  }
}

std::span<const KeyInfo> account_keys() {
  static const std::vector<KeyInfo> keys = infos(detail::account_fields());
  return keys;
}
std::span<const KeyInfo> daemon_keys() {
  static const std::vector<KeyInfo> keys = infos(detail::daemon_fields());
  return keys;
}
std::span<const KeyInfo> timer_keys() {
  static const std::vector<KeyInfo> keys = infos(detail::timer_fields());
  return keys;
}
std::span<const KeyInfo> top_level_keys() {
  static const std::array<KeyInfo, 4> keys{{
      {.key = "daemon", .help = "[daemon] table"},
      {.key = "timers", .help = "[timers] table"},
      {.key = "account", .help = "[[account]] array of tables"},
      {.key = "fleet", .help = "[[fleet]] array of tables: account templates"},
  }};
  return keys;
}

const KeyInfo* find_key(std::span<const KeyInfo> keys, std::string_view key) {
  for (const auto& k : keys) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const std::size_t sub = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({up + 1, row[j - 1] + 1, sub});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string suggest_key(std::string_view wrong, std::span<const KeyInfo> keys) {
  const KeyInfo* best = nullptr;
  std::size_t best_d = 0;
  for (const auto& k : keys) {
    const std::size_t d = edit_distance(wrong, k.key);
    if (!best || d < best_d) {
      best = &k;
      best_d = d;
    }
  }
  if (!best) return {};
  // A typo (a third of the word) or a unit suffix left off / added ("_s", "_min", "_ms").
  const std::size_t shorter = std::min(wrong.size(), best->key.size());
  const bool close = best_d <= std::max<std::size_t>(2, shorter / 3);
  const bool suffix = best->key.starts_with(wrong) || wrong.starts_with(best->key);
  return close || (suffix && shorter >= 4) ? std::string(best->key) : std::string();
}

}  // namespace sipline::config
