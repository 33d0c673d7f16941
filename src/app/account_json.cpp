#include "app/account_json.hpp"

namespace sipline::app {

namespace {

Json optional_json(const std::optional<std::int64_t>& v) {
  return v ? Json(*v) : Json(nullptr);
}

template <typename T>
void read_field(const Json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) out = it->get<T>();
}

void read_optional(const Json& j, const char* key, std::optional<std::int64_t>& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) out = it->get<std::int64_t>();
}

AccountStatus account_from_json(const Json& j) {
  AccountStatus a;
  read_field(j, "index", a.index);
  read_field(j, "name", a.name);
  read_field(j, "aor", a.aor);
  read_field(j, "state", a.state);
  read_field(j, "granted_expires_s", a.granted_expires_s);
  read_optional(j, "next_refresh_in_s", a.next_refresh_in_s);
  read_field(j, "last_status_code", a.last_status_code);
  read_field(j, "last_error", a.last_error);
  read_field(j, "keepalive_misses", a.keepalive_misses);
  read_field(j, "transport", a.transport);
  read_field(j, "local_port", a.local_port);
  read_field(j, "failure_class", a.failure_class);
  read_optional(j, "next_attempt_in_s", a.next_attempt_in_s);
  read_field(j, "contact", a.contact);
  read_field(j, "unregister_outcome", a.unregister_outcome);
  read_field(j, "warnings", a.warnings);
  read_field(j, "registrations_ok", a.registrations_ok);
  read_field(j, "registration_failures", a.registration_failures);
  read_field(j, "keepalive_misses_total", a.keepalive_misses_total);
  read_field(j, "transactions", a.transactions);
  read_field(j, "retransmissions", a.retransmissions);
  read_field(j, "last_refresh_latency_s", a.last_refresh_latency_s);
  return a;
}

}  // namespace

Json to_json(const AccountStatus& a) {
  Json j = Json::object();
  j["index"] = a.index;
  j["name"] = a.name;
  j["aor"] = a.aor;
  j["state"] = a.state;
  j["granted_expires_s"] = a.granted_expires_s;
  j["next_refresh_in_s"] = optional_json(a.next_refresh_in_s);
  j["last_status_code"] = a.last_status_code;
  j["last_error"] = a.last_error;
  j["keepalive_misses"] = a.keepalive_misses;
  j["transport"] = a.transport;
  j["local_port"] = a.local_port;
  // Extras beyond interfaces.md.
  j["failure_class"] = a.failure_class;
  j["next_attempt_in_s"] = optional_json(a.next_attempt_in_s);
  j["contact"] = a.contact;
  j["unregister_outcome"] = a.unregister_outcome;
  j["warnings"] = a.warnings;
  j["registrations_ok"] = a.registrations_ok;
  j["registration_failures"] = a.registration_failures;
  j["keepalive_misses_total"] = a.keepalive_misses_total;
  j["transactions"] = a.transactions;
  j["retransmissions"] = a.retransmissions;
  j["last_refresh_latency_s"] = a.last_refresh_latency_s;
  return j;
}

Json to_json(const std::vector<AccountStatus>& accounts) {
  Json arr = Json::array();
  for (const auto& a : accounts) arr.push_back(to_json(a));
  return arr;
}

bool from_json(const Json& j, std::vector<AccountStatus>& out, std::string& error) {
  if (!j.is_array()) {
    error = "expected a JSON array of accounts";
    return false;
  }
  std::vector<AccountStatus> result;
  for (const auto& item : j) {
    if (!item.is_object()) {
      error = "expected an object for each account";
      return false;
    }
    try {
      result.push_back(account_from_json(item));
    } catch (const Json::exception& e) {
      error = std::string("bad account field: ") + e.what();
      return false;
    }
  }
  out = std::move(result);
  return true;
}

}  // namespace sipline::app
