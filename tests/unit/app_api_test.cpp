// The app's pure parts: HTTP routes against a fake engine, account JSON, the status table.
#include <gtest/gtest.h>

#include "app/account_json.hpp"
#include "app/account_table.hpp"
#include "app/address.hpp"
#include "app/api.hpp"
#include "unit/app_fake_engine.hpp"

namespace sipline::app {
namespace {

using testing::FakeEngine;

Json body_of(const ApiReply& r) {
  return Json::parse(r.body);
}

TEST(AppApi, AccountsListHasTheFieldsOfTheInterfaceInOrder) {
  FakeEngine engine;
  ApiReply r = route_api(engine, {"GET", "/api/accounts", ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  Json j = body_of(r);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  const std::vector<std::string> contract = {"index",
                                             "name",
                                             "aor",
                                             "state",
                                             "granted_expires_s",
                                             "next_refresh_in_s",
                                             "last_status_code",
                                             "last_error",
                                             "keepalive_misses",
                                             "transport",
                                             "local_port"};
  std::vector<std::string> keys;
  for (auto it = j[0].begin(); it != j[0].end(); ++it) keys.push_back(it.key());
  ASSERT_GE(keys.size(), contract.size());
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + contract.size()), contract);
  EXPECT_EQ(j[0]["state"], "registered");
  EXPECT_EQ(j[0]["next_refresh_in_s"], 3240);
  EXPECT_TRUE(j[0]["next_attempt_in_s"].is_null());
  EXPECT_EQ(j[1]["next_attempt_in_s"], 20);
  EXPECT_TRUE(j[1]["next_refresh_in_s"].is_null());
  EXPECT_EQ(j[1]["failure_class"], "credentials");
  EXPECT_EQ(j[1]["warnings"][0], "binding not confirmed");
}

TEST(AppApi, NoRouteReturnsAPassword) {
  FakeEngine engine;
  for (const char* path : {"/api/accounts", "/api/accounts/1", "/api/accounts/2"}) {
    ApiReply r = route_api(engine, {"GET", path, ""});
    EXPECT_EQ(r.body.find("password"), std::string::npos) << path;
  }
}

TEST(AppApi, OneAccountOr404) {
  FakeEngine engine;
  ApiReply r = route_api(engine, {"GET", "/api/accounts/2", ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r)["name"], "Back \"door\"");
  EXPECT_EQ(route_api(engine, {"GET", "/api/accounts/7", ""}).status, 404);
  EXPECT_EQ(route_api(engine, {"GET", "/api/accounts/x", ""}).status, 404);
  EXPECT_EQ(route_api(engine, {"GET", "/api/accounts/99999999999", ""}).status, 404);
  EXPECT_EQ(route_api(engine, {"DELETE", "/api/accounts/1", ""}).status, 405);
}

TEST(AppApi, ReregisterPostsToTheEngine) {
  FakeEngine engine;
  ApiReply r = route_api(engine, {"POST", "/api/accounts/1/register", ""});
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(body_of(r)["index"], 1);
  EXPECT_EQ(route_api(engine, {"POST", "/api/accounts/9/register", ""}).status, 404);
  EXPECT_EQ(route_api(engine, {"GET", "/api/accounts/1/register", ""}).status, 405);
  EXPECT_EQ(engine.reregistered, (std::vector<int>{1, 9}));
}

TEST(AppApi, SettingsBodyMustBeAnObjectOfScalars) {
  FakeEngine engine;
  for (const char* body :
       {"", "[1]", "{\"register_expiration_min\": 1.5}", "{\"name\": {}}", "not json"}) {
    ApiReply r = route_api(engine, {"PUT", "/api/accounts/1/settings", body});
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_TRUE(body_of(r).contains("error")) << body;
  }
  ApiReply wrong = route_api(engine, {"POST", "/api/accounts/1/settings", "{}"});
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.allow, "GET, HEAD, PUT");
}

TEST(AppApi, NotImplementedYetRoutesSay501) {
  FakeEngine engine;
  ApiReply settings = route_api(engine, {"PUT", "/api/accounts/1/settings", "{}"});
  EXPECT_EQ(settings.status, 501);
  EXPECT_TRUE(body_of(settings).contains("error"));
  ApiReply call = route_api(engine, {"POST", "/api/calls", R"({"account":1,"to":"sip:x@y"})"});
  EXPECT_EQ(call.status, 501);
  EXPECT_EQ(body_of(call)["error"], "calls are not available in this engine");
}

TEST(AppApi, MetricsArePrometheusText) {
  FakeEngine engine;
  ApiReply r = route_api(engine, {"GET", "/metrics", ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4");
  EXPECT_NE(r.body.find("sipline_registrations_total"), std::string::npos);
}

TEST(AppApi, UnknownPathIs404) {
  FakeEngine engine;
  EXPECT_EQ(route_api(engine, {"GET", "/nope", ""}).status, 404);
}

TEST(AppApi, AllowListsTheMethodsOfAPath) {
  EXPECT_EQ(allowed_methods("/"), "GET, HEAD");
  EXPECT_EQ(allowed_methods("/api/accounts"), "GET, HEAD");
  EXPECT_EQ(allowed_methods("/api/accounts/"), "GET, HEAD");
  EXPECT_EQ(allowed_methods("/api/accounts/12/"), "GET, HEAD");
  EXPECT_EQ(allowed_methods("/api/accounts/3/register"), "POST");
  EXPECT_EQ(allowed_methods("/api/accounts/3/settings"), "GET, HEAD, PUT");
  EXPECT_EQ(allowed_methods("/metrics"), "GET, HEAD");
  EXPECT_EQ(allowed_methods("/api/calls/"), "GET, HEAD, POST");
  EXPECT_EQ(allowed_methods("/api/calls/12"), "GET, HEAD, DELETE");
  EXPECT_EQ(allowed_methods("/api/calls/12/answer"), "POST");
  for (const char* none : {"/nope", "/api/accounts/1/register/", "/api/accounts/x",
                           "/api/accounts/1234567", "/api/calls/1x", ""}) {
    EXPECT_EQ(allowed_methods(none), "") << none;
  }
}

TEST(AppApi, ATableOfRoutesOfKnownMethods) {
  for (const ApiRoute& r : api_routes()) {
    EXPECT_TRUE(r.method == "GET" || r.method == "POST" || r.method == "PUT" ||
                r.method == "DELETE")
        << r.method << " " << r.pattern;
    EXPECT_NE(r.handle, nullptr) << r.pattern;
    EXPECT_EQ(r.on_loop, r.pattern != "/") << r.pattern;  // only the page is served off the loop
  }
}

TEST(AppApi, HeadIsRoutedAsGetAndOtherMethodsGet405) {
  FakeEngine engine;
  EXPECT_EQ(route_api(engine, {"HEAD", "/metrics", ""}).status, 200);
  EXPECT_EQ(route_api(engine, {"GET", "/", ""}).content_type, "text/html; charset=utf-8");
  ApiReply patch = route_api(engine, {"PATCH", "/api/calls/4", ""});
  EXPECT_EQ(patch.status, 405);
  EXPECT_EQ(patch.allow, "GET, HEAD, DELETE");
  EXPECT_EQ(body_of(patch)["error"], "method PATCH not allowed on /api/calls/4");
  EXPECT_EQ(route_api(engine, {"GET", "/api/calls/99999999999999999999", ""}).status, 404);
}

TEST(AppApi, InvalidUtf8FromTheNetworkDoesNotThrow) {
  FakeEngine engine;
  engine.accounts_[0].last_error = "500 Bad \xff\xfe reason";
  ApiReply r = route_api(engine, {"GET", "/api/accounts", ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_NO_THROW(body_of(r));
}

TEST(AppApi, WebPageIsSelfContained) {
  const std::string& page = web_page();
  EXPECT_NE(page.find("/api/accounts"), std::string::npos);
  EXPECT_NE(page.find("2000"), std::string::npos);
  EXPECT_EQ(page.find("src=\"http"), std::string::npos);
  EXPECT_EQ(page.find("href=\"http"), std::string::npos);
  // The calls part is spliced in whole: its form, table and script, no marker left.
  EXPECT_NE(page.find("<form id=\"dial\">"), std::string::npos);
  EXPECT_NE(page.find("<tbody id=\"calls\">"), std::string::npos);
  EXPECT_NE(page.find("async function refreshCalls()"), std::string::npos);
  EXPECT_NE(page.find("#call-status"), std::string::npos);
  EXPECT_EQ(page.find("calls-html"), std::string::npos);
  EXPECT_EQ(page.find("calls-script"), std::string::npos);
  EXPECT_EQ(page.find("calls-css"), std::string::npos);
}

TEST(AppAccountJson, RoundTrip) {
  FakeEngine engine;
  std::vector<AccountStatus> back;
  std::string error;
  ASSERT_TRUE(from_json(to_json(engine.accounts()), back, error)) << error;
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].name, "Front door");
  EXPECT_EQ(back[0].next_refresh_in_s, 3240);
  EXPECT_FALSE(back[0].next_attempt_in_s);
  EXPECT_EQ(back[1].warnings, std::vector<std::string>{"binding not confirmed"});
  EXPECT_EQ(back[1].local_port, 5063);
}

TEST(AppAccountJson, RejectsWrongShapes) {
  std::vector<AccountStatus> out;
  std::string error;
  EXPECT_FALSE(from_json(Json::object(), out, error));
  EXPECT_FALSE(from_json(Json::parse("[1]"), out, error));
  EXPECT_FALSE(from_json(Json::parse(R"([{"index":"one"}])"), out, error));
  EXPECT_TRUE(from_json(Json::parse(R"([{"index":3}])"), out, error));
  EXPECT_EQ(out.at(0).index, 3);
}

TEST(AppTable, Durations) {
  EXPECT_EQ(format_duration(std::nullopt), "-");
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(59), "59s");
  EXPECT_EQ(format_duration(725), "12m05s");
  EXPECT_EQ(format_duration(7380), "2h03m");
}

TEST(AppTable, RowsShowStateNextEventAndError) {
  FakeEngine engine;
  std::string t = format_table(engine.accounts());
  EXPECT_NE(t.find("NAME"), std::string::npos);
  EXPECT_NE(t.find("refresh in 54m00s"), std::string::npos);
  EXPECT_NE(t.find("retry in 20s"), std::string::npos);
  EXPECT_NE(t.find("tls/5063"), std::string::npos);
  EXPECT_NE(t.find("403 Forbidden [warning: binding not confirmed]"), std::string::npos);
  EXPECT_NE(format_table({}).find("(no accounts)"), std::string::npos);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    out.push_back(text.substr(start, nl - start));
  }
  return out;
}

TEST(AppTable, At80ColumnsColumnsAreChosenAndTheErrorGetsItsOwnLine) {
  FakeEngine engine;
  const std::string wide = format_table(engine.accounts());
  const std::string t = format_table(engine.accounts(), {80, false});
  for (const auto& line : lines_of(t)) EXPECT_LE(line.size(), 80u) << line;
  EXPECT_GT(lines_of(wide).front().size(), 80u) << "the test needs a table wider than 80";
  EXPECT_NE(t.find("STATE"), std::string::npos);
  EXPECT_NE(t.find("NEXT"), std::string::npos);
  EXPECT_EQ(t.find("MISSES"), std::string::npos);
  // The failed account's error, not in a column, is on the line below its row.
  auto lines = lines_of(t);
  ASSERT_EQ(lines.size(), 4u) << t;
  EXPECT_NE(lines[2].find("failed"), std::string::npos);
  EXPECT_EQ(lines[3].rfind("    403 Forbidden", 0), 0u) << lines[3];
  EXPECT_EQ(format_table(engine.accounts(), {200, false}), wide);
}

TEST(AppTable, StateIsColouredAndTruncationCountsOnlyVisibleCharacters) {
  FakeEngine engine;
  const std::string t = format_table(engine.accounts(), {120, true});
  EXPECT_NE(t.find("\x1b[1;31mfailed\x1b[0m"), std::string::npos) << t;
  EXPECT_NE(t.find("\x1b[32mregistered\x1b[0m"), std::string::npos) << t;
  EXPECT_EQ(lines_of(t).front().find('\x1b'), std::string::npos) << "header not coloured";
  EXPECT_EQ(truncate_visible("ab\x1b[32mcdef\x1b[0mgh", 4), "ab\x1b[32mcd\x1b[0m");
  EXPECT_EQ(truncate_visible("abc", 10), "abc");
}

TEST(AppAddress, SplitsHostAndPort) {
  HostPort hp;
  std::string error;
  ASSERT_TRUE(split_host_port("127.0.0.1:8080", hp, error));
  EXPECT_EQ(hp.host, "127.0.0.1");
  EXPECT_EQ(hp.port, 8080);
  ASSERT_TRUE(split_host_port("[::1]:0", hp, error));
  EXPECT_EQ(hp.host, "::1");
  EXPECT_EQ(to_string(hp), "[::1]:0");
  ASSERT_TRUE(split_host_port("0.0.0.0:80", hp, error));
  EXPECT_EQ(client_address(hp).host, "127.0.0.1");
  EXPECT_FALSE(split_host_port("localhost", hp, error));
  EXPECT_FALSE(split_host_port("::1:80", hp, error));
  EXPECT_FALSE(split_host_port("a:70000", hp, error));
  EXPECT_FALSE(split_host_port("[::1]80", hp, error));
}

AccountStatus with_subscriptions() {
  AccountStatus a;
  a.index = 4;
  a.name = "Desk";
  a.aor = "sip:1004@pbx.example.com";
  a.state = "registered";
  a.mwi = MwiStatus{true, 2, 8, 1, 0};
  a.subscriptions = {
      {"message-summary", "sip:1004@pbx.example.com", "active", 3600, 3240, std::nullopt, "", 2, 0},
      {"dialog", "sip:1002@pbx.example.com", "failed", 0, std::nullopt, 21, "503 Busy", 0, 1}};
  a.blf = {{"sip:1002@pbx.example.com", "ringing", "\"Door\" <sip:1003@pbx.example.com>"},
           {"sip:1005@pbx.example.com", "unknown", ""}};
  return a;
}

TEST(AppJson, SubscriptionFieldsAsTheSpecNamesThemAndBack) {
  const AccountStatus a = with_subscriptions();
  const Json j = to_json(a);
  EXPECT_EQ(j["mwi"], Json::parse(R"({"waiting":true,"new":2,"old":8,"urgent_new":1,
                                      "urgent_old":0})"));
  ASSERT_EQ(j["subscriptions"].size(), 2u);
  const Json& s = j["subscriptions"][0];
  for (const char* key :
       {"event", "uri", "state", "granted_expires_s", "next_refresh_in_s", "last_error"}) {
    EXPECT_TRUE(s.contains(key)) << key;
  }
  EXPECT_EQ(s["event"], "message-summary");
  EXPECT_EQ(s["next_refresh_in_s"], 3240);
  EXPECT_TRUE(j["subscriptions"][1]["next_refresh_in_s"].is_null());
  EXPECT_EQ(j["blf"][0], Json::parse(R"({"uri":"sip:1002@pbx.example.com","state":"ringing",
                                         "remote":"\"Door\" <sip:1003@pbx.example.com>"})"));
  AccountStatus none;
  EXPECT_TRUE(to_json(none)["mwi"].is_null());
  EXPECT_EQ(to_json(none)["blf"], Json::array());

  std::vector<AccountStatus> back;
  std::string error;
  ASSERT_TRUE(from_json(to_json(std::vector<AccountStatus>{a, none}), back, error)) << error;
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].mwi, a.mwi);
  EXPECT_EQ(back[0].subscriptions, a.subscriptions);
  EXPECT_EQ(back[0].blf, a.blf);
  EXPECT_FALSE(back[1].mwi.has_value());
}

TEST(AppTable, MwiColumnAndBlfLamps) {
  AccountStatus plain;
  plain.index = 1;
  plain.name = "Plain";
  plain.state = "registered";
  const std::string t = format_table({with_subscriptions(), plain});
  const auto lines = lines_of(t);
  ASSERT_EQ(lines.size(), 4u) << t;
  EXPECT_NE(lines[0].find("MWI"), std::string::npos);
  EXPECT_NE(lines[1].find("2 new/8"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[2], "    blf: 1002 ringing (\"Door\" <sip:1003@pbx.example.com>) 1005 unknown");
  AccountStatus read = plain;
  read.mwi = MwiStatus{};
  EXPECT_NE(format_table({read}).find("none"), std::string::npos);
}

}  // namespace
}  // namespace sipline::app
