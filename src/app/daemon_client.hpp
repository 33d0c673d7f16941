// How the CLI reaches the running daemon: the config's http_listen (HTTPS when it names a
// certificate), with the bearer token from http_token_file.
#pragma once
#include <httplib.h>

#include <memory>
#include <optional>
#include <string>

namespace sipline::app {

struct DaemonClient {
  std::unique_ptr<httplib::Client> http;  // timeouts and token set
  std::string where;        // "https://127.0.0.1:8080 (http_listen of FILE)", for messages
  std::string token_error;  // why the token file could not be read ("" when read or none)
};

// The client for the daemon of `config_path`; nullopt after printing why to stderr (config
// error, HTTP off). With HTTPS the daemon's own certificate is trusted besides the system CAs:
// it is usually self-signed.
std::optional<DaemonClient> daemon_client(const std::string& config_path);

// A short reason for a failed request ("cannot connect (is `sipline run` running?)").
std::string describe(httplib::Error e);

}  // namespace sipline::app
