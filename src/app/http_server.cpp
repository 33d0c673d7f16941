#include "app/http_server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/address.hpp"
#include "app/api.hpp"
#include "app/http_workers.hpp"

namespace sipline::app {

namespace {

// Connections beyond the cap served at once with a 503 before they are closed.
constexpr std::size_t kRefusers = 4;

void set_json_error(httplib::Response& res, int status, std::string_view message) {
  res.status = status;
  nlohmann::json j = nlohmann::json::object();
  j["error"] = message;
  res.set_content(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

std::string_view default_error(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 413:
      return "request body too large (at most 64 KiB)";
    case 414:
      return "request URI too long";
    default:
      return "error";
  }
}

// RFC 9112 §6.3: a request with neither Content-Length nor Transfer-Encoding has no body. httplib
// 0.11 reads such a POST or PUT until the client closes (the README's `curl -X POST` then gets a
// 400 after the read timeout), so the pre-routing handler says so explicitly.
bool bodiless(const httplib::Request& req) {
  return !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding");
}

void write_reply(httplib::Response& res, const ApiReply& reply) {
  res.status = reply.status;
  if (!reply.allow.empty()) res.set_header("Allow", reply.allow);
  for (const auto& [name, value] : reply.headers) res.set_header(name, value);
  res.set_content(reply.body, reply.content_type.c_str());
}

}  // namespace

struct HttpServer::Impl {
  asio::io_context& io;
  Engine& engine;
  HttpOptions options;
  std::unique_ptr<httplib::Server> server_ptr;  // httplib::SSLServer when HTTPS
  httplib::Server& server;
  std::thread thread;
  std::uint16_t port = 0;
  int listen_fd = -1;

  ApiReply on_loop(const ApiRoute& route, ApiRequest request);
  void add_route(const ApiRoute& route);
  httplib::Server::HandlerResponse pre_route(const httplib::Request& req, httplib::Response& res);
  void configure();
};

ApiReply HttpServer::Impl::on_loop(const ApiRoute& route, ApiRequest request) {
  auto promise = std::make_shared<std::promise<ApiReply>>();
  auto future = promise->get_future();
  Engine* e = &engine;
  asio::post(io, [promise, e, &route, request = std::move(request)] {
    try {
      promise->set_value(route.handle(*e, request));
    } catch (const std::exception&) {
      promise->set_value(ApiReply{500, "application/json", R"({"error":"internal error"})", {}});
    }
  });
  if (future.wait_for(options.loop_timeout) != std::future_status::ready) {
    return ApiReply{
        503, "application/json", R"({"error":"the engine did not answer in time"})", {}};
  }
  return future.get();
}

void HttpServer::Impl::add_route(const ApiRoute& route) {
  httplib::Server::Handler handler = [this, &route](const httplib::Request& req,
                                                    httplib::Response& res) {
    // HEAD is GET without the body (httplib routes it to the GET handlers and drops the body).
    ApiRequest api{req.method == "HEAD" ? "GET" : req.method, req.path, req.body, {}, {}};
    for (const auto& [k, v] : req.params) api.params.emplace_back(k, v);
    for (std::size_t g = 1; g < req.matches.size(); ++g) {
      api.captures.push_back(req.matches[g].str());
    }
    write_reply(res, route.on_loop ? on_loop(route, std::move(api)) : route.handle(engine, api));
  };
  if (route.method == "GET") {
    server.Get(route.pattern, handler);
  } else if (route.method == "POST") {
    server.Post(route.pattern, handler);
  } else if (route.method == "PUT") {
    server.Put(route.pattern, handler);
  } else if (route.method == "DELETE") {
    server.Delete(route.pattern, handler);
  }
}

httplib::Server::HandlerResponse HttpServer::Impl::pre_route(const httplib::Request& req,
                                                             httplib::Response& res) {
  using R = httplib::Server::HandlerResponse;
  if (CappedWorkers::refusing()) {
    set_json_error(res, 503, "too many HTTP connections; try again later");
    res.set_header("Connection", "close");
    res.set_header("Retry-After", "1");
    return R::Handled;
  }
  AccessVerdict v = decide_access(
      options.access,
      AccessRequest{req.method, req.path, req.get_header_value("Host"),
                    req.get_header_value("Origin"), req.get_header_value("Sec-Fetch-Site"),
                    req.get_header_value("Authorization"), req.get_header_value("Content-Type")});
  if (v != AccessVerdict::allow) {
    set_json_error(res, status_of(v), reason_of(v));
    if (v == AccessVerdict::unauthorized) res.set_header("WWW-Authenticate", "Bearer");
    return R::Handled;
  }
  // The request object is httplib's own (not const); only its headers are completed here.
  if (bodiless(req)) const_cast<httplib::Request&>(req).set_header("Content-Length", "0");
  return R::Unhandled;
}

void HttpServer::Impl::configure() {
  for (const ApiRoute& route : api_routes()) add_route(route);
  server.set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return pre_route(req, res); });
  // Every error gets a JSON body. A 404 without one is the router's: no route of this method
  // matched, so it becomes a 405 with Allow when the path has routes of other methods.
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (res.status == 404 && res.body.empty()) {
          write_reply(res, no_route(ApiRequest{req.method, req.path, {}, {}, {}}));
        } else if (res.body.empty()) {
          set_json_error(res, res.status, default_error(res.status));
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        set_json_error(res, 500, "internal error");
      });
  // httplib's default sets SO_REUSEPORT, which lets a second daemon share the port silently.
  // SO_REUSEADDR alone allows a quick restart yet makes a second listener fail to bind.
  server.set_socket_options([this](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd = sock;
  });
  server.set_payload_max_length(64 * 1024);
  server.set_read_timeout(options.io_timeout);
  server.set_write_timeout(options.io_timeout);
  server.set_keep_alive_timeout(options.keep_alive.count());
  server.set_keep_alive_max_count(100);
  const std::size_t cap = std::max<std::size_t>(1, options.max_connections);
  server.new_task_queue = [cap] { return new CappedWorkers(cap, kRefusers); };
}

namespace {

std::unique_ptr<httplib::Server> make_server(const HttpOptions& o) {
  if (o.tls_cert_file.empty()) return std::make_unique<httplib::Server>();
  const std::string& key = o.tls_key_file.empty() ? o.tls_cert_file : o.tls_key_file;
  return std::make_unique<httplib::SSLServer>(o.tls_cert_file.c_str(), key.c_str());
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, Engine& engine, HttpOptions options) {
  auto server = make_server(options);
  httplib::Server& ref = *server;
  impl_.reset(new Impl{io, engine, std::move(options), std::move(server), ref, {}, 0});
  impl_->configure();
}
HttpServer::~HttpServer() {
  stop();
}

bool HttpServer::start(const std::string& listen, std::string& error) {
  if (!impl_->server.is_valid()) {
    error = "http_tls_cert_file " + impl_->options.tls_cert_file + " / http_tls_key_file " +
            impl_->options.tls_key_file +
            ": not a PEM certificate and its private key (OpenSSL could not load them)";
    return false;
  }
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
  // httplib listens with a backlog of 5: a burst of connections would wait for SYN
  // retransmissions (1 s, 3 s...). listen() again on the bound socket raises it.
  if (impl_->listen_fd >= 0) ::listen(impl_->listen_fd, SOMAXCONN);
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
