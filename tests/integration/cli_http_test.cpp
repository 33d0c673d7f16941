// The daemon's HTTP side over real loopback sockets, with a fake engine on a real io_context.
#include <gtest/gtest.h>
#include <httplib.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/http_server.hpp"
#include "support/net.hpp"
#include "unit/app_fake_engine.hpp"

namespace sipline::app {
namespace {

class LoopThread {
 public:
  LoopThread() : guard_(io.get_executor()), thread_([this] { io.run(); }) {}
  ~LoopThread() {
    guard_.reset();
    io.stop();
    thread_.join();
  }
  asio::io_context io;

 private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

httplib::Client client_for(const HttpServer& server) {
  httplib::Client c("127.0.0.1", server.port());
  c.set_connection_timeout(std::chrono::seconds(2));
  c.set_read_timeout(std::chrono::seconds(5));
  return c;
}

TEST(CliHttp, RoutesAnswerThroughTheLoop) {
  LoopThread loop;
  testing::FakeEngine engine;
  HttpServer server(loop.io, engine);
  std::string error;
  ASSERT_TRUE(server.start("127.0.0.1:0", error)) << error;
  ASSERT_NE(server.port(), 0);
  auto c = client_for(server);

  auto list = c.Get("/api/accounts");
  ASSERT_TRUE(list) << httplib::to_string(list.error());
  EXPECT_EQ(list->status, 200);
  EXPECT_EQ(list->get_header_value("Content-Type"), "application/json");
  auto j = nlohmann::json::parse(list->body);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1]["state"], "failed");

  auto one = c.Get("/api/accounts/3");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 404);

  auto reg = c.Post("/api/accounts/1/register", "", "application/json");
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->status, 202);

  auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4");

  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<html"), std::string::npos);

  auto call = c.Post("/api/calls", R"({"account":1,"to":"sip:a@b"})", "application/json");
  ASSERT_TRUE(call);
  EXPECT_EQ(call->status, 501);
  server.stop();
  // The loop saw the re-register request (read it on the loop).
  std::promise<std::vector<int>> seen;
  asio::post(loop.io, [&] { seen.set_value(engine.reregistered); });
  EXPECT_EQ(seen.get_future().get(), std::vector<int>{1});
}

TEST(CliHttp, AStuckLoopGives503NotAHang) {
  asio::io_context idle;  // never run: the engine never answers
  testing::FakeEngine engine;
  HttpOptions options;
  options.loop_timeout = std::chrono::milliseconds(100);
  HttpServer server(idle, engine, options);
  std::string error;
  ASSERT_TRUE(server.start("127.0.0.1:0", error)) << error;
  auto c = client_for(server);
  auto r = c.Get("/api/accounts");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST(CliHttp, BindFailureIsReported) {
  LoopThread loop;
  testing::FakeEngine engine;
  HttpServer first(loop.io, engine);
  std::string error;
  ASSERT_TRUE(first.start("127.0.0.1:0", error)) << error;
  HttpServer second(loop.io, engine);
  EXPECT_FALSE(second.start("127.0.0.1:" + std::to_string(first.port()), error));
  EXPECT_NE(error.find("cannot bind"), std::string::npos);
  EXPECT_FALSE(second.start("nonsense", error));
}

// A server with a token on its own loop thread, for the access tests.
struct Served {
  explicit Served(HttpOptions options = token_options()) : server(loop.io, engine, options) {
    std::string error;
    if (!server.start("127.0.0.1:0", error)) ADD_FAILURE() << error;
  }
  static HttpOptions token_options() {
    HttpOptions o;
    o.access.token = "t0ken";
    o.access.host_names = {"door.example"};
    return o;
  }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(server.port()); }
  LoopThread loop;
  testing::FakeEngine engine;
  HttpServer server;
};

// One raw request on a fresh connection; the whole answer (the server closes: Connection: close).
std::string raw_request(std::uint16_t port, const std::string& head) {
  auto s = sipline::test::TcpSocket::connect("127.0.0.1", port);
  s.send(head);
  std::string all;
  while (auto part = s.recv_some(std::chrono::milliseconds(3000))) {
    if (part->empty()) break;
    all += *part;
  }
  return all;
}

