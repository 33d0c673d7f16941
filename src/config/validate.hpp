// Validation of settings against the schema: every key known, of its type, in its range; every
// problem reported by key name and position, none clamped. Works on any SettingList, so the
// TOML loader and the HTTP API (PUT /api/accounts/N/settings) share it.
#pragma once
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "config/config.hpp"
#include "config/problem.hpp"
#include "config/settings.hpp"

namespace sipline::config {

// Applies `settings` on top of `base` (default_account(N) for a config file, the account's
// current settings for an HTTP update) and checks the result: required keys, password vs
// password_file, the TLS port. Errors and warnings are appended to `out`; the returned account
// is meaningful only when no error was added.
AccountConfig validate_account(const SettingList& settings, const SettingsSource& src,
                               const AccountConfig& base, Diagnostics& out);

DaemonConfig validate_daemon(const SettingList& settings, const SettingsSource& src,
                             Diagnostics& out);
SipTimerConfig validate_timers(const SettingList& settings, const SettingsSource& src,
                               Diagnostics& out);

// Where an account was defined, for problems that involve several accounts.
struct AccountOrigin {
  std::string file;
  std::string prefix;       // "account[3]"
  SourcePos pos;            // of its port key when written, else of its [[account]] header
  bool ports_known = true;  // false when its transport or port settings were invalid: skipped
};

// Two active accounts listening on the same port and protocol (udp; tcp and tls share TCP
// ports; tls listens on tls_port()) are one error naming both. `origins` may be shorter than
// `accounts` (missing ones get "account[N]" and no position). Accounts on a `shared` socket
// ([daemon] shared_port, port not pinned) claim no port of their own; those on its TLS socket
// must check servers alike (tls_verify, tls_ca_file).
void check_port_clashes(std::span<const AccountConfig> accounts,
                        std::span<const AccountOrigin> origins, Diagnostics& out,
                        std::span<const SharedPortSpec> shared = {});

// PUT /api/accounts/N/settings: `settings` applied on top of account `index` (1-based) of
// `current`, with the validation of the config file plus the port clash check against the other
// accounts. Problems name `source` as their file and "account[N].key" as their key.
struct AccountUpdate {
  AccountConfig account;
  std::vector<Problem> warnings;
};
base::Result<AccountUpdate, Diagnostics> update_account(const Config& current, int index,
                                                        const SettingList& settings,
                                                        std::string_view source = "http");

// Every setting of an account but the password, as (key, effective value) in schema order;
// values are plain text (strings unquoted, enums by name, durations as numbers in the key's
// unit). For the HTTP API: the kind of each key is in account_keys().
void for_each_setting(
    const AccountConfig& account,
    const std::function<void(std::string_view key, const std::string& value)>& fn);

// The same listing as TOML ("key = value" lines, strings quoted), e.g. for logs and docs.
std::string account_to_toml(const AccountConfig& account);

}  // namespace sipline::config
