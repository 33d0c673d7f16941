// The daemon's HTTP settings from a [daemon] table already loaded: shared by the functions of
// sipline/daemon.hpp, which read a file, and the engine, which has its own.
#pragma once
#include <string>

#include "config/config.hpp"
#include "sipline/daemon.hpp"

namespace sipline {

// [daemon] http_listen as "host:port" (the default port added), "" when HTTP is off.
std::string http_listen_of(const config::DaemonConfig& daemon);
HttpSettings http_settings_of(const config::DaemonConfig& daemon);

}  // namespace sipline
