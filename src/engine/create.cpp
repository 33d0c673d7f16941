// Engine::create from TOML text or from a config built in code (include/sipline/engine.hpp):
// both go through the config layer's validation, so an embedder gets the problems a config
// file with the same content would get, by key name.
#include <asio/io_context.hpp>

#include "config/load.hpp"
#include "config/validate.hpp"
#include "sipline/engine.hpp"

namespace sipline {

namespace engine {
// engine.cpp: the EngineImpl behind every Engine::create; `config_path` "" = no file to reload.
std::unique_ptr<Engine> make_engine(asio::io_context& io, config::LoadedConfig loaded,
                                    std::string config_path);
}  // namespace engine

namespace {

constexpr std::string_view kCodeSource = "EngineConfig";

config::SettingList settings_of(const SettingChanges& changes) {
  config::SettingList list;
  for (const auto& [key, input] : changes) {
    config::SettingValue v;
    if (const auto* text = std::get_if<std::string>(&input)) {
      v = config::SettingValue::text(*text);
    } else if (const auto* number = std::get_if<std::int64_t>(&input)) {
      v = config::SettingValue::integer(*number);
    } else {
      v = config::SettingValue::boolean(std::get<bool>(input));
    }
    list.push_back(config::Setting{key, std::move(v), {}});
  }
  return list;
}

config::SettingsSource source_of(std::string prefix, const std::string& base_dir) {
  return config::SettingsSource{std::string(kCodeSource), std::move(prefix), {}, base_dir};
}

config::ConfigResult validate(const EngineConfig& in) {
  config::Diagnostics diags;
  config::LoadedConfig out;
  out.config.daemon =
      config::validate_daemon(settings_of(in.daemon), source_of("daemon", in.base_dir), diags);
  out.config.timers =
      config::validate_timers(settings_of(in.timers), source_of("timers", in.base_dir), diags);
  std::vector<config::AccountOrigin> origins;
  for (std::size_t i = 0; i < in.accounts.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    const std::string prefix = "account[" + std::to_string(index) + "]";
    out.config.accounts.push_back(config::validate_account(settings_of(in.accounts[i]),
                                                           source_of(prefix, in.base_dir),
                                                           config::default_account(index), diags));
    origins.push_back(config::AccountOrigin{std::string(kCodeSource), prefix, {}, true});
  }
  std::vector<config::SharedPortSpec> shared;
  std::string why;
  if (!config::parse_shared_ports(out.config.daemon.shared_port, shared, why)) shared.clear();
  config::check_port_clashes(out.config.accounts, origins, diags, shared);
  config::assign_contact_lines(out.config);
  diags.sort();
  if (!diags.ok()) return base::fail(std::move(diags));
  out.warnings = std::move(diags.warnings);
  return out;
}

std::unique_ptr<Engine> engine_of(asio::io_context& io, config::ConfigResult result,
                                  std::string_view source, std::string& error) {
  if (!result.ok()) {
    error = config::check_report(result, source).text;
    return nullptr;
  }
  return engine::make_engine(io, std::move(*result), "");
}

}  // namespace

std::unique_ptr<Engine> Engine::create_from_toml(asio::io_context& io, std::string_view toml,
                                                 std::string& error, std::string_view source_name,
                                                 const std::string& base_dir) {
  return engine_of(io, config::parse_config(toml, source_name, base_dir), source_name, error);
}

std::unique_ptr<Engine> Engine::create(asio::io_context& io, const EngineConfig& config,
                                       std::string& error) {
  return engine_of(io, validate(config), kCodeSource, error);
}

}  // namespace sipline
