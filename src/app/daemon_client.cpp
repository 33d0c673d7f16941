// The daemon's REST client of the CLI (daemon_client.hpp).
#include "app/daemon_client.hpp"

#include <httplib.h>

#include <iostream>

#include "app/address.hpp"
#include "app/commands.hpp"
#include "app/http_token.hpp"
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

std::optional<Json> ask_daemon(const std::string& config_path, const std::string& method,
                               const std::string& path, const std::string& body, int& exit_code) {
  HostPort hp;
  std::string token, token_error;
  exit_code = kExitUsage;
  if (!daemon_address(config_path, hp, token, token_error)) return std::nullopt;
  exit_code = kExitFailure;
  httplib::Client client(hp.host, hp.port);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(5));
  client.set_write_timeout(std::chrono::seconds(5));
  if (!token.empty()) client.set_bearer_token_auth(token);
  auto res = method == "GET"      ? client.Get(path)
             : method == "DELETE" ? client.Delete(path)
                                  : client.Post(path, body, "application/json");
  std::string where = "http://" + to_string(hp) + " (http_listen of " + config_path + ")";
  if (!res) {
    std::cerr << "sipline: cannot reach the daemon at " << where << ": " << describe(res.error())
              << "\n";
    return std::nullopt;
  }
  Json j = Json::parse(res->body, nullptr, false);
  if (res->status >= 300) {
    const bool has_error = !j.is_discarded() && j.is_object() && j.contains("error");
    std::cerr << "sipline: the daemon at " << where << " answered " << res->status << ": "
              << (has_error ? j["error"].get<std::string>() : res->body) << "\n";
    if (res->status == 401 && !token_error.empty()) std::cerr << "sipline: " << token_error << "\n";
    return std::nullopt;
  }
  if (j.is_discarded()) {
    std::cerr << "sipline: unexpected answer from " << where << ": not JSON\n";
    return std::nullopt;
  }
  exit_code = kExitOk;
  return j;
}

}  // namespace sipline::app
