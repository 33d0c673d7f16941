// The daemon's HTTP routes as a pure function of the engine: no sockets, so tests call it with
// a fake Engine. It runs on the engine's loop (the HTTP thread posts it there and waits).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "sipline/engine.hpp"

namespace sipline::app {

struct ApiRequest {
  std::string method;  // "GET", "POST", "PUT" ...
  std::string path;    // without the query string
  std::string body;
  std::vector<std::pair<std::string, std::string>> params;  // the query string's
};

struct ApiReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;  // the Allow header of a 405
};

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4";

// Routes of interfaces.md except GET / (the page, served by the HTTP thread itself):
//   GET  /api/accounts               200 JSON array (see account_json.hpp)
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
// Unknown paths give 404, a known path with another method 405; errors are {"error": "..."}.
ApiReply route_api(Engine& engine, const ApiRequest& request);

// The self-contained web page of GET / (no external assets).
const std::string& web_page();

}  // namespace sipline::app
