// The daemon's HTTP side (cpp-httplib) in its own thread: the routes of api.hpp on httplib's
// router. Handlers never touch the engine: they post the route to the engine's loop and wait
// (bounded).
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "app/http_access.hpp"
#include "sipline/engine.hpp"

namespace sipline::app {

struct HttpOptions {
  AccessPolicy access;                           // see http_access.hpp
  std::size_t max_connections = 128;             // more get 503
  std::chrono::milliseconds loop_timeout{3000};  // a request's wait for the loop, then 503
  std::chrono::seconds keep_alive{5};            // idle time between requests of a connection
  std::chrono::seconds io_timeout{5};            // per read / write of a request or reply
  std::string tls_cert_file;                     // HTTPS when set (PEM), with this key
  std::string tls_key_file;
};

class HttpServer {
 public:
  HttpServer(asio::io_context& io, Engine& engine, HttpOptions options = {});
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `listen` ("host:port"; port 0 picks a free one) and serves in a new thread.
  // False and `error` when the address is malformed or the bind fails.
  bool start(const std::string& listen, std::string& error);
  std::uint16_t port() const;  // the bound port (after start)
  // Stops accepting, finishes requests in flight, joins the thread. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipline::app
