// Helpers of include/sipline/daemon.hpp: what the CLI needs from a config without an engine.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "config/host_port.hpp"
#include "config/load.hpp"
#include "daemon_settings.hpp"
#include "sipline/daemon.hpp"

namespace sipline {

namespace {
constexpr std::uint16_t kDefaultHttpPort = 8080;
}

std::string http_listen_of(const config::DaemonConfig& d) {
  config::HostPort listen = d.http_listen;
  if (listen.empty()) return "";
  if (!listen.port) listen.port = kDefaultHttpPort;
  return listen.to_string();
}

HttpSettings http_settings_of(const config::DaemonConfig& d) {
  HttpSettings out;
  out.listen = http_listen_of(d);
  out.loopback = config::is_loopback(d.http_listen.host);
  if (!d.http_token_file.empty()) {
    std::filesystem::path p(d.http_token_file);
    out.token_file = (p.is_absolute() ? p : std::filesystem::path(d.state_dir) / p).string();
  }
  out.metrics_public = d.metrics_public && out.loopback;
  out.host_names = config::split_list(d.http_host_names);
  std::erase(out.host_names, std::string{});
  out.max_connections = d.http_max_connections;
  out.tls_cert_file = d.http_tls_cert_file;
  out.tls_key_file = d.http_tls_key_file.empty() ? d.http_tls_cert_file : d.http_tls_key_file;
  return out;
}

namespace {
// The config, or "" and `error` (the check report, as `sipline check` prints it).
std::optional<config::LoadedConfig> load_for_daemon(const std::string& config_path,
                                                    std::string& error) {
  error.clear();
  config::ConfigResult result = config::load_config(config_path);
  if (result) return std::move(*result);
  error = config::check_report(result, config_path).text;
  if (error.empty()) error = "invalid config " + config_path;
  return std::nullopt;
}
}  // namespace

std::string http_listen_of(const std::string& config_path, std::string& error) {
  auto loaded = load_for_daemon(config_path, error);
  return loaded ? http_listen_of(loaded->config.daemon) : "";
}

bool http_settings_of(const std::string& config_path, HttpSettings& out, std::string& error) {
  auto loaded = load_for_daemon(config_path, error);
  if (!loaded) return false;
  out = http_settings_of(loaded->config.daemon);
  return true;
}

bool logs_to_journal(const std::string& config_path) {
  config::ConfigResult result = config::load_config(config_path);
  return result && result->config.daemon.log_target == config::LogTarget::journal;
}

bool init_logging(std::string_view level) {
  return base::init_logging(level);
}

}  // namespace sipline
