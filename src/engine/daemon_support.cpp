// Helpers of include/sipline/daemon.hpp: what the CLI needs from a config without an engine.
#include "base/log.hpp"
#include "config/load.hpp"
#include "sipline/daemon.hpp"

namespace sipline {

namespace {
constexpr std::uint16_t kDefaultHttpPort = 8080;
}

std::string http_listen_of(const std::string& config_path, std::string& error) {
  error.clear();
  config::ConfigResult result = config::load_config(config_path);
  if (!result) {
    error = config::check_report(result, config_path).text;
    if (error.empty()) error = "invalid config " + config_path;
    return "";
  }
  config::HostPort listen = result->config.daemon.http_listen;
  if (listen.empty()) return "";
  if (!listen.port) listen.port = kDefaultHttpPort;
  return listen.to_string();
}

bool init_logging(std::string_view level) {
  return base::init_logging(level);
}

}  // namespace sipline
