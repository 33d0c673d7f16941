// GET /api/accounts with paging and filters, and GET /api/accounts/summary, against a fake
// engine of 250 accounts (the engine's default account_page: the same filter the real one uses).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "app/account_json.hpp"
#include "app/account_table.hpp"
#include "app/api.hpp"
#include "unit/app_fake_engine.hpp"

namespace sipline::app {
namespace {

// Accounts 1..250: every 50th failed, every 7th (not failed) registering, 241.. disabled, the
// rest registered; named "Phone 00001" ..., account 100 "Front door".
class FleetEngine : public testing::FakeEngine {
 public:
  FleetEngine() {
    accounts_.clear();
    for (int i = 1; i <= 250; ++i) {
      AccountStatus a;
      a.index = i;
      a.name = i == 100
                   ? "Front door"
                   : "Phone " + std::string(5 - std::to_string(i).size(), '0') + std::to_string(i);
      a.state = i > 240       ? "disabled"
                : i % 50 == 0 ? "failed"
                : i % 7 == 0  ? "registering"
                              : "registered";
      accounts_.push_back(a);
    }
  }
  AccountPage account_page(const AccountQuery& query) const override {
    last_query = query;
    return Engine::account_page(query);
  }
  mutable std::optional<AccountQuery> last_query;
};

ApiRequest get(std::string path, std::vector<std::pair<std::string, std::string>> params = {}) {
  return ApiRequest{"GET", std::move(path), "", std::move(params), {}};
}

std::string header(const ApiReply& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<none>";
}

std::vector<int> indexes(const ApiReply& r) {
  std::vector<int> out;
  for (const auto& a : Json::parse(r.body)) out.push_back(a["index"].get<int>());
  return out;
}

TEST(AppPaging, WithoutParametersEveryAccountAsBefore) {
  FleetEngine engine;
  ApiReply r = route_api(engine, get("/api/accounts"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(indexes(r).size(), 250u);
  EXPECT_EQ(header(r, "X-Total-Count"), "250");
  EXPECT_EQ(header(r, "Link"), "<none>");  // no limit: one page, nothing next
}

TEST(AppPaging, StateFilterReturnsExactlyThoseAccounts) {
  FleetEngine engine;
  ApiReply r = route_api(engine, get("/api/accounts", {{"state", "failed"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(indexes(r), (std::vector<int>{50, 100, 150, 200}));
  EXPECT_EQ(header(r, "X-Total-Count"), "4");
  for (const auto& a : Json::parse(r.body)) EXPECT_EQ(a["state"], "failed");
  // Several states, comma-separated or repeated.
  ApiReply two = route_api(engine, get("/api/accounts", {{"state", "failed,disabled"}}));
  EXPECT_EQ(header(two, "X-Total-Count"), "14");
  ApiReply repeated =
      route_api(engine, get("/api/accounts", {{"state", "failed"}, {"state", "disabled"}}));
  EXPECT_EQ(indexes(repeated), indexes(two));
}

TEST(AppPaging, NameIsASubstringInAnyCase) {
  FleetEngine engine;
  EXPECT_EQ(indexes(route_api(engine, get("/api/accounts", {{"name", "DOOR"}}))),
            (std::vector<int>{100}));
  ApiReply r = route_api(engine, get("/api/accounts", {{"name", "phone 0001"}, {"limit", "3"}}));
  EXPECT_EQ(indexes(r), (std::vector<int>{10, 11, 12}));
  EXPECT_EQ(header(r, "X-Total-Count"), "10");
  EXPECT_EQ(header(r, "Link"), "</api/accounts?name=phone%200001&offset=3&limit=3>; rel=\"next\"");
}

TEST(AppPaging, LimitAndOffsetWalkThePagesWithLinks) {
  FleetEngine engine;
  ApiReply first = route_api(engine, get("/api/accounts", {{"limit", "100"}}));
  ASSERT_EQ(indexes(first).size(), 100u);
  EXPECT_EQ(indexes(first).front(), 1);
  EXPECT_EQ(header(first, "X-Total-Count"), "250");
  EXPECT_EQ(header(first, "Link"), "</api/accounts?offset=100&limit=100>; rel=\"next\"");
  ApiReply last = route_api(engine, get("/api/accounts", {{"offset", "200"}, {"limit", "100"}}));
  EXPECT_EQ(indexes(last).size(), 50u);
  EXPECT_EQ(indexes(last).front(), 201);
  EXPECT_EQ(header(last, "Link"), "<none>");
  // Filters and paging together: the offset counts matching accounts.
  ApiReply reg = route_api(
      engine, get("/api/accounts", {{"state", "registering"}, {"offset", "2"}, {"limit", "2"}}));
  EXPECT_EQ(indexes(reg), (std::vector<int>{21, 28}));
  EXPECT_EQ(header(reg, "Link"),
            "</api/accounts?state=registering&offset=4&limit=2>; rel=\"next\"");
}

TEST(AppPaging, EdgesOffsetPastTheEndLimitZeroHugeLimit) {
  FleetEngine engine;
  ApiReply past = route_api(engine, get("/api/accounts", {{"offset", "250"}}));
  EXPECT_EQ(past.status, 200);
  EXPECT_EQ(past.body, "[]");
  EXPECT_EQ(header(past, "X-Total-Count"), "250");
  ApiReply far = route_api(engine, get("/api/accounts", {{"offset", "99999999999999999999999"}}));
  EXPECT_EQ(far.status, 200);
  EXPECT_EQ(far.body, "[]");
  ApiReply zero = route_api(engine, get("/api/accounts", {{"state", "failed"}, {"limit", "0"}}));
  EXPECT_EQ(zero.status, 200);
  EXPECT_EQ(zero.body, "[]");
  EXPECT_EQ(header(zero, "X-Total-Count"), "4");
  EXPECT_EQ(header(zero, "Link"), "<none>");
  ApiReply huge = route_api(engine, get("/api/accounts", {{"limit", "99999999999999999999999"}}));
  EXPECT_EQ(huge.status, 200);
  EXPECT_EQ(indexes(huge).size(), 250u);
  ASSERT_TRUE(engine.last_query && engine.last_query->limit);
  EXPECT_EQ(*engine.last_query->limit, 10000u);  // capped
  route_api(engine, get("/api/accounts", {{"limit", "10001"}}));
  EXPECT_EQ(*engine.last_query->limit, 10000u);
  route_api(engine, get("/api/accounts", {{"limit", "10000"}}));
  EXPECT_EQ(*engine.last_query->limit, 10000u);
}

TEST(AppPaging, BadParametersAre400NamingParameterValueAndRange) {
  FleetEngine engine;
  struct Case {
    std::string key, value, allowed_part;
  };
  const Case cases[] = {
      {"state", "broken", "registered"}, {"state", "failed,", "registered"},
      {"state", "", "failed"},           {"state", "Failed", "failed"},
      {"limit", "-1", "0 or more"},      {"limit", "ten", "10000"},
      {"limit", "", "0 or more"},        {"offset", "1.5", "0 or more"},
      {"offset", "+3", "0 or more"},     {"states", "failed", "state, name, offset, limit"},
  };
  for (const auto& c : cases) {
    ApiReply r = route_api(engine, get("/api/accounts", {{c.key, c.value}}));
    EXPECT_EQ(r.status, 400) << c.key << "=" << c.value;
    Json j = Json::parse(r.body);
    EXPECT_EQ(j["parameter"], c.key);
    EXPECT_EQ(j["value"], c.value);
    EXPECT_NE(j["allowed"].get<std::string>().find(c.allowed_part), std::string::npos) << j.dump();
    EXPECT_NE(j["error"].get<std::string>().find(c.key), std::string::npos) << j.dump();
  }
}

TEST(AppPaging, SummaryCountsEveryAccountByState) {
  FleetEngine engine;
  ApiReply r = route_api(engine, get("/api/accounts/summary"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body), Json::parse(R"({"total":250,"states":{"disabled":10,
      "unregistering":0,"registering":34,"registered":202,"refreshing":0,"failed":4}})"));
  EXPECT_EQ(allowed_methods("/api/accounts/summary"), "GET, HEAD");
  EXPECT_EQ(format_summary(250, {{"disabled", 10}, {"registering", 0}, {"failed", 4}}),
            "250 accounts: 10 disabled, 4 failed");
  EXPECT_EQ(format_summary(1, {{"failed", 0}}), "1 account");
}

TEST(AppPaging, QueryStringOfTheCli) {
  EXPECT_EQ(account_query_string({}), "");
  AccountQuery q;
  q.states = {"failed", "registering"};
  q.name = "a&b c";
  q.offset = 5;
  q.limit = 0;
  EXPECT_EQ(account_query_string(q), "state=failed,registering&name=a%26b%20c&offset=5&limit=0");
}

}  // namespace
}  // namespace sipline::app
