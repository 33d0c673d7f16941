// sipline status: asks the running daemon (GET /api/accounts at the config's http_listen).
#include <httplib.h>

#include <iostream>

#include "app/account_json.hpp"
#include "app/account_table.hpp"
#include "app/address.hpp"
#include "app/commands.hpp"
#include "sipline/daemon.hpp"

namespace sipline::app {

namespace {

bool daemon_address(const std::string& config_path, HostPort& hp) {
  std::string error;
  std::string listen = http_listen_of(config_path, error);
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
  if (!daemon_address(config_path, hp)) return kExitUsage;
  httplib::Client client(hp.host, hp.port);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(5));
  client.set_write_timeout(std::chrono::seconds(5));
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
    std::cout << format_table(accounts);
  }
  return kExitOk;
}

}  // namespace sipline::app
