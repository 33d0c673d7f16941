#include "app/account_json.hpp"

#include <optional>

namespace sipline::app {

namespace {

// Calls f(key, field) for every field of AccountStatus, in the JSON order: interfaces.md's
// fields first, then the extras. The one list both directions use.
template <typename Status, typename F>
void for_each_field(Status& a, F&& f) {
  f("index", a.index);
  f("name", a.name);
  f("aor", a.aor);
  f("state", a.state);
  f("granted_expires_s", a.granted_expires_s);
  f("next_refresh_in_s", a.next_refresh_in_s);
  f("last_status_code", a.last_status_code);
  f("last_error", a.last_error);
  f("keepalive_misses", a.keepalive_misses);
  f("transport", a.transport);
  f("local_port", a.local_port);
  // Extras beyond interfaces.md.
  f("failure_class", a.failure_class);
  f("next_attempt_in_s", a.next_attempt_in_s);
  f("contact", a.contact);
  f("unregister_outcome", a.unregister_outcome);
  f("warnings", a.warnings);
  f("registrations_ok", a.registrations_ok);
  f("registration_failures", a.registration_failures);
  f("keepalive_misses_total", a.keepalive_misses_total);
  f("transactions", a.transactions);
  f("retransmissions", a.retransmissions);
  f("last_refresh_latency_s", a.last_refresh_latency_s);
}

template <typename T>
Json value_json(const T& v) {
  return Json(v);
}

template <typename T>
Json value_json(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

// The type a field is read as: T, or T for std::optional<T>.
template <typename T>
struct Stored {
  using type = T;
};
template <typename T>
struct Stored<std::optional<T>> {
  using type = T;
};

// A missing or null field leaves `out` as it is.
template <typename T>
void read_field(const Json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) out = it->get<typename Stored<T>::type>();
}

AccountStatus account_from_json(const Json& j) {
  AccountStatus a;
  for_each_field(a, [&j](const char* key, auto& field) { read_field(j, key, field); });
  return a;
}

}  // namespace

Json to_json(const AccountStatus& a) {
  Json j = Json::object();
  for_each_field(a, [&j](const char* key, const auto& field) { j[key] = value_json(field); });
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
