// Helpers for the daemon and the CLI around the engine (public API, like engine.hpp).
#pragma once
#include <string>
#include <string_view>

namespace sipline {

// The [daemon] http_listen of a config file as "host:port" ("[v6]:port"), "" when HTTP is off.
// On a config error returns "" and fills `error` with the report (as `sipline check` prints it).
std::string http_listen_of(const std::string& config_path, std::string& error);

// Sets up the process logger (stderr, time and level) at `level`
// (trace|debug|info|warn|error). False for an unknown level name.
bool init_logging(std::string_view level);

}  // namespace sipline
