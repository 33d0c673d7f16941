// sipline status: asks the running daemon (GET /api/accounts at the config's http_listen).
#include <iostream>

#include "app/account_json.hpp"
#include "app/account_table.hpp"
#include "app/commands.hpp"
#include "app/daemon_client.hpp"
#include "app/live_table.hpp"

namespace sipline::app {

int show_status(const std::string& config_path, bool json) {
  int exit_code = kExitOk;
  auto body = ask_daemon(config_path, "GET", "/api/accounts", "", exit_code);
  if (!body) return exit_code;
  std::vector<AccountStatus> accounts;
  std::string error;
  if (!from_json(*body, accounts, error)) {
    std::cerr << "sipline: unexpected answer from the daemon: " << error << "\n";
    return kExitFailure;
  }
  if (json) {
    std::cout << body->dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
  } else {
    std::cout << format_table(accounts, stdout_table_style());
  }
  return kExitOk;
}

}  // namespace sipline::app