TEST(CliHttpAccess, TokenGuardsEveryRouteButThePageAndPublicMetrics) {
  Served s;
  auto c = client_for(s.server);
  auto denied = c.Get("/api/accounts");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(nlohmann::json::parse(denied->body)["error"].get<std::string>().substr(0, 7),
            "missing");
  EXPECT_EQ(c.Get("/api/accounts", {{"Authorization", "Bearer wrong"}})->status, 401);
  EXPECT_EQ(c.Post("/api/accounts/1/register", "", "application/json")->status, 401);
  EXPECT_EQ(c.Get("/metrics")->status, 200);
  EXPECT_EQ(c.Get("/")->status, 200);
  c.set_bearer_token_auth("t0ken");
  EXPECT_EQ(c.Get("/api/accounts")->status, 200);
  EXPECT_EQ(c.Post("/api/accounts/1/register", "", "application/json")->status, 202);

  HttpOptions closed = Served::token_options();
  closed.access.metrics_public = false;
  Served private_metrics(closed);
  EXPECT_EQ(client_for(private_metrics.server).Get("/metrics")->status, 401);
}

TEST(CliHttpAccess, CrossSiteAndForeignHostsAreRefused) {
  Served s;
  auto c = client_for(s.server);
  c.set_bearer_token_auth("t0ken");
  EXPECT_EQ(c.Get("/api/accounts", {{"Origin", "http://evil.example"}})->status, 403);
  EXPECT_EQ(c.Get("/api/accounts", {{"Origin", "null"}})->status, 403);
  EXPECT_EQ(c.Get("/api/accounts", {{"Sec-Fetch-Site", "cross-site"}})->status, 403);
  EXPECT_EQ(c.Get("/api/accounts", {{"Origin", s.origin()}})->status, 200);
  auto rebound = c.Get("/api/accounts", {{"Host", "attacker.example:80"}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 421);
  EXPECT_EQ(c.Get("/api/accounts", {{"Host", "door.example"}})->status, 200);
  EXPECT_EQ(c.Get("/api/accounts", {{"Host", "localhost:1"}})->status, 200);
}

// The shape of a no-cors fetch() from another page: text/plain, no Authorization, and no
// token configured at all (a loopback daemon with http_token_file = "").
TEST(CliHttpAccess, NoCorsPostIsRefusedEvenWithoutAToken) {
  Served s(HttpOptions{});
  auto c = client_for(s.server);
  auto r = c.Post("/api/accounts/1/register", "x", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(c.Post("/api/accounts/1/register", "", "application/json")->status, 202);
  std::promise<std::vector<int>> seen;
  asio::post(s.loop.io, [&] { seen.set_value(s.engine.reregistered); });
  EXPECT_EQ(seen.get_future().get(), std::vector<int>{1});
}

TEST(CliHttpAccess, RestConventions) {
  Served s;
  const std::uint16_t port = s.server.port();
  // The README's `curl -X POST`: no body, no Content-Length, no Content-Type.
  std::string post = raw_request(port,
                                 "POST /api/accounts/1/register HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 "Authorization: Bearer t0ken\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(post.substr(0, 12), "HTTP/1.1 202") << post;
  auto c = client_for(s.server);
  c.set_bearer_token_auth("t0ken");
  auto missing = c.Get("/nowhere");
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(nlohmann::json::parse(missing->body).contains("error"));
  auto wrong = c.Delete("/api/accounts/1");
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->get_header_value("Allow"), "GET, HEAD");
  EXPECT_EQ(c.Post("/api/accounts", "{}", "application/json")->get_header_value("Allow"),
            "GET, HEAD");
  auto big = c.Post("/api/accounts/1/register", std::string(100 * 1024, 'x'), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_TRUE(nlohmann::json::parse(big->body).contains("error")) << big->body;
  auto head = c.Head("/api/accounts");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
}

// The router: every resource answers another method with 405 and its own Allow, and a path no
// route has with a JSON 404 (cpp-httplib's router and error handler, api_routes()).
TEST(CliHttpAccess, EveryResourceAnswers405WithItsAllow) {
  Served s;
  const std::uint16_t port = s.server.port();
  struct Case {
    const char* method;
    const char* path;
    const char* allow;
  };
  for (const Case& c : std::vector<Case>{{"DELETE", "/", "GET, HEAD"},
                                         {"PUT", "/api/accounts", "GET, HEAD"},
                                         {"PATCH", "/api/accounts/", "GET, HEAD"},
                                         {"DELETE", "/api/accounts/1", "GET, HEAD"},
                                         {"GET", "/api/accounts/1/register", "POST"},
                                         {"POST", "/api/accounts/1/settings", "GET, HEAD, PUT"},
                                         {"POST", "/metrics", "GET, HEAD"},
                                         {"OPTIONS", "/metrics", "GET, HEAD"},
                                         {"PUT", "/api/calls", "GET, HEAD, POST"},
                                         {"POST", "/api/calls/7", "GET, HEAD, DELETE"},
                                         {"DELETE", "/api/calls/7/answer", "POST"}}) {
    const std::string reply =
        raw_request(port, std::string(c.method) + " " + c.path +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer t0ken\r\n"
                              "Content-Type: application/json\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 405") << c.method << " " << c.path << "\n" << reply;
    EXPECT_NE(reply.find(std::string("\r\nAllow: ") + c.allow + "\r\n"), std::string::npos)
        << c.method << " " << c.path << "\n"
        << reply;
    const auto body = reply.substr(reply.find("\r\n\r\n") + 4);
    EXPECT_EQ(nlohmann::json::parse(body, nullptr, false).value("error", "").substr(0, 7),
              "method ")
        << body;
  }
  auto c = client_for(s.server);
  c.set_bearer_token_auth("t0ken");
  for (const char* path : {"/api/accounts/1/register/", "/api/calls/abc", "/api/accounts/x",
                           "/api/accounts/1234567", "/metrics/", "/api"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_TRUE(nlohmann::json::parse(r->body, nullptr, false).contains("error")) << path;
    EXPECT_FALSE(r->has_header("Allow")) << path;
  }
}

// HEAD is GET without the body on every GET route, with GET's status.
TEST(CliHttpAccess, HeadAnswersEveryGetRoute) {
  Served s;
  auto c = client_for(s.server);
  c.set_bearer_token_auth("t0ken");
  for (const char* path : {"/", "/api/accounts", "/api/accounts/1", "/api/accounts/9",
                           "/api/accounts/1/settings", "/metrics", "/api/calls", "/api/calls/3"}) {
    auto get = c.Get(path);
    auto head = c.Head(path);
    ASSERT_TRUE(get && head) << path;
    EXPECT_EQ(head->status, get->status) << path;
    EXPECT_TRUE(head->body.empty()) << path;
    EXPECT_FALSE(get->body.empty()) << path;
  }
}

// RFC 9112 §6.3: no Content-Length and no Transfer-Encoding is an empty body, answered at once
// (httplib alone reads a POST or PUT until the read timeout and answers 400).
TEST(CliHttpAccess, RequestsWithoutABodyAreAnsweredAtOnce) {
  Served s;
  for (const char* line : {"DELETE /api/calls/5 HTTP/1.1", "PUT /api/accounts/1/settings HTTP/1.1",
                           "POST /api/calls HTTP/1.1"}) {
    const auto start = std::chrono::steady_clock::now();
    const std::string reply =
        raw_request(s.server.port(), std::string(line) +
                                         "\r\nHost: 127.0.0.1\r\nAuthorization: Bearer t0ken\r\n"
                                         "Connection: close\r\n\r\n");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3)) << line;
    ASSERT_GE(reply.size(), 12u) << line;
    // The fake engine has no calls (501); an empty settings body is not a JSON object (400).
    EXPECT_NE(reply.substr(9, 3), "405") << line << reply;
    EXPECT_TRUE(reply.substr(0, 12) == "HTTP/1.1 501" || reply.substr(0, 12) == "HTTP/1.1 400")
        << line << "\n"
        << reply;
    EXPECT_NE(reply.find("{\"error\""), std::string::npos) << line << reply;
  }
}

// 64 idle connections (connected, nothing sent) must not starve the others.
TEST(CliHttpAccess, IdleConnectionsDoNotStarveRequests) {
  Served s;
  std::vector<sipline::test::TcpSocket> idle;
  for (int i = 0; i < 64; ++i)
    idle.push_back(sipline::test::TcpSocket::connect("127.0.0.1", s.server.port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // all accepted and parked
  auto c = client_for(s.server);
  c.set_bearer_token_auth("t0ken");
  for (const char* path : {"/metrics", "/api/accounts"}) {
    const auto start = std::chrono::steady_clock::now();
    auto r = c.Get(path);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_LT(took, std::chrono::seconds(1)) << path;
  }
}

TEST(CliHttpAccess, OverTheConnectionCapTheAnswerIs503) {
  HttpOptions o = Served::token_options();
  o.max_connections = 4;
  Served s(o);
  std::vector<sipline::test::TcpSocket> idle;
  for (int i = 0; i < 4; ++i)
    idle.push_back(sipline::test::TcpSocket::connect("127.0.0.1", s.server.port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto c = client_for(s.server);
  auto r = c.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("too many HTTP connections"), std::string::npos);
  idle.clear();  // closed: the cap frees up
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto again = client_for(s.server).Get("/metrics");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

}  // namespace
}  // namespace sipline::app
