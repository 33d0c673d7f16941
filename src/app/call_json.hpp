// CallStatus <-> JSON: the one place that names the fields of GET /api/calls
// (calls-and-subscriptions.md "Interfaces added"), shared by the API and `sipline calls`.
#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "app/account_json.hpp"
#include "sipline/engine.hpp"

namespace sipline::app {

// "2026-12-06T01:02:03.456Z" (RFC 3339, UTC, milliseconds).
std::string rfc3339(std::chrono::system_clock::time_point t);

Json to_json(const CallStatus& c);
Json to_json(const std::vector<CallStatus>& calls);

}  // namespace sipline::app
