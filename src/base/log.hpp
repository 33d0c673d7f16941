// Logging through spdlog; one logger for the process, level set from the config.
#pragma once
#include <spdlog/spdlog.h>

#include <string_view>

namespace sipline::base {

// Sets up the default logger (stderr, with time and level) at the named level.
// Returns false for an unknown level name (trace|debug|info|warn|error).
bool init_logging(std::string_view level);

}  // namespace sipline::base
