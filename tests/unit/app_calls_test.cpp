// /api/calls against a scripted engine: the call object's fields, status codes, ?decline=1.
#include <gtest/gtest.h>

#include "app/api.hpp"
#include "app/call_json.hpp"
#include "unit/app_fake_engine.hpp"

namespace sipline::app {
namespace {

class CallsEngine : public testing::FakeEngine {
 public:
  CallsEngine() {
    CallStatus c;
    c.id = 7;
    c.account = 1;
    c.direction = "in";
    c.remote = "sip:1002@pbx.example.com";
    c.state = "ended";
    c.started_at = std::chrono::system_clock::time_point{} + std::chrono::seconds(1767225600);
    c.ended_at = c.started_at + std::chrono::milliseconds(2500);
    c.outcome = CallOutcomeStatus{486, "Busy Here", "local"};
    c.rtp = {10, 9, 1, 0.5, 3, 2};
    calls_.push_back(c);
  }
  std::vector<CallStatus> calls() const override { return calls_; }
  std::optional<CallStatus> call(std::uint64_t id) const override {
    for (const auto& c : calls_) {
      if (c.id == id) return c;
    }
    return std::nullopt;
  }
  CallReply place_call(const CallRequest& r) override {
    placed.push_back(r);
    if (r.account != 1) return {404, "no account", 0};
    return {201, "", 7};
  }
  CallReply end_call(std::uint64_t id, bool decline) override {
    declined = decline;
    if (id != 7) return {404, "no call", 0};
    return {200, "", 7};
  }
  std::vector<CallStatus> calls_;
  std::vector<CallRequest> placed;
  bool declined = false;
};

Json body_of(const ApiReply& r) {
  return Json::parse(r.body);
}

TEST(AppCalls, CallObjectHasTheSpecFieldsInOrder) {
  CallsEngine engine;
  ApiReply r = route_api(engine, {"GET", "/api/calls", ""});
  ASSERT_EQ(r.status, 200);
  const Json c = body_of(r).at(0);
  std::vector<std::string> keys;
  for (auto it = c.begin(); it != c.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "account", "direction", "remote", "anonymous",
                                            "state", "started_at", "answered_at", "ended_at",
                                            "duration_s", "outcome", "codec", "held", "rtp"}));
  EXPECT_EQ(c["started_at"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(c["ended_at"], "2026-01-01T00:00:02.500Z");
  EXPECT_TRUE(c["answered_at"].is_null());
  EXPECT_EQ(c["outcome"], Json::parse(R"({"status":486,"reason":"Busy Here","ended_by":"local"})"));
  EXPECT_TRUE(c["codec"].is_null());
  EXPECT_EQ(c["held"], false);
  EXPECT_EQ(c["rtp"],
            Json::parse(R"({"sent":10,"received":9,"lost":1,"jitter_ms":0.5,"junk":3,"dtmf":2})"));
}

TEST(AppCalls, PostPlacesACallAndChecksTheBody) {
  CallsEngine engine;
  ApiReply r =
      route_api(engine, {"POST", "/api/calls", R"({"account":1,"to":"1002","anonymous":true})"});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(body_of(r)["id"], 7);
  ASSERT_EQ(engine.placed.size(), 1u);
  EXPECT_EQ(engine.placed[0].to, "1002");
  EXPECT_TRUE(engine.placed[0].anonymous);
  EXPECT_EQ(route_api(engine, {"POST", "/api/calls", R"({"account":2,"to":"1002"})"}).status, 404);
  EXPECT_EQ(route_api(engine, {"POST", "/api/calls", "not json"}).status, 400);
  EXPECT_EQ(route_api(engine, {"POST", "/api/calls", R"({"to":5})"}).status, 400);
  EXPECT_EQ(route_api(engine, {"POST", "/api/calls", R"({"to":"x","anonymous":"yes"})"}).status,
            400);
  EXPECT_EQ(engine.placed.size(), 2u);
}

TEST(AppCalls, OneCallRoutes) {
  CallsEngine engine;
  EXPECT_EQ(route_api(engine, {"GET", "/api/calls/7", ""}).status, 200);
  EXPECT_EQ(route_api(engine, {"GET", "/api/calls/8", ""}).status, 404);
  EXPECT_EQ(route_api(engine, {"GET", "/api/calls/x", ""}).status, 404);
  EXPECT_EQ(route_api(engine, {"PUT", "/api/calls/7", ""}).status, 405);
  ApiRequest del{"DELETE", "/api/calls/7", "", {{"decline", "1"}}};
  EXPECT_EQ(route_api(engine, del).status, 200);
  EXPECT_TRUE(engine.declined);
  EXPECT_EQ(route_api(engine, {"DELETE", "/api/calls/7", ""}).status, 200);
  EXPECT_FALSE(engine.declined);
  // The base engine has no answer_call: 501.
  EXPECT_EQ(route_api(engine, {"POST", "/api/calls/7/answer", ""}).status, 501);
  EXPECT_EQ(route_api(engine, {"GET", "/api/calls/7/answer", ""}).status, 405);
}

}  // namespace
}  // namespace sipline::app
