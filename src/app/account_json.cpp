#include "app/account_json.hpp"

#include <optional>
#include <type_traits>

namespace sipline::app {

namespace {

template <typename T>
constexpr bool kIsRecord = std::is_same_v<T, MwiStatus> || std::is_same_v<T, SubscriptionStatus> ||
                           std::is_same_v<T, BlfStatus> || std::is_same_v<T, OutboundStatus>;

// Calls f(key, field) for every field of a nested record of an account, in the JSON order of
// calls-and-subscriptions.md "Interfaces added" (const or not: one list both directions use).
template <typename R, typename F>
void visit_record(R& r, F&& f) {
  using T = std::remove_const_t<R>;
  if constexpr (std::is_same_v<T, MwiStatus>) {
    f("waiting", r.waiting);
    f("new", r.new_msgs);
    f("old", r.old_msgs);
    f("urgent_new", r.urgent_new);
    f("urgent_old", r.urgent_old);
  } else if constexpr (std::is_same_v<T, SubscriptionStatus>) {
    f("event", r.event);
    f("uri", r.uri);
    f("state", r.state);
    f("granted_expires_s", r.granted_expires_s);
    f("next_refresh_in_s", r.next_refresh_in_s);
    f("last_error", r.last_error);
    f("next_attempt_in_s", r.next_attempt_in_s);
    f("refreshes", r.refreshes);
    f("failures", r.failures);
  } else if constexpr (std::is_same_v<T, OutboundStatus>) {
    f("instance", r.instance);
    f("supported", r.supported);
    f("flow_timer_s", r.flow_timer_s);
    f("pub_gruu", r.pub_gruu);
    f("temp_gruu", r.temp_gruu);
    f("keepalive", r.keepalive);
    f("keepalive_interval_s", r.keepalive_interval_s);
    f("last_pong_age_s", r.last_pong_age_s);
    f("flow_failures", r.flow_failures);
  } else {
    static_assert(std::is_same_v<T, BlfStatus>);
    f("uri", r.uri);
    f("state", r.state);
    f("remote", r.remote);
  }
}

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
  f("server_target", a.server_target);
  f("server_target_reason", a.server_target_reason);
  f("server_target_rank", a.server_target_rank);
  f("failovers", a.failovers);
  f("outbound", a.outbound);
  f("mwi", a.mwi);
  f("subscriptions", a.subscriptions);
  f("blf", a.blf);
}

template <typename T>
Json value_json(const T& v);

template <typename T>
Json value_json(const std::optional<T>& v) {
  return v ? value_json(*v) : Json(nullptr);
}

template <typename T>
Json value_json(const std::vector<T>& v) {
  Json arr = Json::array();
  for (const auto& e : v) arr.push_back(value_json(e));
  return arr;
}

template <typename T>
Json value_json(const T& v) {
  if constexpr (kIsRecord<T>) {
    Json j = Json::object();
    visit_record(v, [&j](const char* key, const auto& field) { j[key] = value_json(field); });
    return j;
  } else {
    return Json(v);
  }
}

template <typename T>
void read_value(const Json& j, T& out);

template <typename T>
void read_value(const Json& j, std::optional<T>& out) {
  out.emplace();
  read_value(j, *out);
}

template <typename T>
void read_value(const Json& j, std::vector<T>& out) {
  out.clear();
  for (const auto& e : j) read_value(e, out.emplace_back());
}

// A missing or null field leaves `out` as it is.
template <typename T>
void read_field(const Json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) read_value(*it, out);
}

template <typename T>
void read_value(const Json& j, T& out) {
  if constexpr (kIsRecord<T>) {
    visit_record(out, [&j](const char* key, auto& field) { read_field(j, key, field); });
  } else {
    out = j.get<T>();
  }
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
