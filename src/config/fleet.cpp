#include "config/fleet.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "config/fields.hpp"
#include "config/value_check.hpp"

namespace sipline::config::detail {
namespace {

constexpr std::int64_t kMaxCount = 1'000'000;
constexpr std::int64_t kMaxFirst = 999'999'999;
constexpr std::size_t kMaxPasswordFileBytes = 64 * 1024 * 1024;

// The keys whose text may hold {n}: the ones that tell one account of a fleet from another.
constexpr std::array<std::string_view, 7> kPatternKeys{
    "name", "user_id", "auth_id", "password", "display_name", "mwi_uri", "blf"};

const KeyInfo kCountKey{.key = "count",
                        .kind = ValueKind::integer,
                        .min = 1,
                        .max = kMaxCount,
                        .required = true,
                        .help = "how many accounts this template makes"};
const KeyInfo kFirstKey{.key = "first",
                        .kind = ValueKind::integer,
                        .min = 0,
                        .max = kMaxFirst,
                        .default_text = "1",
                        .help = "n of the first account"};
const KeyInfo kPortStepKey{.key = "port_step",
                           .kind = ValueKind::integer,
                           .min = 1,
                           .max = 100,
                           .default_text = "2",
                           .help = "how far apart the accounts' pinned ports are"};
const KeyInfo kPasswordFileKey{.key = "password_file",
                               .kind = ValueKind::file,
                               .help = "one password per line, line k for the k-th account"};

bool is_pattern_key(std::string_view key) {
  return std::find(kPatternKeys.begin(), kPatternKeys.end(), key) != kPatternKeys.end();
}

std::string pattern_key_list() {
  std::string s;
  for (auto k : kPatternKeys) s += (s.empty() ? "" : ", ") + std::string(k);
  return s;
}

bool has_brace(std::string_view s) {
  return s.find_first_of("{}") != std::string_view::npos;
}

// A setting of the template whose text (or list entries) holds patterns.
struct PatternSetting {
  std::size_t index = 0;          // in the template's list
  std::vector<Pattern> patterns;  // one for a string, one per entry for a list
  bool list = false;
  const Field<AccountConfig>* field = nullptr;  // how its value is stored in an account
};

struct Template {
  SettingList settings;  // the account keys, as written
  std::vector<PatternSetting> patterns;
  std::int64_t count = 0;
  std::int64_t first = 1;
  std::int64_t port_step = 2;  // as the defaults: 5060 + 2*(N-1), TLS on the odd one above
  const Setting* password_file = nullptr;
  base::SharedText password_path;  // resolved; one copy for the whole fleet
  bool has_name = false;
  std::optional<std::int64_t> sip_port, tls_port;
  SourcePos port_pos;
};

// The value of a patterned setting for account n.
Accepted value_for(const PatternSetting& ps, long long n) {
  Accepted v;
  if (ps.list) {
    for (const auto& p : ps.patterns) v.list.push_back(expand_pattern(p, n));
  } else {
    v.text = expand_pattern(ps.patterns.front(), n);
  }
  return v;
}

// The template's settings with n filled in (to validate the template as account n).
SettingList settings_for(const Template& t, long long n) {
  SettingList list = t.settings;
  for (const auto& ps : t.patterns) {
    Accepted v = value_for(ps, n);
    SettingValue& sv = list[ps.index].value;
    if (ps.list) {
      sv.data = std::move(v.list);
    } else {
      sv.data = std::move(v.text);
    }
  }
  return list;
}

// Reads the fleet's password file: at least `count` lines, none of the first `count` empty.
bool read_passwords(const Template& t, const SettingsSource& src, std::vector<std::string>& out,
                    Diagnostics& diags) {
  std::string text, error;
  auto fail = [&](ProblemCode code, std::string msg) {
    diags.errors.push_back(problem_at(src, *t.password_file, &kPasswordFileKey, code, msg));
    return false;
  };
  if (!read_file(t.password_path, kMaxPasswordFileBytes, text, error)) {
    return fail(ProblemCode::io, error);
  }
  std::size_t start = 0;
  while (start < text.size() && out.size() < static_cast<std::size_t>(t.count)) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      return fail(ProblemCode::invalid,
                  "line " + std::to_string(out.size() + 1) + " is empty (one password per line)");
    }
    out.push_back(std::move(line));
    start = nl + 1;
  }
  if (out.size() < static_cast<std::size_t>(t.count)) {
    return fail(ProblemCode::invalid, "holds " + std::to_string(out.size()) +
                                          " passwords, count = " + std::to_string(t.count) +
                                          " needs one per account, one per line");
  }
  return true;
}

