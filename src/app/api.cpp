#include "app/api.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>
#include <regex>
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

namespace {

// The account index of a route (its pattern allows 1 to 6 digits).
int account_index(const ApiRequest& r) {
  int index = 0;
  const std::string& digits = r.captures.at(0);
  std::from_chars(digits.data(), digits.data() + digits.size(), index);
  return index;
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

// The largest page of GET /api/accounts?limit=: a larger limit is capped to it (10,000 accounts
// are about 10 MB of JSON, built on the loop).
constexpr std::size_t kMaxPage = 10000;

// 400 for one query parameter: which, what it was, what is allowed.
ApiReply bad_parameter(const std::string& name, const std::string& value,
                       const std::string& allowed) {
  Json j = Json::object();
  j["error"] = "query parameter " + name + "=\"" + value + "\": allowed " + allowed;
  j["parameter"] = name;
  j["value"] = value;
  j["allowed"] = allowed;
  return json_reply(400, j);
}

// Decimal digits only; a value past what size_t holds saturates (an offset past every account,
// a limit capped anyway).
std::optional<std::size_t> parse_count(const std::string& text) {
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc::result_out_of_range) return std::numeric_limits<std::size_t>::max();
  return n;
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

// The query of GET /api/accounts; nullopt when it is valid, else the 400 to answer.
std::optional<ApiReply> parse_account_query(const ApiRequest& r, AccountQuery& q) {
  const auto& names = account_state_names();
  for (const auto& [key, value] : r.params) {
    if (key == "state") {
      std::size_t start = 0;
      while (start <= value.size()) {
        const std::size_t comma = std::min(value.find(',', start), value.size());
        std::string one = value.substr(start, comma - start);
        if (std::find(names.begin(), names.end(), one) == names.end()) {
          return bad_parameter(key, value,
                               "state names separated by commas: " + joined(names, ", "));
        }
        q.states.push_back(std::move(one));
        start = comma + 1;
      }
    } else if (key == "name") {
      q.name = value;
    } else if (key == "offset" || key == "limit") {
      auto n = parse_count(value);
      if (!n) {
        return bad_parameter(key, value,
                             key == "offset" ? "0 or more"
                                             : "0 or more (at most " + std::to_string(kMaxPage) +
                                                   " accounts a page: larger is capped)");
      }
      if (key == "offset") {
        q.offset = *n;
      } else {
        q.limit = std::min(*n, kMaxPage);
      }
    } else {
      return bad_parameter(key, value, "the parameters state, name, offset, limit");
    }
  }
  return std::nullopt;
}

std::string url_encoded(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ',') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// The Link to the page after `shown` accounts from the query's offset, when there is one.
std::optional<std::string> next_link(AccountQuery q, std::size_t shown, std::size_t matched) {
  if (!q.limit || shown == 0 || q.offset + shown >= matched) return std::nullopt;
  q.offset += shown;
  return "</api/accounts?" + account_query_string(q) + ">; rel=\"next\"";
}

ApiReply list_accounts(Engine& engine, const ApiRequest& r) {
  AccountQuery query;
  if (auto bad = parse_account_query(r, query)) return std::move(*bad);
  AccountPage page = engine.account_page(query);
  ApiReply reply = json_reply(200, to_json(page.accounts));
  reply.headers.emplace_back("X-Total-Count", std::to_string(page.matched));
  if (auto link = next_link(query, page.accounts.size(), page.matched)) {
    reply.headers.emplace_back("Link", std::move(*link));
  }
  return reply;
}

ApiReply accounts_summary(Engine& engine, const ApiRequest&) {
  AccountQuery none;
  none.limit = 0;
  const AccountPage page = engine.account_page(none);
  Json states = Json::object();
  for (const auto& [state, n] : page.states) states[state] = n;
  Json j = Json::object();
  j["total"] = page.total;
  j["states"] = std::move(states);
  return json_reply(200, j);
}

ApiReply one_account(Engine& engine, const ApiRequest& r) {
  const int index = account_index(r);
  auto a = find_account(engine, index);
  if (!a) return error_reply(404, "no account " + std::to_string(index));
  return json_reply(200, to_json(*a));
}

ApiReply reregister(Engine& engine, const ApiRequest& r) {
  const int index = account_index(r);
  if (!engine.reregister(index)) return error_reply(404, "no account " + std::to_string(index));
  Json j = Json::object();
  j["index"] = index;
  j["reregistering"] = true;
  return json_reply(202, j);
}

ApiReply read_settings(Engine& engine, const ApiRequest& r) {
  return get_settings(engine, account_index(r));
}

ApiReply write_settings(Engine& engine, const ApiRequest& r) {
  return put_settings(engine, account_index(r), r.body);
}

ApiReply metrics(Engine& engine, const ApiRequest&) {
  return ApiReply{200, kMetricsContentType, engine.metrics_text(), {}};
}

ApiReply page(Engine&, const ApiRequest&) {
  return ApiReply{200, "text/html; charset=utf-8", web_page(), {}};
}

std::vector<ApiRoute> make_routes() {
  constexpr const char* kAccount = R"(/api/accounts/(\d{1,6}))";
  std::vector<ApiRoute> routes = {
      {"GET", "/", page, false},
      {"GET", "/api/accounts/?", list_accounts},
      {"GET", "/api/accounts/summary", accounts_summary},
      {"GET", std::string(kAccount) + "/?", one_account},
      {"POST", std::string(kAccount) + "/register", reregister},
      {"GET", std::string(kAccount) + "/settings", read_settings},
      {"PUT", std::string(kAccount) + "/settings", write_settings},
      {"GET", "/metrics", metrics},
  };
  for (auto& r : call_routes()) routes.push_back(std::move(r));
  return routes;
}

// The table's patterns compiled once, in its order.
const std::vector<std::regex>& compiled_patterns() {
  static const std::vector<std::regex> patterns = [] {
    std::vector<std::regex> out;
    for (const auto& r : api_routes()) out.emplace_back(r.pattern);
    return out;
  }();
  return patterns;
}

}  // namespace

std::string account_query_string(const AccountQuery& q) {
  std::string out;
  const auto add = [&out](const std::string& pair) { out += (out.empty() ? "" : "&") + pair; };
  if (!q.states.empty()) add("state=" + url_encoded(joined(q.states, ",")));
  if (!q.name.empty()) add("name=" + url_encoded(q.name));
  if (q.offset > 0) add("offset=" + std::to_string(q.offset));
  if (q.limit) add("limit=" + std::to_string(*q.limit));
  return out;
}

const std::vector<ApiRoute>& api_routes() {
  static const std::vector<ApiRoute> routes = make_routes();
  return routes;
}

std::string allowed_methods(std::string_view path) {
  const auto& routes = api_routes();
  const auto& patterns = compiled_patterns();
  std::vector<std::string_view> methods;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    if (std::regex_match(path.begin(), path.end(), patterns[i]))
      methods.push_back(routes[i].method);
  }
  std::string allow;
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "DELETE"}) {
    const std::string_view listed = m == "HEAD" ? "GET" : m;
    if (std::find(methods.begin(), methods.end(), listed) == methods.end()) continue;
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  return allow;
}

ApiReply no_route(const ApiRequest& r) {
  std::string allow = allowed_methods(r.path);
  if (allow.empty()) return error_reply(404, "not found: " + r.path);
  ApiReply reply = error_reply(405, "method " + r.method + " not allowed on " + r.path);
  reply.allow = std::move(allow);
  return reply;
}

ApiReply route_api(Engine& engine, ApiRequest r) {
  if (r.method == "HEAD") r.method = "GET";
  const auto& routes = api_routes();
  const auto& patterns = compiled_patterns();
  for (std::size_t i = 0; i < routes.size(); ++i) {
    std::smatch m;
    if (routes[i].method != r.method || !std::regex_match(r.path, m, patterns[i])) continue;
    for (std::size_t g = 1; g < m.size(); ++g) r.captures.push_back(m[g].str());
    return routes[i].handle(engine, r);
  }
  return no_route(r);
}

}  // namespace sipline::app
