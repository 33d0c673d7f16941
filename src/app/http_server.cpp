#include "app/http_server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <future>
#include <thread>

#include "app/address.hpp"
#include "app/api.hpp"

namespace sipline::app {

struct HttpServer::Impl {
  asio::io_context& io;
  Engine& engine;
  std::chrono::milliseconds loop_timeout;
  httplib::Server server;
  std::thread thread;
  std::uint16_t port = 0;

  ApiReply on_loop(ApiRequest request);
  void handle(const httplib::Request& req, httplib::Response& res);
};

ApiReply HttpServer::Impl::on_loop(ApiRequest request) {
  auto promise = std::make_shared<std::promise<ApiReply>>();
  auto future = promise->get_future();
  Engine* e = &engine;
  asio::post(io, [promise, e, request = std::move(request)] {
    try {
      promise->set_value(route_api(*e, request));
    } catch (const std::exception&) {
      promise->set_value(ApiReply{500, "application/json", R"({"error":"internal error"})"});
    }
  });
  if (future.wait_for(loop_timeout) != std::future_status::ready) {
    return ApiReply{503, "application/json", R"({"error":"the engine did not answer in time"})"};
  }
  return future.get();
}

void HttpServer::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  if (req.path == "/") {
    if (req.method == "GET" || req.method == "HEAD") {
      res.set_content(web_page(), "text/html; charset=utf-8");
    } else {
      res.status = 405;
      res.set_content(R"({"error":"method not allowed"})", "application/json");
    }
    return;
  }
  ApiReply reply = on_loop(ApiRequest{req.method, req.path, req.body});
  res.status = reply.status;
  res.set_content(reply.body, reply.content_type.c_str());
}

HttpServer::HttpServer(asio::io_context& io, Engine& engine, std::chrono::milliseconds loop_timeout)
    : impl_(new Impl{io, engine, loop_timeout, {}, {}, 0}) {
  auto handler = [impl = impl_.get()](const httplib::Request& req, httplib::Response& res) {
    impl->handle(req, res);
  };
  impl_->server.Get(".*", handler);
  impl_->server.Post(".*", handler);
  impl_->server.Put(".*", handler);
  impl_->server.Delete(".*", handler);
  // httplib's default sets SO_REUSEPORT, which lets a second daemon share the port silently.
  // SO_REUSEADDR alone allows a quick restart yet makes a second listener fail to bind.
  impl_->server.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  impl_->server.set_payload_max_length(64 * 1024);
  impl_->server.set_read_timeout(std::chrono::seconds(5));
  impl_->server.set_write_timeout(std::chrono::seconds(5));
}

HttpServer::~HttpServer() {
  stop();
}

bool HttpServer::start(const std::string& listen, std::string& error) {
  HostPort hp;
  if (!split_host_port(listen, hp, error)) return false;
  if (hp.port == 0) {
    int port = impl_->server.bind_to_any_port(hp.host);
    if (port <= 0) {
      error = "cannot bind the HTTP server to " + listen;
      return false;
    }
    impl_->port = static_cast<std::uint16_t>(port);
  } else {
    if (!impl_->server.bind_to_port(hp.host, hp.port)) {
      error = "cannot bind the HTTP server to " + listen + " (address in use or not local?)";
      return false;
    }
    impl_->port = hp.port;
  }
  impl_->thread = std::thread([impl = impl_.get()] { impl->server.listen_after_bind(); });
  // httplib's stop() only works once the server runs; wait for that (briefly) here.
  for (int i = 0; i < 2000 && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

std::uint16_t HttpServer::port() const {
  return impl_->port;
}

void HttpServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace sipline::app
