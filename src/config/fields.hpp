// Internal: the schema tables bound to the config structs' members. One row per key is the
// single source of a key's name, kind, range, default text, how it is stored and shown.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "config/config.hpp"
#include "config/schema.hpp"
#include "config/settings.hpp"

namespace sipline::config::detail {

// A value that passed its KeyInfo's checks, ready to store.
struct Accepted {
  std::int64_t integer = 0;
  bool boolean = false;
  std::string text;    // strings, paths, the secret
  HostPort host_port;  // host_port / listen
  std::size_t choice = 0;
  std::string secret;  // secret_file: the file's content
  StringList list;     // uri_list
};

template <class Cfg>
struct Field {
  KeyInfo info;
  void (*apply)(Cfg&, const Accepted&);
  std::string (*show)(const Cfg&, const KeyInfo&);  // the effective value as TOML text
};

std::span<const Field<AccountConfig>> account_fields();
std::span<const Field<DaemonConfig>> daemon_fields();
std::span<const Field<SipTimerConfig>> timer_fields();

template <class Cfg>
const Field<Cfg>* find_field(std::span<const Field<Cfg>> fields, std::string_view key) {
  for (const auto& f : fields) {
    if (f.info.key == key) return &f;
  }
  return nullptr;
}

}  // namespace sipline::config::detail
