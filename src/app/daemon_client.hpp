// Asking the running daemon over its REST API, for the CLI's `status`, `call`, `calls` and
// `hangup`: the config's http_listen (HTTPS when it names a certificate, which is then trusted
// besides the system CAs: it is usually self-signed) and the bearer token of http_token_file.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/account_json.hpp"

namespace sipline::app {

// The daemon's 2xx answer as JSON; nullopt when it cannot be reached, answers another status or
// not JSON: the reason is then on stderr and *exit_code holds the exit code to return.
// `headers`, when given, receives the answer's headers (X-Total-Count of a page of accounts).
std::optional<Json> ask_daemon(const std::string& config_path, const std::string& method,
                               const std::string& path, const std::string& body, int& exit_code,
                               std::vector<std::pair<std::string, std::string>>* headers = nullptr);

}  // namespace sipline::app
