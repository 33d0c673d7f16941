#include "app/api.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "app/account_json.hpp"
#include "app/api_reply.hpp"

namespace sipline::app {

ApiReply json_reply(int status, const Json& body) {
  return ApiReply{
      status, "application/json", body.dump(-1, ' ', false, Json::error_handler_t::replace), {}};
}

ApiReply error_reply(int status, const std::string& message) {
  Json j = Json::object();
  j["error"] = message;
  return json_reply(status, j);
}

ApiReply method_not_allowed(const ApiRequest& r, std::string allow) {
  ApiReply reply = error_reply(405, "method " + r.method + " not allowed on " + r.path);
  reply.allow = std::move(allow);
  return reply;
}

namespace {

// "/api/accounts/12/register" -> index 12, rest "/register". nullopt when not of that shape.
struct AccountPath {
  int index = 0;
  std::string_view rest;
};
std::optional<AccountPath> parse_account_path(std::string_view path) {
  constexpr std::string_view kPrefix = "/api/accounts/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view tail = path.substr(kPrefix.size());
  std::size_t digits = 0;
  while (digits < tail.size() && tail[digits] >= '0' && tail[digits] <= '9') ++digits;
  if (digits == 0 || digits > 6) return std::nullopt;
  AccountPath p;
  std::from_chars(tail.data(), tail.data() + digits, p.index);
  p.rest = tail.substr(digits);
  return p;
}

std::optional<AccountStatus> find_account(const Engine& engine, int index) {
  for (auto& a : engine.accounts()) {
    if (a.index == index) return a;
  }
  return std::nullopt;
}

ApiReply get_settings(const Engine& engine, int index) {
  std::vector<AccountSetting> settings;
  if (!engine.account_settings(index, settings)) {
    return error_reply(404, "no account " + std::to_string(index));
  }
  Json values = Json::object();
  for (const auto& s : settings) {
    if (s.type == "integer") {
      values[s.key] = std::stoll(s.value);
    } else if (s.type == "boolean") {
      values[s.key] = s.value == "true";
    } else if (s.type == "array") {
      values[s.key] = s.items;
    } else {
      values[s.key] = s.value;
    }
  }
  // What a form needs to offer each key: type, bounds or choices, unit, default, help.
  Json schema = Json::object();
  for (const auto& s : settings) {
    Json k = {{"type", s.type}, {"allowed", s.allowed}, {"help", s.help}};
    if (s.type == "integer" && s.max > s.min) {
      k["min"] = s.min;
      k["max"] = s.max;
    }
    if (!s.choices.empty()) k["choices"] = s.choices;
    if (!s.unit.empty()) k["unit"] = s.unit;
    if (!s.default_text.empty()) k["default"] = s.default_text;
    schema[s.key] = std::move(k);
  }
  Json j = Json::object();
  j["index"] = index;
  j["settings"] = std::move(values);
  j["schema"] = std::move(schema);
  return json_reply(200, j);
}

// The body: a JSON object of config keys to JSON scalars (strings, integers, booleans).
bool parse_changes(const std::string& body, SettingChanges& out, std::string& error) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "the body must be a JSON object of settings, e.g. {\"register_expiration_min\": 5}";
    return false;
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    const Json& v = it.value();
    if (v.is_string()) {
      out.emplace_back(it.key(), v.get<std::string>());
    } else if (v.is_boolean()) {
      out.emplace_back(it.key(), v.get<bool>());
    } else if (v.is_number_integer()) {
      out.emplace_back(it.key(), v.get<std::int64_t>());
    } else if (v.is_array() &&
               std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_string(); })) {
      out.emplace_back(it.key(), v.get<std::vector<std::string>>());
    } else {
      error = "\"" + it.key() +
              "\": a setting is a string, an integer, a boolean or an array of strings";
      return false;
    }
  }
  return true;
}

ApiReply put_settings(Engine& engine, int index, const std::string& body) {
  SettingChanges changes;
  std::string error;
  if (!parse_changes(body, changes, error)) return error_reply(400, error);
  std::vector<SettingProblem> problems;
  const int status = engine.change_settings(index, changes, problems);
  if (status == 200) return get_settings(engine, index);
  if (status == 404) return error_reply(404, "no account " + std::to_string(index));
  Json list = Json::array();
  for (const auto& p : problems) {
    list.push_back(
        {{"key", p.key}, {"value", p.value}, {"allowed", p.allowed}, {"message", p.message}});
  }
  Json j = Json::object();
  j["error"] = status == 400 ? "invalid settings: nothing was changed" : "settings not changed";
  j["problems"] = std::move(list);
  return json_reply(status, j);
}

ApiReply route_account(Engine& engine, const ApiRequest& r, const AccountPath& p) {
  if (p.rest.empty() || p.rest == "/") {
    if (r.method != "GET") return method_not_allowed(r, "GET, HEAD");
    auto a = find_account(engine, p.index);
    if (!a) return error_reply(404, "no account " + std::to_string(p.index));
    return json_reply(200, to_json(*a));
  }
  if (p.rest == "/register") {
    if (r.method != "POST") return method_not_allowed(r, "POST");
    if (!engine.reregister(p.index)) {
      return error_reply(404, "no account " + std::to_string(p.index));
    }
    Json j = Json::object();
    j["index"] = p.index;
    j["reregistering"] = true;
    return json_reply(202, j);
  }
  if (p.rest == "/settings") {
    if (r.method == "GET") return get_settings(engine, p.index);
    if (r.method != "PUT") return method_not_allowed(r, "GET, HEAD, PUT");
    return put_settings(engine, p.index, r.body);
  }
  return error_reply(404, "not found: " + r.path);
}

}  // namespace

ApiReply route_api(Engine& engine, const ApiRequest& r) {
  if (r.path == "/api/accounts" || r.path == "/api/accounts/") {
    if (r.method != "GET") return method_not_allowed(r, "GET, HEAD");
    return json_reply(200, to_json(engine.accounts()));
  }
  if (auto p = parse_account_path(r.path)) return route_account(engine, r, *p);
  if (r.path == "/metrics") {
    if (r.method != "GET") return method_not_allowed(r, "GET, HEAD");
    return ApiReply{200, kMetricsContentType, engine.metrics_text(), {}};
  }
  if (auto reply = route_calls(engine, r)) return std::move(*reply);
  return error_reply(404, "not found: " + r.path);
}

}  // namespace sipline::app
