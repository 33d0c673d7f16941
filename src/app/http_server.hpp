// The daemon's HTTP side (cpp-httplib) in its own thread. Handlers never touch the engine: they
// post route_api() to the engine's loop and wait (bounded) for the reply the loop hands back.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "sipline/engine.hpp"

namespace sipline::app {

class HttpServer {
 public:
  // `loop_timeout`: how long a request waits for the loop before answering 503.
  HttpServer(asio::io_context& io, Engine& engine,
             std::chrono::milliseconds loop_timeout = std::chrono::seconds(3));
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
