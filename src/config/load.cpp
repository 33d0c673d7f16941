#include "config/load.hpp"

#include <algorithm>
#include <filesystem>

#include "config/fleet.hpp"
#include "config/schema.hpp"
#include "config/settings.hpp"
#include "config/toml_include.hpp"
#include "config/validate.hpp"
#include "config/value_check.hpp"

namespace sipline::config {
namespace {

// Large enough for tens of thousands of written-out [[account]] tables; a fleet needs [[fleet]].
constexpr std::size_t kMaxConfigBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxWrittenChars = 60;

SourcePos pos_of(const toml::source_position& p) {
  return {p.line, p.column};
}

// The source text, by line, to quote values as written.
class SourceText {
 public:
  explicit SourceText(std::string_view text) {
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) nl = text.size();
      lines_.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
  }

  // The text between two positions (toml++ columns count code points; end is exclusive).
  std::string slice(const toml::source_region& r) const {
    const auto b = r.begin, e = r.end;
    if (b.line == 0 || e.line < b.line || e.line > lines_.size()) return {};
    std::string out;
    for (auto line = b.line; line <= e.line; ++line) {
      std::string_view l = lines_[line - 1];
      const std::size_t from = line == b.line ? byte_of(l, b.column) : 0;
      const std::size_t to = line == e.line ? byte_of(l, e.column) : l.size();
      if (from > to) return {};
      if (!out.empty()) out += ' ';
      out += l.substr(from, to - from);
    }
    while (!out.empty() && (out.back() == '\r' || out.back() == ' ')) out.pop_back();
    if (out.size() > kMaxWrittenChars) out = out.substr(0, kMaxWrittenChars) + "...";
    return out;
  }

 private:
  static std::size_t byte_of(std::string_view l, std::uint32_t column) {
    std::size_t i = 0;
    for (std::uint32_t c = 1; c < column && i < l.size(); ++c) {
      ++i;
      while (i < l.size() && (static_cast<unsigned char>(l[i]) & 0xC0) == 0x80) ++i;
    }
    return i;
  }
  std::vector<std::string_view> lines_;
};

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    default:
      return "value";
  }
}

SettingValue value_of(const toml::node& n, const SourceText& src) {
  const SourcePos pos = pos_of(n.source().begin);
  SettingValue v;
  if (auto s = n.as_string()) {
    v = SettingValue::text(s->get(), pos);
  } else if (auto i = n.as_integer()) {
    v = SettingValue::integer(i->get(), pos);
  } else if (auto b = n.as_boolean()) {
    v = SettingValue::boolean(b->get(), pos);
  } else if (auto d = n.as_floating_point()) {
    v = SettingValue::floating(d->get(), pos);
  } else if (auto arr = n.as_array(); arr && arr->is_homogeneous(toml::node_type::string)) {
    StringList items;
    for (const auto& e : *arr) items.emplace_back(e.as_string()->get());
    v = SettingValue::list(std::move(items), pos);
  } else if (arr && arr->empty()) {
    v = SettingValue::list({}, pos);
  } else {
    v = SettingValue::other(type_name(n), "", pos);
  }
  if (std::string written = src.slice(n.source()); !written.empty()) v.as_written = written;
  return v;
}

SettingList settings_of(const toml::table& t, const SourceText& src) {
  SettingList list;
  for (auto&& [k, node] : t) {
    list.push_back(Setting{std::string(k.str()), value_of(node, src), pos_of(k.source().begin)});
  }
  std::stable_sort(list.begin(), list.end(), [](const Setting& a, const Setting& b) {
    return std::tie(a.key_pos.line, a.key_pos.column) < std::tie(b.key_pos.line, b.key_pos.column);
  });
  return list;
}

struct Loader {
  std::string file;
  std::string base_dir;
  const SourceText& text;
  Config config;
  std::vector<AccountOrigin> origins;
  Diagnostics diags;

  Problem problem(const toml::key& k, const toml::node& n, ProblemCode code, std::string msg) {
    Problem p;
    p.code = code;
    p.file = file;
    p.line = k.source().begin.line;
    p.column = k.source().begin.column;
    p.key = std::string(k.str());
    // An unknown key may be a misspelt secret (`pasword`): its value is never shown.
    if (code != ProblemCode::unknown_key) p.value = text.slice(n.source());
    p.message = std::move(msg);
    return p;
  }

  void type_error(const toml::key& k, const toml::node& n, std::string_view want) {
    Problem p = problem(k, n, ProblemCode::type,
                        "wrong type: expected " + std::string(want) + ", got " + type_name(n));
    p.value.clear();  // a whole table or array is not worth quoting
    p.allowed = std::string(want);
    diags.errors.push_back(std::move(p));
  }

  void unknown_top_level(const toml::key& k, const toml::node& n) {
    const std::string key(k.str());
    std::string hint = suggest_key(key, top_level_keys());
    if (!hint.empty()) {
      hint = " (did you mean \"" + hint + "\"?)";
    } else if (find_key(daemon_keys(), key)) {
      hint = " (it belongs under [daemon])";
    } else if (find_key(timer_keys(), key)) {
      hint = " (it belongs under [timers])";
    } else if (find_key(account_keys(), key)) {
      hint = " (it belongs in an [[account]] table)";
    }
    diags.errors.push_back(
        problem(k, n, ProblemCode::unknown_key, "unknown key \"" + key + "\"" + hint));
  }

  SettingsSource source_for(std::string prefix, const toml::node& n) const {
    return SettingsSource{file, std::move(prefix), pos_of(n.source().begin), base_dir};
  }

