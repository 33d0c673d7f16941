// Settings changed over HTTP (PUT /api/accounts/N/settings) survive a restart, as on the device
// this comes from: they are kept in <state_dir>/settings.json and applied over the config file
// at every start, reload and `sipline check` (which lists each as a warning naming that file).
//
// Entries are keyed by the identity the account has in the config file (user_id@sip_server and
// the auth user), never by position: accounts reordered or inserted keep their own changes, and
// a change of user_id or sip_server over HTTP stays with the account it was made to. An entry
// that no longer validates against the file (a port now taken by another account) is skipped
// with a warning and kept. The file is written atomically (a temporary file, fsync, rename) with
// mode 0600: a password may be among the changes.
#pragma once
#include <string>
#include <vector>

#include "config/load.hpp"
#include "config/settings.hpp"
#include "sipline/engine.hpp"

namespace sipline::engine {

// <state_dir>/settings.json.
std::string stored_settings_path(const config::DaemonConfig& daemon);

// The identity an account of the config file is stored under.
std::string stored_settings_identity(const config::AccountConfig& account);

// load_config() with the stored changes applied; `identities` (when given) receives each
// account's identity as the file names it, in order.
config::ConfigResult load_with_stored_settings(const std::string& config_path,
                                               std::vector<std::string>* identities = nullptr);

// Adds `changes` to what is stored for `identity` (a key changed again keeps the newest value).
bool store_settings(const std::string& path, const std::string& identity,
                    const SettingChanges& changes, std::string& error);

// The engine's settings as the config layer's list (values without source positions).
config::SettingList to_setting_list(const SettingChanges& changes);

}  // namespace sipline::engine