// Splits the table into the fleet's own keys and the account template; false after problems.
bool read_template(const SettingList& settings, const SettingsSource& src, Template& t,
                   Diagnostics& out) {
  const std::size_t errors_before = out.errors.size();
  bool has_count = false, has_password = false;
  for (const Setting& s : settings) {
    if (s.key == "count" || s.key == "first" || s.key == "port_step") {
      const KeyInfo& info = s.key == "count"   ? kCountKey
                            : s.key == "first" ? kFirstKey
                                               : kPortStepKey;
      std::int64_t& field = s.key == "count" ? t.count : s.key == "first" ? t.first : t.port_step;
      if (auto v = check_value(info, s, src, out)) field = v->integer;
      has_count = has_count || s.key == "count";
      continue;
    }
    if (s.key == "password_file") {
      t.password_file = &s;
      if (auto v = check_value(kPasswordFileKey, s, src, out)) t.password_path = v->text;
      continue;
    }
    has_password = has_password || s.key == "password";
    t.has_name = t.has_name || s.key == "name";
    if (s.key == "local_sip_port" || s.key == "local_tls_port") {
      if (const auto* i = std::get_if<std::int64_t>(&s.value.data)) {
        (s.key == "local_sip_port" ? t.sip_port : t.tls_port) = *i;
      }
      if (s.key == "local_sip_port") t.port_pos = s.value.pos;
    }
    PatternSetting ps{.index = t.settings.size(), .field = find_field(account_fields(), s.key)};
    std::vector<std::string_view> texts;
    if (const auto* str = std::get_if<std::string>(&s.value.data)) {
      texts.push_back(*str);
    } else if (const auto* list = std::get_if<StringList>(&s.value.data)) {
      ps.list = true;
      texts.assign(list->begin(), list->end());
    }
    const bool patterned = std::any_of(texts.begin(), texts.end(), has_brace);
    t.settings.push_back(s);
    if (!patterned) continue;
    if (!is_pattern_key(s.key)) {
      out.errors.push_back(problem_at(src, s, find_key(account_keys(), s.key), ProblemCode::invalid,
                                      "{n} patterns are allowed only in " + pattern_key_list()));
      continue;
    }
    for (std::string_view text : texts) {
      Pattern p;
      std::string why;
      if (!parse_pattern(text, p, why)) {
        Problem prob =
            problem_at(src, s, find_key(account_keys(), s.key), ProblemCode::invalid, why);
        prob.allowed = "text with {n} or {n:0W} (W = 1..9)";
        out.errors.push_back(std::move(prob));
        break;
      }
      ps.patterns.push_back(std::move(p));
    }
    if (ps.patterns.size() == texts.size()) t.patterns.push_back(std::move(ps));
  }
  if (!has_count) {
    Problem p;
    p.code = ProblemCode::missing;
    p.file = src.file;
    p.line = src.table_pos.line;
    p.column = src.table_pos.column;
    p.key = full_key(src, "count");
    p.allowed = kCountKey.allowed();
    p.message = "required key missing";
    out.errors.push_back(std::move(p));
  }
  if (t.password_file && has_password) {
    out.errors.push_back(problem_at(src, *t.password_file, &kPasswordFileKey, ProblemCode::conflict,
                                    "give password or password_file, not both"));
  }
  return out.errors.size() == errors_before;
}

// The last account's ports must still fit when the template pins the first one's.
void check_port_span(const Template& t, const AccountConfig& a, const SettingList& list,
                     const SettingsSource& src, Diagnostics& out) {
  const std::int64_t span = t.port_step * (t.count - 1);
  auto check = [&](std::string_view key, std::int64_t first_port, std::int64_t last_allowed) {
    if (first_port + span <= last_allowed) return;
    const auto it =
        std::find_if(list.begin(), list.end(), [&](const Setting& s) { return s.key == key; });
    Problem p = it != list.end()
                    ? problem_at(src, *it, find_key(account_keys(), key), ProblemCode::range, "")
                    : Problem{};
    p.code = ProblemCode::range;
    p.key = full_key(src, key);
    p.allowed = "5.." + std::to_string(last_allowed - span);
    p.message = std::to_string(t.count) + " accounts need ports " + std::to_string(first_port) +
                ".." + std::to_string(first_port + span) + " (port_step " +
                std::to_string(t.port_step) + "), past " + std::to_string(last_allowed);
    out.errors.push_back(std::move(p));
  };
  const bool tls = a.may_use_tls();
  if (t.sip_port) check("local_sip_port", *t.sip_port, tls && !t.tls_port ? 65534 : 65535);
  if (t.tls_port && tls) check("local_tls_port", *t.tls_port, 65535);
}

}  // namespace

