#include "config/validate.hpp"

#include <map>
#include <set>

#include "config/fields.hpp"
#include "config/host_port.hpp"
#include "config/schema.hpp"
#include "config/value_check.hpp"

namespace sipline::config {
namespace {

using detail::Field;

std::vector<KeyInfo> infos_of(auto fields) {
  std::vector<KeyInfo> v;
  for (const auto& f : fields) v.push_back(f.info);
  return v;
}

// Applies every valid setting to `cfg`; returns the keys that were present (valid or not).
template <class Cfg>
std::set<std::string> apply_settings(Cfg& cfg, std::span<const Field<Cfg>> fields,
                                     const SettingList& list, const SettingsSource& src,
                                     Diagnostics& out) {
  std::set<std::string> present;
  for (const Setting& s : list) {
    present.insert(s.key);
    const Field<Cfg>* f = detail::find_field(fields, s.key);
    if (!f) {
      const std::string hint = suggest_key(s.key, infos_of(fields));
      Problem p = detail::problem_at(src, s, nullptr, ProblemCode::unknown_key,
                                     "unknown key \"" + s.key + "\"" +
                                         (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
      if (s.key_pos.line) p.line = s.key_pos.line, p.column = s.key_pos.column;
      out.errors.push_back(std::move(p));
      continue;
    }
    if (auto v = detail::check_value(f->info, s, src, out)) f->apply(cfg, *v);
  }
  return present;
}

template <class Cfg>
void check_required(const Cfg& cfg, std::span<const Field<Cfg>> fields,
                    const std::set<std::string>& present, const SettingsSource& src,
                    Diagnostics& out) {
  for (const auto& f : fields) {
    if (!f.info.required || present.count(std::string(f.info.key))) continue;
    if (!f.show(cfg, f.info).empty()) continue;  // set by the base (HTTP update)
    Problem p;
    p.code = ProblemCode::missing;
    p.file = src.file;
    p.line = src.table_pos.line;
    p.column = src.table_pos.column;
    p.key = detail::full_key(src, f.info.key);
    p.allowed = f.info.allowed();
    p.message = "required key missing";
    out.errors.push_back(std::move(p));
  }
}

const Setting* find_setting(const SettingList& list, std::string_view key) {
  for (const auto& s : list) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

// A problem about `key` of this table: at its setting when written, else at the table.
Problem problem_for(const SettingList& list, const SettingsSource& src, std::string_view key,
                    ProblemCode code, std::string value, std::string message) {
  Problem p;
  if (const Setting* s = find_setting(list, key)) {
    p = detail::problem_at(src, *s, find_key(account_keys(), key), code, std::move(message));
  } else {
    p.code = code;
    p.file = src.file;
    p.line = src.table_pos.line;
    p.column = src.table_pos.column;
    p.key = detail::full_key(src, key);
    p.value = std::move(value);
    p.message = std::move(message);
  }
  return p;
}

void check_account_ports(const AccountConfig& a, const SettingList& list, const SettingsSource& src,
                         Diagnostics& out) {
  // local_sip_port 0 (the default 5060 + 2*(N-1) passed 65535) is fine on a shared socket,
  // which [daemon] may name after this table: check_port_clashes judges it.
  if (a.may_use_tls() && !a.local_tls_port && a.local_sip_port == 65535) {
    out.errors.push_back(problem_for(list, src, "local_tls_port", ProblemCode::range, "65536",
                                     "default local_sip_port + 1 is out of range 5..65535; "
                                     "set local_tls_port"));
  }
}

// A bind address of one family cannot reach a next hop given as an IP literal of the other.
void check_bind_family(const AccountConfig& a, const SettingList& list, const SettingsSource& src,
                       Diagnostics& out) {
  if (a.bind_address.empty()) return;
  const bool bind_v6 = a.bind_address.str().find(':') != std::string::npos;
  const HostPort& hop = a.outbound_proxy.empty() ? a.sip_server : a.outbound_proxy;
  const bool hop_v6 = hop.is_ipv6();
  const bool hop_v4 = !hop_v6 && !hop.host.empty() &&
                      hop.host.str().find_first_not_of("0123456789.") == std::string::npos;
  if ((bind_v6 && hop_v4) || (!bind_v6 && hop_v6)) {
    out.errors.push_back(problem_for(
        list, src, "bind_address", ProblemCode::conflict, "\"" + a.bind_address + "\"",
        std::string("an IPv") + (bind_v6 ? "6" : "4") + " bind address cannot reach " +
            (a.outbound_proxy.empty() ? "sip_server " : "outbound_proxy ") + hop.to_string()));
  }
}

void warn_account(const AccountConfig& a, const SettingList& list, const SettingsSource& src,
                  Diagnostics& out) {
  const auto asked = std::chrono::duration_cast<std::chrono::seconds>(a.register_expiration_min);
  const auto r = a.reregister_before_expiration_s;
  if (r.count() > 0 && r >= asked) {
    Problem p =
        problem_for(list, src, "reregister_before_expiration_s", ProblemCode::warning,
                    std::to_string(r.count()),
                    "not below register_expiration_min * 60 = " + std::to_string(asked.count()) +
                        " s: refresh falls back to automatic timing");
    out.warnings.push_back(std::move(p));
  }
  if (a.unregister_before_new_registration == UnregisterMode::all) {
    out.warnings.push_back(problem_for(list, src, "unregister_before_new_registration",
                                       ProblemCode::warning, "\"all\"",
                                       "\"all\" also removes the bindings of other devices "
                                       "registered for the same AOR"));
  }
}

}  // namespace

AccountConfig validate_account(const SettingList& settings, const SettingsSource& src,
                               const AccountConfig& base, Diagnostics& out) {
  AccountConfig a = base;
  const std::size_t errors_before = out.errors.size();
  const auto present = apply_settings(a, detail::account_fields(), settings, src, out);
  check_required(a, detail::account_fields(), present, src, out);
  if (present.count("password") && present.count("password_file")) {
    out.errors.push_back(problem_for(settings, src, "password_file", ProblemCode::conflict, "",
                                     "give password or password_file, not both"));
  }
  check_account_ports(a, settings, src, out);
  check_bind_family(a, settings, src, out);
  if (out.errors.size() == errors_before) warn_account(a, settings, src, out);
  return a;
}

DaemonConfig validate_daemon(const SettingList& settings, const SettingsSource& src,
                             Diagnostics& out) {
  DaemonConfig d;
  const std::size_t errors_before = out.errors.size();
  apply_settings(d, detail::daemon_fields(), settings, src, out);
  if (out.errors.size() == errors_before && d.rtp_port_max < d.rtp_port_min + 1) {
    Problem p = problem_for(settings, src, "rtp_port_max", ProblemCode::conflict,
                            std::to_string(d.rtp_port_max),
                            "must leave room for one RTP/RTCP pair above rtp_port_min = " +
                                std::to_string(d.rtp_port_min));
    p.allowed = std::to_string(d.rtp_port_min + 1) + "..65535";
    out.errors.push_back(std::move(p));
  }
  if (!d.tls_key_file.empty() && d.tls_cert_file.empty()) {
    out.errors.push_back(problem_for(settings, src, "tls_key_file", ProblemCode::conflict, "",
                                     "needs tls_cert_file (the certificate of this key)"));
  }
  if (!d.http_tls_key_file.empty() && d.http_tls_cert_file.empty()) {
    out.errors.push_back(problem_for(settings, src, "http_tls_key_file", ProblemCode::conflict, "",
                                     "needs http_tls_cert_file (the certificate of this key)"));
  }
  if (d.http_token_file.empty() && !d.http_listen.empty() && !is_loopback(d.http_listen.host)) {
    out.errors.push_back(problem_for(settings, src, "http_token_file", ProblemCode::conflict, "",
                                     "http_listen " + d.http_listen.to_string() +
                                         " is not loopback: the HTTP side needs a token"));
  }
  return d;
}

SipTimerConfig validate_timers(const SettingList& settings, const SettingsSource& src,
                               Diagnostics& out) {
  SipTimerConfig t;
  const std::size_t errors_before = out.errors.size();
  apply_settings(t, detail::timer_fields(), settings, src, out);
  if (out.errors.size() == errors_before && t.t2 < t.t1) {
    Problem p =
        problem_for(settings, src, "t2_ms", ProblemCode::conflict, std::to_string(t.t2.count()),
                    "must not be below t1_ms = " + std::to_string(t.t1.count()));
    p.allowed = std::to_string(t.t1.count()) + "..600000";
    out.errors.push_back(std::move(p));
  }
  return t;
}

}  // namespace sipline::config
