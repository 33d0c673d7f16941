// Checks and listings over whole accounts: port clashes, the settings listing.
#include <map>
#include <utility>
#include <vector>

#include "config/fields.hpp"
#include "config/validate.hpp"

namespace sipline::config {
namespace {

AccountOrigin origin_of(std::span<const AccountOrigin> origins, std::size_t i) {
  if (i < origins.size()) return origins[i];
  return AccountOrigin{"", "account[" + std::to_string(i + 1) + "]", {}, true};
}

std::string describe(const AccountOrigin& o, const AccountConfig& a, bool with_transport) {
  std::string s = o.prefix + " (\"" + a.name + "\"";
  if (with_transport) s += ", " + std::string(to_string(a.transport));
  return s + ")";
}

std::string toml_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Accounts needing a socket of their own whose default port 5060 + 2*(N-1) passed 65535.
struct Portless {
  std::size_t first = 0;  // 1-based; 0: none
  std::size_t count = 0;
};

// One problem for all of them (a fleet of 50,000 would otherwise give 20,000 lines), at the
// first one, with the two ways out.
Problem portless_problem(std::span<const AccountConfig> accounts,
                         std::span<const AccountOrigin> origins, const Portless& portless,
                         bool shared_set) {
  const std::size_t i = portless.first - 1;
  const AccountOrigin o = origin_of(origins, i);
  Problem p;
  p.code = ProblemCode::range;
  p.file = o.file;
  p.line = o.pos.line;
  p.column = o.pos.column;
  p.key = o.prefix + ".local_sip_port";
  p.value = std::to_string(5060 + 2 * i);
  p.allowed = "5..65535";
  p.message =
      "default 5060 + 2*(N-1) is out of range 5..65535 for " + describe(o, accounts[i], false);
  if (portless.count > 1) {
    p.message += " and " + std::to_string(portless.count - 1) + " more accounts";
  }
  p.message +=
      ": each needs a port of its own; set local_sip_port (a [[fleet]] with port_step = 1 packs "
      "twice as many), or [daemon] shared_port (e.g. \"udp:5060\") so that accounts pinning no "
      "port share one socket";
  const AccountConfig& a = accounts[i];
  if (shared_set && !a.bind_address.empty()) {
    p.message +=
        " (shared_port is set, but an account with bind_address = " + toml_quote(a.bind_address) +
        " binds a socket of its own: remove bind_address)";
  } else if (shared_set) {
    p.message += " (shared_port is set, but not for " + std::string(to_string(a.transport)) + ")";
  }
  return p;
}

// The accounts on the shared TLS socket share its TLS client context, so they must agree on
// tls_verify and (when verifying) tls_ca_file: one error at the first that differs, with how
// many more do.
void check_shared_tls(std::span<const AccountConfig> accounts,
                      std::span<const AccountOrigin> origins, Diagnostics& out,
                      std::span<const SharedPortSpec> shared) {
  std::size_t first = accounts.size();  // the first account on the shared TLS socket
  std::size_t differing = 0;
  Problem p;
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const AccountConfig& a = accounts[i];
    if (!origin_of(origins, i).ports_known || !a.on_shared_tls(shared)) continue;
    if (first == accounts.size()) {
      first = i;
      continue;
    }
    const AccountConfig& f = accounts[first];
    const bool verify_differs = a.tls_verify != f.tls_verify;
    if (!verify_differs && (!a.tls_verify || a.tls_ca_file == f.tls_ca_file)) continue;
    if (differing++ > 0) continue;
    const AccountOrigin o1 = origin_of(origins, first);
    const AccountOrigin o2 = origin_of(origins, i);
    p.code = ProblemCode::conflict;
    p.file = o2.file;
    p.line = o2.pos.line;
    p.column = o2.pos.column;
    p.key = o2.prefix + (verify_differs ? ".tls_verify" : ".tls_ca_file");
    p.value = verify_differs ? (a.tls_verify ? "true" : "false") : toml_quote(a.tls_ca_file);
    p.message = "the shared TLS socket checks servers one way for all its accounts, and " +
                describe(o2, a, false) + " differs from " + describe(o1, f, false) + " (" +
                (verify_differs ? std::string("tls_verify = ") + (f.tls_verify ? "true" : "false")
                                : "tls_ca_file = " + toml_quote(f.tls_ca_file)) +
                ")";
  }
  if (differing == 0) return;
  if (differing > 1) p.message += " and so do " + std::to_string(differing - 1) + " more accounts";
  p.message += ": give them the same tls_verify and tls_ca_file, or a local_tls_port of their own";
  out.errors.push_back(std::move(p));
}

}  // namespace

