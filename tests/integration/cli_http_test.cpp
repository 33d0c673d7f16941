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
  HttpServer server(idle, engine, std::chrono::milliseconds(100));
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

}  // namespace
}  // namespace sipline::app
