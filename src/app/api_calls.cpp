// /api/calls (calls-and-subscriptions.md "Interfaces added").
#include <charconv>

#include "app/api_reply.hpp"
#include "app/call_json.hpp"

namespace sipline::app {

namespace {

constexpr std::string_view kPrefix = "/api/calls";

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

ApiReply route_one(Engine& engine, const ApiRequest& r, std::uint64_t id, std::string_view rest) {
  if (rest.empty() || rest == "/") {
    if (r.method == "GET") {
      auto call = engine.call(id);
      if (!call) return error_reply(404, "no call " + std::to_string(id));
      return json_reply(200, to_json(*call));
    }
    if (r.method != "DELETE") return method_not_allowed(r, "GET, HEAD, DELETE");
    return from_call_reply(engine, engine.end_call(id, query_flag(r, "decline")), 200);
  }
  if (rest == "/answer") {
    if (r.method != "POST") return method_not_allowed(r, "POST");
    return from_call_reply(engine, engine.answer_call(id), 200);
  }
  return error_reply(404, "not found: " + r.path);
}

}  // namespace

std::optional<ApiReply> route_calls(Engine& engine, const ApiRequest& r) {
  std::string_view path = r.path;
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view tail = path.substr(kPrefix.size());
  if (tail.empty() || tail == "/") {
    if (r.method == "GET") return json_reply(200, to_json(engine.calls()));
    if (r.method != "POST") return method_not_allowed(r, "GET, HEAD, POST");
    return post_call(engine, r);
  }
  if (tail.front() != '/') return std::nullopt;
  tail.remove_prefix(1);
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), id);
  if (ec != std::errc{} || end == tail.data()) return error_reply(404, "not found: " + r.path);
  return route_one(engine, r, id, tail.substr(static_cast<std::size_t>(end - tail.data())));
}

}  // namespace sipline::app