bool parse_pattern(std::string_view text, Pattern& out, std::string& why) {
  out.clear();
  std::string literal;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '}') return why = "unmatched \"}\"", false;
    if (c != '{') {
      literal += c;
      ++i;
      continue;
    }
    const std::size_t close = text.find('}', i);
    if (close == std::string_view::npos) return why = "unmatched \"{\"", false;
    const std::string_view field = text.substr(i + 1, close - i - 1);
    int width = 0;
    if (field.size() == 4 && field.substr(0, 3) == "n:0" && field[3] >= '1' && field[3] <= '9') {
      width = field[3] - '0';
    } else if (field != "n") {
      return why = "unknown field \"{" + std::string(field) + "}\": use {n} or {n:0W}", false;
    }
    if (!literal.empty()) out.push_back(PatternPiece{.literal = std::move(literal)});
    literal.clear();
    out.push_back(PatternPiece{.number = true, .width = width});
    i = close + 1;
  }
  if (!literal.empty() || out.empty()) out.push_back(PatternPiece{.literal = std::move(literal)});
  return true;
}

std::string expand_pattern(const Pattern& p, long long n) {
  std::string s;
  for (const auto& piece : p) {
    if (!piece.number) {
      s += piece.literal;
      continue;
    }
    const std::string digits = std::to_string(n);
    if (static_cast<int>(digits.size()) < piece.width) {
      s.append(static_cast<std::size_t>(piece.width) - digits.size(), '0');
    }
    s += digits;
  }
  return s;
}

void expand_fleet(const SettingList& settings, const SettingsSource& src,
                  std::vector<AccountConfig>& accounts, std::vector<AccountOrigin>& origins,
                  Diagnostics& out) {
  Template t;
  if (!read_template(settings, src, t, out)) return;
  const std::size_t errors_before = out.errors.size();
  const int first_index = static_cast<int>(accounts.size()) + 1;
  const long long last_n = t.first + t.count - 1;

  // The template, checked as its first account and as its last (widths, the default ports).
  AccountConfig base = default_account(first_index);
  const SettingList first_list = settings_for(t, t.first);
  const AccountConfig tmpl = validate_account(first_list, src, base, out);
  if (out.errors.size() != errors_before) return;
  if (t.count > 1) {
    Diagnostics last;
    validate_account(settings_for(t, last_n), src,
                     default_account(first_index + static_cast<int>(t.count) - 1), last);
    for (Problem& p : last.errors) {
      p.message += " (for the last account, n = " + std::to_string(last_n) + ")";
      out.errors.push_back(std::move(p));
    }
  }
  check_port_span(t, tmpl, first_list, src, out);
  std::vector<std::string> passwords;
  if (t.password_file && !read_passwords(t, src, passwords, out)) return;
  if (out.errors.size() != errors_before) return;

  accounts.reserve(accounts.size() + static_cast<std::size_t>(t.count));
  origins.reserve(origins.size() + static_cast<std::size_t>(t.count));
  for (std::int64_t k = 0; k < t.count; ++k) {
    const int index = static_cast<int>(accounts.size()) + 1;
    const long long n = t.first + k;
    AccountConfig a = tmpl;
    a.spread_first_refresh = true;
    for (const auto& ps : t.patterns) ps.field->apply(a, value_for(ps, n));
    if (!t.has_name) a.name = "Account " + std::to_string(index);
    const auto step = static_cast<std::uint16_t>(t.port_step * k);
    a.local_sip_port =
        t.sip_port ? static_cast<std::uint16_t>(*t.sip_port + step) : default_sip_port(index);
    if (t.tls_port) a.local_tls_port = static_cast<std::uint16_t>(*t.tls_port + step);
    if (t.password_file) {
      a.password = std::move(passwords[static_cast<std::size_t>(k)]);
      a.password_file = t.password_path;
    }
    accounts.push_back(std::move(a));
    origins.push_back(AccountOrigin{src.file, src.prefix + "[n=" + std::to_string(n) + "]",
                                    t.port_pos.line ? t.port_pos : src.table_pos, true});
  }
}

}  // namespace sipline::config::detail
