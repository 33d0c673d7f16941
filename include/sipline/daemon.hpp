// Helpers for the daemon and the CLI around the engine (public API, like engine.hpp).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace sipline {

// The [daemon] http_listen of a config file as "host:port" ("[v6]:port"), "" when HTTP is off.
// On a config error returns "" and fills `error` with the report (as `sipline check` prints it).
std::string http_listen_of(const std::string& config_path, std::string& error);

// The [daemon] keys of the HTTP side, as the daemon and the CLI need them.
struct HttpSettings {
  std::string listen;          // as http_listen_of(); "" = off
  bool loopback = true;        // listen is localhost, 127/8 or ::1
  std::string token_file;      // absolute or relative to the cwd (state_dir applied); "" = no token
  bool metrics_public = true;  // effective: false when not loopback
  std::vector<std::string> host_names;  // from http_host_names
  int max_connections = 128;
  std::string tls_cert_file;  // "" = plain HTTP; else HTTPS with this PEM certificate
  std::string tls_key_file;   // its key ("" = in tls_cert_file)
};

// False and `error` (the check report) when the config is invalid.
bool http_settings_of(const std::string& config_path, HttpSettings& out, std::string& error);

// [daemon] log_target of a valid config: true for "journal", false for "stderr" (or invalid).
bool logs_to_journal(const std::string& config_path);

// Sets up the process logger (stderr, time and level) at `level`
// (trace|debug|info|warn|error). False for an unknown level name.
bool init_logging(std::string_view level);

}  // namespace sipline