  void load_account(const toml::table& t, int index) {
    const SettingList list = settings_of(t, text);
    const SettingsSource src = source_for("account[" + std::to_string(index) + "]", t);
    const std::size_t errors_before = diags.errors.size();
    config.accounts.push_back(validate_account(list, src, default_account(index), diags));
    bool ports_known = true;
    for (std::size_t i = errors_before; i < diags.errors.size(); ++i) {
      const std::string& key = diags.errors[i].key;
      const std::string_view name = std::string_view(key).substr(src.prefix.size());
      if (name == ".transport" || name == ".local_sip_port" || name == ".local_tls_port" ||
          name == ".active") {
        ports_known = false;
      }
    }
    SourcePos port_pos = src.table_pos;
    const bool tls = config.accounts.back().transport == Transport::tls;
    for (const auto& s : list) {
      if (s.key == (tls ? "local_tls_port" : "local_sip_port")) port_pos = s.value.pos;
    }
    origins.push_back(AccountOrigin{file, src.prefix, port_pos, ports_known});
  }

  // Each table of the array of tables `k` ([[account]], [[fleet]]), with its 1-based index; an
  // element that is not a table is a problem named "NAME[index]".
  template <class Fn>
  void for_each_table(const toml::key& k, const toml::node& n, Fn&& fn) {
    const std::string name(k.str());
    const toml::array* arr = n.as_array();
    if (!arr) return type_error(k, n, "array of tables ([[" + name + "]])");
    int index = 0;
    for (const toml::node& elem : *arr) {
      ++index;
      if (const toml::table* t = elem.as_table()) {
        fn(*t, index);
        continue;
      }
      Problem p =
          problem(k, elem, ProblemCode::type, "wrong type: expected table, got " + type_name(elem));
      p.key = name + "[" + std::to_string(index) + "]";
      p.line = elem.source().begin.line;
      p.column = elem.source().begin.column;
      diags.errors.push_back(std::move(p));
    }
  }

  void load_accounts(const toml::key& k, const toml::node& n) {
    for_each_table(k, n, [this](const toml::table& t, int index) { load_account(t, index); });
  }

  void load_fleets(const toml::key& k, const toml::node& n) {
    for_each_table(k, n, [this](const toml::table& t, int index) {
      const std::string prefix = "fleet[" + std::to_string(index) + "]";
      detail::expand_fleet(settings_of(t, text), source_for(prefix, t), config.accounts, origins,
                           diags);
    });
  }

  void load(const toml::table& root) {
    // [[account]] tables are numbered first, then each [[fleet]]'s accounts in order.
    if (auto it = root.find("account"); it != root.end()) load_accounts(it->first, it->second);
    for (auto&& [k, node] : root) {
      if (k.str() == "account") {
        continue;
      } else if (k.str() == "fleet") {
        load_fleets(k, node);
      } else if (k.str() == "daemon" || k.str() == "timers") {
        const toml::table* t = node.as_table();
        if (!t) {
          type_error(k, node, "table");
        } else if (k.str() == "daemon") {
          config.daemon = validate_daemon(settings_of(*t, text), source_for("daemon", *t), diags);
        } else {
          config.timers = validate_timers(settings_of(*t, text), source_for("timers", *t), diags);
        }
      } else {
        unknown_top_level(k, node);
      }
    }
    std::vector<SharedPortSpec> shared;  // a bad value is reported by validate_daemon
    std::string why;
    if (!parse_shared_ports(config.daemon.shared_port, shared, why)) shared.clear();
    check_port_clashes(config.accounts, origins, diags, shared);
    assign_contact_lines(config);
    if (config.accounts.empty()) {
      diags.warnings.push_back(Problem{.code = ProblemCode::warning,
                                       .file = file,
                                       .message = "no [[account]] table: nothing to register"});
    }
  }
};

}  // namespace

ConfigResult parse_config(std::string_view text, std::string_view source_name,
                          const std::string& base_dir) {
  auto parsed = toml::parse(text, std::string_view(source_name));
  if (!parsed) {
    const auto& err = parsed.error();
    Diagnostics d;
    d.errors.push_back(Problem{.code = ProblemCode::syntax,
                               .file = std::string(source_name),
                               .line = err.source().begin.line,
                               .column = err.source().begin.column,
                               .message = std::string(err.description())});
    return base::fail(std::move(d));
  }
  const SourceText source(text);
  Loader loader{std::string(source_name), base_dir, source, {}, {}, {}};
  loader.load(parsed.table());
  loader.diags.sort();
  if (!loader.diags.ok()) return base::fail(std::move(loader.diags));
  return LoadedConfig{std::move(loader.config), std::move(loader.diags.warnings)};
}

ConfigResult load_config(const std::string& path) {
  auto io_error = [&](std::string msg) -> ConfigResult {
    Diagnostics d;
    d.errors.push_back(Problem{.code = ProblemCode::io, .file = path, .message = std::move(msg)});
    return base::fail(std::move(d));
  };
  std::string text, error;
  if (!detail::read_file(path, kMaxConfigBytes, text, error)) return io_error(error);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return parse_config(text, path, dir);
}

CheckReport check_report(const ConfigResult& result, std::string_view source) {
  if (!result) return make_report(source, result.error(), 0);
  Diagnostics d;
  d.warnings = result->warnings;
  return make_report(source, d, result->config.accounts.size());
}

CheckReport check_config_file(const std::string& path) {
  return check_report(load_config(path), path);
}

}  // namespace sipline::config
