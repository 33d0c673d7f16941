// sipline status: asks the running daemon (GET /api/accounts at the config's http_listen).
#include <iostream>

#include "app/account_json.hpp"
#include "app/account_table.hpp"
#include "app/commands.hpp"
#include "app/daemon_client.hpp"
#include "app/live_table.hpp"
#include "sipline/daemon.hpp"

namespace sipline::app {

int show_status(const std::string& config_path, bool json) {
  auto daemon = daemon_client(config_path);
  if (!daemon) return kExitUsage;
  auto res = daemon->http->Get("/api/accounts");
  const std::string& where = daemon->where;
  if (!res) {
    std::cerr << "sipline: cannot reach the daemon at " << where << ": " << describe(res.error())
              << "\n";
    return kExitFailure;
  }
  if (res->status != 200) {
    std::cerr << "sipline: the daemon at " << where << " answered " << res->status << ": "
              << res->body << "\n";
    if (res->status == 401 && !daemon->token_error.empty()) {
      std::cerr << "sipline: " << daemon->token_error << "\n";
    }
    return kExitFailure;
  }
  Json body = Json::parse(res->body, nullptr, false);
  std::vector<AccountStatus> accounts;
  std::string error;
  if (body.is_discarded() || !from_json(body, accounts, error)) {
    std::cerr << "sipline: unexpected answer from " << where << ": "
              << (body.is_discarded() ? "not JSON" : error) << "\n";
    return kExitFailure;
  }
  if (json) {
    std::cout << body.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
  } else {
    std::cout << format_table(accounts, stdout_table_style());
  }
  return kExitOk;
}

}  // namespace sipline::app
