// sipline status: asks the running daemon (GET /api/accounts at the config's http_listen).
#include <httplib.h>

#include <iostream>

#include "app/account_json.hpp"
#include "app/account_table.hpp"
#include "app/address.hpp"
#include "app/commands.hpp"
#include "app/http_token.hpp"
#include "app/live_table.hpp"
#include "sipline/daemon.hpp"

namespace sipline::app {

namespace {

bool daemon_address(const std::string& config_path, HostPort& hp, std::string& token,
                    std::string& token_error) {
  std::string error;
  HttpSettings settings;
  http_settings_of(config_path, settings, error);
  const std::string& listen = settings.listen;
  if (!error.empty()) {
    std::cerr << error;
    if (error.back() != '\n') std::cerr << "\n";
    return false;
  }
  if (listen.empty()) {
    std::cerr << "sipline: http_listen is off in " << config_path
              << ", so the daemon cannot be asked\n";
    return false;
  }
  if (!split_host_port(listen, hp, error)) {
    std::cerr << "sipline: http_listen of " << config_path << ": " << error << "\n";
    return false;
  }
  hp = client_address(hp);
  // Without the file (no daemon started yet) ask anyway: the answer says what is wrong.
  token.clear();
  if (!settings.token_file.empty()) read_token(settings.token_file, token, token_error);
  return true;
}

std::string describe(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
      return "cannot connect (is `sipline run` running?)";
    case httplib::Error::ConnectionTimeout:
      return "connection timed out";
    case httplib::Error::Read:
      return "no answer (read failed or timed out)";
    default:
      return httplib::to_string(e);
  }
}

}  // namespace

int show_status(const std::string& config_path, bool json) {
  HostPort hp;
  std::string token, token_error;
  if (!daemon_address(config_path, hp, token, token_error)) return kExitUsage;
  httplib::Client client(hp.host, hp.port);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(5));
  client.set_write_timeout(std::chrono::seconds(5));
  if (!token.empty()) client.set_bearer_token_auth(token);
  auto res = client.Get("/api/accounts");
  std::string where = "http://" + to_string(hp) + " (http_listen of " + config_path + ")";
  if (!res) {
    std::cerr << "sipline: cannot reach the daemon at " << where << ": " << describe(res.error())
              << "\n";
    return kExitFailure;
  }
  if (res->status != 200) {
    std::cerr << "sipline: the daemon at " << where << " answered " << res->status << ": "
              << res->body << "\n";
    if (res->status == 401 && !token_error.empty()) std::cerr << "sipline: " << token_error << "\n";
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
