#include "stored_settings.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "atomic_file.hpp"
#include "config/validate.hpp"

namespace sipline::engine {

namespace {

using Json = nlohmann::ordered_json;

Json to_json(const SettingInput& v) {
  return std::visit([](const auto& x) { return Json(x); }, v);
}

bool from_json(const Json& j, SettingInput& out) {
  if (j.is_string()) {
    out = j.get<std::string>();
  } else if (j.is_boolean()) {
    out = j.get<bool>();
  } else if (j.is_number_integer()) {
    out = j.get<std::int64_t>();
  } else if (j.is_array() &&
             std::all_of(j.begin(), j.end(), [](const Json& e) { return e.is_string(); })) {
    out = j.get<std::vector<std::string>>();
  } else {
    return false;
  }
  return true;
}

// identity -> changes, in file order. A file that cannot be read or parsed counts as empty
// (and says why in `error`).
std::vector<std::pair<std::string, SettingChanges>> read_stored(const std::string& path,
                                                                std::string& error) {
  std::vector<std::pair<std::string, SettingChanges>> out;
  std::ifstream in(path);
  if (!in) return out;  // none stored yet
  Json j = Json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("accounts") || !j["accounts"].is_array()) {
    error = path + ": not a settings file sipline wrote; ignored";
    return out;
  }
  for (const auto& entry : j["accounts"]) {
    if (!entry.is_object() || !entry.contains("identity") || !entry["identity"].is_string() ||
        !entry.contains("settings") || !entry["settings"].is_object()) {
      continue;
    }
    SettingChanges changes;
    for (const auto& [key, value] : entry["settings"].items()) {
      SettingInput v;
      if (from_json(value, v)) changes.emplace_back(key, std::move(v));
    }
    out.emplace_back(entry["identity"].get<std::string>(), std::move(changes));
  }
  return out;
}

std::string show(const SettingInput& v) {
  return to_json(v).dump();
}

}  // namespace

std::string stored_settings_path(const config::DaemonConfig& daemon) {
  return (std::filesystem::path(daemon.state_dir) / "settings.json").string();
}

std::string stored_settings_identity(const config::AccountConfig& account) {
  return account.user_id + "@" + account.sip_server.to_string() + " " + account.auth_user();
}

config::SettingList to_setting_list(const SettingChanges& changes) {
  config::SettingList list;
  for (const auto& [key, input] : changes) {
    config::SettingValue v =
        std::holds_alternative<std::string>(input) ? config::SettingValue::text(std::get<0>(input))
        : std::holds_alternative<std::int64_t>(input)
            ? config::SettingValue::integer(std::get<1>(input))
        : std::holds_alternative<bool>(input) ? config::SettingValue::boolean(std::get<2>(input))
                                              : config::SettingValue::list(std::get<3>(input));
    list.push_back(config::Setting{key, std::move(v), {}});
  }
  return list;
}

config::ConfigResult load_with_stored_settings(const std::string& config_path,
                                               std::vector<std::string>* identities) {
  config::ConfigResult loaded = config::load_config(config_path);
  if (!loaded.ok()) return loaded;
  config::LoadedConfig& lc = *loaded;
  const std::string path = stored_settings_path(lc.config.daemon);
  std::vector<std::string> ids;
  for (const auto& a : lc.config.accounts) ids.push_back(stored_settings_identity(a));
  std::string error;
  const auto stored = read_stored(path, error);
  auto warn = [&](std::string key, std::string value, std::string message) {
    lc.warnings.push_back(config::Problem{.code = config::ProblemCode::warning,
                                          .file = path,
                                          .key = std::move(key),
                                          .value = std::move(value),
                                          .message = std::move(message)});
  };
  if (!error.empty()) warn("", "", error);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    for (const auto& [identity, changes] : stored) {
      if (identity != ids[i] || changes.empty()) continue;
      const int index = static_cast<int>(i + 1);
      const std::string prefix = "account[" + std::to_string(index) + "].";
      auto update = config::update_account(lc.config, index, to_setting_list(changes), path);
      if (!update.ok()) {
        const auto& first = update.error().errors.front();
        warn(first.key, first.value,
             "a setting changed over HTTP no longer fits the config file (" + first.message +
                 "); none of this account's stored changes applied");
        continue;
      }
      lc.config.accounts[i] = std::move(update->account);
      for (const auto& [key, value] : changes) {
        warn(prefix + key, key == "password" ? "(set)" : show(value), "changed over HTTP");
      }
    }
  }
  if (identities != nullptr) *identities = std::move(ids);
  return loaded;
}

bool store_settings(const std::string& path, const std::string& identity,
                    const SettingChanges& changes, std::string& error) {
  std::string read_error;
  auto stored = read_stored(path, read_error);
  auto it = std::find_if(stored.begin(), stored.end(),
                         [&](const auto& e) { return e.first == identity; });
  if (it == stored.end()) it = stored.insert(stored.end(), {identity, {}});
  for (const auto& [key, value] : changes) {
    auto same = std::find_if(it->second.begin(), it->second.end(),
                             [&](const auto& kv) { return kv.first == key; });
    if (same != it->second.end()) {
      same->second = value;
    } else {
      it->second.emplace_back(key, value);
    }
  }
  Json accounts = Json::array();
  for (const auto& [id, kv] : stored) {
    Json settings = Json::object();
    for (const auto& [key, value] : kv) settings[key] = to_json(value);
    accounts.push_back(Json{{"identity", id}, {"settings", std::move(settings)}});
  }
  Json doc{{"written_by", "sipline: PUT /api/accounts/N/settings; applied over the config file"},
           {"accounts", std::move(accounts)}};
  return write_atomically(path, doc.dump(2) + "\n", error);
}

}  // namespace sipline::engine
