// AccountStatus <-> JSON: the one place that names the fields of GET /api/accounts, shared by
// the HTTP side (to_json) and `sipline status` (from_json).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sipline/engine.hpp"

namespace sipline::app {

using Json = nlohmann::ordered_json;

// The fields of interfaces.md first (index, name, aor, state, granted_expires_s,
// next_refresh_in_s, last_status_code, last_error, keepalive_misses, transport, local_port),
// then the extras of AccountStatus. Absent optionals are null. Never contains a password.
Json to_json(const AccountStatus& a);
Json to_json(const std::vector<AccountStatus>& accounts);

// The reverse, tolerant of missing fields (older/newer daemons); false and `error` when `j` is
// not an array of objects or a field has the wrong type.
bool from_json(const Json& j, std::vector<AccountStatus>& out, std::string& error);

}  // namespace sipline::app
