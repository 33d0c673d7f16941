// decide_access(): the HTTP side's access rules as a table.
#include <gtest/gtest.h>

#include "app/http_access.hpp"

namespace sipline::app {
namespace {

using V = AccessVerdict;

struct Row {
  const char* what;
  AccessRequest request;
  V with_token;     // policy: token "tok", metrics public, host name "door.example"
  V without_token;  // policy: no token (loopback daemon with http_token_file = "")
};

const char* kHost = "127.0.0.1:8080";

const Row kRows[] = {
    {"page", {"GET", "/", kHost, "", "", "", ""}, V::allow, V::allow},
    {"list, no token", {"GET", "/api/accounts", kHost, "", "", "", ""}, V::unauthorized, V::allow},
    {"list, token", {"GET", "/api/accounts", kHost, "", "", "Bearer tok", ""}, V::allow, V::allow},
    {"list, lower-case scheme",
     {"GET", "/api/accounts", kHost, "", "", "bearer tok", ""},
     V::allow,
     V::allow},
    {"list, wrong token",
     {"GET", "/api/accounts", kHost, "", "", "Bearer tok2", ""},
     V::unauthorized,
     V::allow},
    {"list, basic auth",
     {"GET", "/api/accounts", kHost, "", "", "Basic dG9r", ""},
     V::unauthorized,
     V::allow},
    {"metrics", {"GET", "/metrics", kHost, "", "", "", ""}, V::allow, V::allow},
    {"HEAD metrics", {"HEAD", "/metrics", kHost, "", "", "", ""}, V::allow, V::allow},
    {"POST json, no token",
     {"POST", "/api/accounts/1/register", kHost, "", "", "", "application/json"},
     V::unauthorized,
     V::allow},
    {"POST json charset",
     {"POST", "/api/accounts/1/register", kHost, "", "", "", "application/json; charset=utf-8"},
     V::unauthorized,
     V::allow},
    {"POST no-cors text/plain",
     {"POST", "/api/accounts/1/register", kHost, "", "", "", "text/plain"},
     V::not_json,
     V::not_json},
    {"POST no type, token",
     {"POST", "/api/accounts/1/register", kHost, "", "", "Bearer tok", ""},
     V::allow,
     V::allow},
    {"POST to the page",
     {"POST", "/", kHost, "", "", "", "application/json"},
     V::unauthorized,
     V::allow},
    {"foreign Origin",
     {"GET", "/api/accounts", kHost, "http://evil.example", "", "Bearer tok", ""},
     V::cross_site,
     V::cross_site},
    {"Origin null",
     {"GET", "/api/accounts", kHost, "null", "", "Bearer tok", ""},
     V::cross_site,
     V::cross_site},
    {"same Origin",
     {"GET", "/api/accounts", kHost, "http://127.0.0.1:8080", "", "Bearer tok", ""},
     V::allow,
     V::allow},
    {"same Origin, other port",
     {"GET", "/api/accounts", kHost, "http://127.0.0.1:9999", "", "Bearer tok", ""},
     V::cross_site,
     V::cross_site},
    {"Sec-Fetch-Site cross-site",
     {"GET", "/metrics", kHost, "", "cross-site", "", ""},
     V::cross_site,
     V::cross_site},
    {"Sec-Fetch-Site same-origin",
     {"GET", "/metrics", kHost, "", "same-origin", "", ""},
     V::allow,
     V::allow},
    {"rebinding Host",
     {"GET", "/api/accounts", "evil.example:8080", "", "", "Bearer tok", ""},
     V::misdirected,
     V::misdirected},
    {"configured Host",
     {"GET", "/api/accounts", "Door.Example:8080", "", "", "Bearer tok", ""},
     V::allow,
     V::allow},
    {"localhost Host", {"GET", "/", "localhost:8080", "", "", "", ""}, V::allow, V::allow},
    {"IPv6 Host", {"GET", "/", "[::1]:8080", "", "", "", ""}, V::allow, V::allow},
    {"no Host (HTTP/1.0)", {"GET", "/metrics", "", "", "", "", ""}, V::allow, V::allow},
};

TEST(HttpAccess, DecisionTable) {
  AccessPolicy with{"tok", true, {"door.example"}};
  AccessPolicy without{"", true, {"door.example"}};
  for (const Row& row : kRows) {
    EXPECT_EQ(decide_access(with, row.request), row.with_token) << row.what;
    EXPECT_EQ(decide_access(without, row.request), row.without_token) << row.what;
  }
}

TEST(HttpAccess, PrivateMetricsNeedTheToken) {
  AccessPolicy p{"tok", false, {}};
  EXPECT_EQ(decide_access(p, {"GET", "/metrics", kHost, "", "", "", ""}), V::unauthorized);
  EXPECT_EQ(decide_access(p, {"GET", "/metrics", kHost, "", "", "Bearer tok", ""}), V::allow);
}

TEST(HttpAccess, StatusesAndHostPorts) {
  EXPECT_EQ(status_of(V::misdirected), 421);
  EXPECT_EQ(status_of(V::cross_site), 403);
  EXPECT_EQ(status_of(V::not_json), 403);
  EXPECT_EQ(status_of(V::unauthorized), 401);
  EXPECT_EQ(host_without_port("a.example:80"), "a.example");
  EXPECT_EQ(host_without_port("[::1]:80"), "::1");
  EXPECT_EQ(host_without_port("::1"), "::1");
  EXPECT_EQ(host_without_port("a.example"), "a.example");
}

}  // namespace
}  // namespace sipline::app
