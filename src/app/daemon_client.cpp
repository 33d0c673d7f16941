// The daemon's REST client of the CLI (daemon_client.hpp).
#include "app/daemon_client.hpp"

#include <httplib.h>
#include <openssl/x509.h>

#include <iostream>
#include <memory>

#include "app/address.hpp"
#include "app/commands.hpp"
#include "app/http_token.hpp"
#include "sipline/daemon.hpp"

namespace sipline::app {

namespace {

struct DaemonClient {
  std::unique_ptr<httplib::Client> http;  // timeouts and token set
  std::string where;        // "https://127.0.0.1:8080 (http_listen of FILE)", for messages
  std::string token_error;  // why the token file could not be read ("" when read or none)
};

// The system CAs and `cert_file` itself as a trust anchor (partial chain: a leaf is enough).
X509_STORE* trust_store(const std::string& cert_file) {
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr) return nullptr;
  X509_STORE_set_default_paths(store);
  X509_STORE_load_file(store, cert_file.c_str());
  X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
  return store;
}

// The client for the daemon of `config_path`; nullopt after printing why (config error, HTTP
// off).
std::optional<DaemonClient> daemon_client(const std::string& config_path) {
  std::string error;
  HttpSettings settings;
  http_settings_of(config_path, settings, error);
  if (!error.empty()) {
    std::cerr << error;
    if (error.back() != '\n') std::cerr << "\n";
    return std::nullopt;
  }
  if (settings.listen.empty()) {
    std::cerr << "sipline: http_listen is off in " << config_path
              << ", so the daemon cannot be asked\n";
    return std::nullopt;
  }
  HostPort hp;
  if (!split_host_port(settings.listen, hp, error)) {
    std::cerr << "sipline: http_listen of " << config_path << ": " << error << "\n";
    return std::nullopt;
  }
  hp = client_address(hp);
  const bool tls = !settings.tls_cert_file.empty();
  const std::string base = (tls ? "https://" : "http://") + to_string(hp);
  DaemonClient out;
  out.where = base + " (http_listen of " + config_path + ")";
  out.http = std::make_unique<httplib::Client>(base);
  if (tls) out.http->set_ca_cert_store(trust_store(settings.tls_cert_file));
  out.http->set_connection_timeout(std::chrono::seconds(2));
  out.http->set_read_timeout(std::chrono::seconds(5));
  out.http->set_write_timeout(std::chrono::seconds(5));
  // Without the file (no daemon started yet) ask anyway: the answer says what is wrong.
  std::string token;
  if (!settings.token_file.empty()) read_token(settings.token_file, token, out.token_error);
  if (!token.empty()) out.http->set_bearer_token_auth(token);
  return out;
}

std::string describe(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
      return "cannot connect (is `sipline run` running?)";
    case httplib::Error::ConnectionTimeout:
      return "connection timed out";
    case httplib::Error::Read:
      return "no answer (read failed or timed out)";
    case httplib::Error::SSLServerVerification:
      return "the daemon's certificate was not trusted (http_tls_cert_file)";
    default:
      return httplib::to_string(e);
  }
}

}  // namespace

std::optional<Json> ask_daemon(const std::string& config_path, const std::string& method,
                               const std::string& path, const std::string& body, int& exit_code,
                               std::vector<std::pair<std::string, std::string>>* headers) {
  exit_code = kExitUsage;
  auto daemon = daemon_client(config_path);
  if (!daemon) return std::nullopt;
  exit_code = kExitFailure;
  httplib::Client& client = *daemon->http;
  auto res = method == "GET"      ? client.Get(path)
             : method == "DELETE" ? client.Delete(path)
                                  : client.Post(path, body, "application/json");
  const std::string& where = daemon->where;
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
    if (res->status == 401 && !daemon->token_error.empty()) {
      std::cerr << "sipline: " << daemon->token_error << "\n";
    }
    return std::nullopt;
  }
  if (j.is_discarded()) {
    std::cerr << "sipline: unexpected answer from " << where << ": not JSON\n";
    return std::nullopt;
  }
  if (headers != nullptr) headers->assign(res->headers.begin(), res->headers.end());
  exit_code = kExitOk;
  return j;
}

}  // namespace sipline::app
