// /api/calls (calls-and-subscriptions.md "Interfaces added").
#include <charconv>
#include <optional>

#include "app/api_reply.hpp"
#include "app/call_json.hpp"

namespace sipline::app {

namespace {

ApiReply from_call_reply(Engine& engine, const CallReply& done, int ok_status) {
  if (done.status >= 300) return error_reply(done.status, done.error);
  auto call = engine.call(done.id);
  if (!call) return error_reply(500, "the call is gone");
  return json_reply(ok_status, to_json(*call));
}

ApiReply post_call(Engine& engine, const ApiRequest& r) {
  Json j = Json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("to") || !j["to"].is_string()) {
    return error_reply(400, R"(the body must be a JSON object like {"account":1,"to":"1002"})");
  }
  CallRequest request;
  request.to = j["to"].get<std::string>();
  if (j.contains("account")) {
    if (!j["account"].is_number_integer()) return error_reply(400, "\"account\": an integer");
    request.account = j["account"].get<int>();
  }
  if (j.contains("anonymous")) {
    if (!j["anonymous"].is_boolean()) return error_reply(400, "\"anonymous\": true or false");
    request.anonymous = j["anonymous"].get<bool>();
  }
  return from_call_reply(engine, engine.place_call(request), 201);
}

bool query_flag(const ApiRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.params) {
    if (k == name) return v == "1" || v == "true";
  }
  return false;
}

// The call id of a route (its pattern allows digits only); nullopt when it overflows.
std::optional<std::uint64_t> call_id(const ApiRequest& r) {
  std::uint64_t id = 0;
  const std::string& digits = r.captures.at(0);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return id;
}

ApiReply list_calls(Engine& engine, const ApiRequest&) {
  return json_reply(200, to_json(engine.calls()));
}

ApiReply no_call(const ApiRequest& r) {
  return error_reply(404, "no call " + r.captures.at(0));
}

ApiReply one_call(Engine& engine, const ApiRequest& r) {
  auto id = call_id(r);
  auto call = id ? engine.call(*id) : std::nullopt;
  return call ? json_reply(200, to_json(*call)) : no_call(r);
}

ApiReply end_call(Engine& engine, const ApiRequest& r) {
  auto id = call_id(r);
  return id ? from_call_reply(engine, engine.end_call(*id, query_flag(r, "decline")), 200)
            : no_call(r);
}

ApiReply answer_call(Engine& engine, const ApiRequest& r) {
  auto id = call_id(r);
  return id ? from_call_reply(engine, engine.answer_call(*id), 200) : no_call(r);
}

}  // namespace

std::vector<ApiRoute> call_routes() {
  constexpr const char* kCall = R"(/api/calls/(\d{1,20}))";
  return {
      {"GET", "/api/calls/?", list_calls},
      {"POST", "/api/calls/?", post_call},
      {"GET", std::string(kCall) + "/?", one_call},
      {"DELETE", std::string(kCall) + "/?", end_call},
      {"POST", std::string(kCall) + "/answer", answer_call},
  };
}

}  // namespace sipline::app
