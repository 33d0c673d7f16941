// The daemon's HTTP routes as a table of pure functions of the engine: no sockets, so tests call
// them with a fake Engine. The HTTP side registers each row with cpp-httplib's router and runs
// the handler on the engine's loop (posted there; the HTTP thread waits for the reply).
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sipline/engine.hpp"

namespace sipline::app {

struct ApiRequest {
  std::string method;  // "GET", "POST", "PUT" ... (HEAD is routed as GET)
  std::string path;    // without the query string
  std::string body;
  std::vector<std::pair<std::string, std::string>> params;  // the query string's
  std::vector<std::string> captures;  // the route pattern's groups (e.g. the account index)
};

struct ApiReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;                                         // the Allow header of a 405
  std::vector<std::pair<std::string, std::string>> headers;  // more (X-Total-Count, Link)
};

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4";

// One route: a method (GET also answers HEAD) and an ECMAScript pattern over the whole path,
// as cpp-httplib matches it. `on_loop` is false only for the page, which touches no engine.
struct ApiRoute {
  std::string method;
  std::string pattern;
  ApiReply (*handle)(Engine&, const ApiRequest&);
  bool on_loop = true;
};

// Routes of interfaces.md:
//   GET  /                           200 the web page (web_page())
//   GET  /api/accounts               200 JSON array (see account_json.hpp); ?state=a,b&name=
//                                    &offset=N&limit=N select a page (X-Total-Count: accounts
//                                    matching, Link: the next page); 400 {"error","parameter",
//                                    "value","allowed"} for a bad parameter
//   GET  /api/accounts/summary       200 {"total":N,"states":{state: count}}
//   GET  /api/accounts/N             200 object, 404 when there is no account N
//   POST /api/accounts/N/register    202 {"index":N,"reregistering":true}, 404 when none
//   GET  /api/accounts/N/settings    200 {"index":N,"settings":{key: value}} (password: set/unset)
//   PUT  /api/accounts/N/settings    200 as GET after the change; 400 {"error","problems":[{key,
//                                    value,allowed,message}]}: nothing changed; 404, 409
//   GET  /api/calls                  200 array of call objects (call_json.hpp), active first
//   POST /api/calls                  201 call object; 400, 404 no account, 409 max_calls
//   GET  /api/calls/ID               200 call object, 404
//   POST /api/calls/ID/answer        200 call object, 404, 409 not ringing
//   DELETE /api/calls/ID[?decline=1] 200 call object (486/603, CANCEL or BYE), 404, 409
//   GET  /metrics                    200 Prometheus text
// Unknown paths give 404, a known path with another method 405 with Allow; errors are
// {"error": "..."}.
const std::vector<ApiRoute>& api_routes();

// The Allow header for a path: its routes' methods, HEAD after GET ("GET, HEAD, PUT"); "" when
// no route has this path.
std::string allowed_methods(std::string_view path);

// The reply for a path no route of this method matched: 405 with Allow, or 404.
ApiReply no_route(const ApiRequest& request);

// The table applied to one request as the HTTP side's router does (fills request.captures):
// for tests and tools that have no socket.
ApiReply route_api(Engine& engine, ApiRequest request);

// The query string of GET /api/accounts for `query` ("state=failed&offset=100&limit=100"; ""
// for every account), as the Link of the next page and `sipline status` write it.
std::string account_query_string(const AccountQuery& query);

// The self-contained web page of GET / (no external assets).
const std::string& web_page();

}  // namespace sipline::app