void check_port_clashes(std::span<const AccountConfig> accounts,
                        std::span<const AccountOrigin> origins, Diagnostics& out,
                        std::span<const SharedPortSpec> shared) {
  // Socket protocol ("udp" or "tcp", tls being TCP) and port -> first account claiming it.
  std::map<std::pair<std::string_view, std::uint16_t>, std::size_t> claimed;
  Portless portless;
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const AccountConfig& a = accounts[i];
    if (!a.active || !origin_of(origins, i).ports_known) continue;
    // "auto" may end on any of the three: it claims them all.
    struct Claim {
      Transport transport;
      std::string_view proto;
      std::uint16_t port;
    };
    std::vector<Claim> claims;
    // local_sip_port 0: the default 5060 + 2*(N-1) passed 65535 (default_account).
    if (a.transport == Transport::automatic) {
      claims = {{Transport::udp, "udp", a.local_sip_port},
                {Transport::tcp, "tcp", a.local_sip_port},
                {Transport::tls, "tcp", a.tls_port()}};
    } else {
      claims = {{a.transport, a.transport == Transport::udp ? "udp" : "tcp", a.listen_port()}};
    }
    for (const auto& [transport, proto, port] : claims) {
      if (a.shares_port(transport, shared)) continue;  // on the one shared socket
      const bool from_tls_key = transport == Transport::tls && a.local_tls_port;
      if (a.local_sip_port == 0 && !from_tls_key) {
        if (portless.first == 0) portless.first = i + 1;
        ++portless.count;
        break;
      }

      const auto [it, fresh] = claimed.try_emplace({proto, port}, i);
      if (fresh || it->second == i) continue;
      const AccountConfig& first = accounts[it->second];
      const AccountOrigin o1 = origin_of(origins, it->second);
      const AccountOrigin o2 = origin_of(origins, i);
      const bool mixed = first.transport != a.transport;
      Problem p;
      p.code = ProblemCode::conflict;
      p.file = o2.file;
      p.line = o2.pos.line;
      p.column = o2.pos.column;
      p.key = o2.prefix + (port != a.local_sip_port ? ".local_tls_port" : ".local_sip_port");
      p.value = std::to_string(port);
      p.message = std::string(proto) + " port " + p.value + " is claimed by both " +
                  describe(o1, first, mixed) + " and " + describe(o2, a, mixed) +
                  "; two active accounts may not share a port and transport";
      out.errors.push_back(std::move(p));
      break;  // one problem per account
    }
  }
  if (portless.count > 0) {
    out.errors.push_back(portless_problem(accounts, origins, portless, !shared.empty()));
  }
  check_shared_tls(accounts, origins, out, shared);
}

base::Result<AccountUpdate, Diagnostics> update_account(const Config& current, int index,
                                                        const SettingList& settings,
                                                        std::string_view source) {
  Diagnostics d;
  const std::string prefix = "account[" + std::to_string(index) + "]";
  if (index < 1 || static_cast<std::size_t>(index) > current.accounts.size()) {
    d.errors.push_back(Problem{.code = ProblemCode::invalid,
                               .file = std::string(source),
                               .key = prefix,
                               .message = "no such account"});
    return base::fail(std::move(d));
  }
  const SettingsSource src{std::string(source), prefix, {}, {}};
  const auto i = static_cast<std::size_t>(index - 1);
  AccountConfig updated = validate_account(settings, src, current.accounts[i], d);
  if (d.ok()) {
    std::vector<AccountConfig> all = current.accounts;
    all[i] = updated;
    Diagnostics clashes;
    std::vector<SharedPortSpec> shared;  // validated when loaded
    std::string why;
    if (!parse_shared_ports(current.daemon.shared_port, shared, why)) shared.clear();
    check_port_clashes(all, {}, clashes, shared);
    for (auto& p : clashes.errors) {  // only those involving this account
      if (p.message.find(prefix + " ") != std::string::npos) {
        p.file = std::string(source);
        d.errors.push_back(std::move(p));
      }
    }
  }
  if (!d.ok()) return base::fail(std::move(d));
  return AccountUpdate{std::move(updated), std::move(d.warnings)};
}

void for_each_setting(const AccountConfig& account,
                      const std::function<void(std::string_view, const std::string&)>& fn) {
  for (const auto& f : detail::account_fields()) {
    if (f.info.kind == ValueKind::secret) continue;
    fn(f.info.key, f.show(account, f.info));
  }
}

std::string account_to_toml(const AccountConfig& account) {
  std::string out;
  for (const auto& f : detail::account_fields()) {
    if (f.info.kind == ValueKind::secret) continue;
    const std::string v = f.show(account, f.info);
    const bool bare = f.info.kind == ValueKind::boolean || f.info.kind == ValueKind::integer ||
                      f.info.kind == ValueKind::uri_list;  // shown as a TOML array already
    if (bare && v.empty()) continue;  // no value (local_tls_port past 65535): keep the default
    out += std::string(f.info.key) + " = " + (bare ? v : toml_quote(v)) + "\n";
  }
  return out;
}

}  // namespace sipline::config
