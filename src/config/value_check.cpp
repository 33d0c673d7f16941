#include "config/value_check.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "config/host_port.hpp"

namespace sipline::config::detail {
namespace {

constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

bool has_control_char(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 3261 `user`: unreserved / escaped / user-unreserved.
bool is_sip_user(std::string_view s) {
  static constexpr std::string_view kExtra = "-_.!~*'()&=+$,;?/";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
    } else if (!std::isalnum(static_cast<unsigned char>(c)) &&
               kExtra.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return !s.empty();
}

// A sip: or sips: URI: scheme, an optional valid user part with '@', a host[:port], then
// parameters / headers without spaces or quotes. The account layer parses it fully later.
bool is_sip_uri(std::string_view s, std::string& why) {
  const auto colon = s.find(':');
  std::string scheme(s.substr(0, colon == std::string_view::npos ? 0 : colon));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "sip" && scheme != "sips") return why = "not a sip: or sips: URI", false;
  std::string_view rest = s.substr(colon + 1);
  if (rest.find_first_of(" \t<>\"") != std::string_view::npos) {
    return why = "a URI has no spaces, quotes or angle brackets", false;
  }
  const auto at = rest.find('@');
  if (at != std::string_view::npos) {
    std::string_view user = rest.substr(0, at);
    if (const auto pw = user.find(':'); pw != std::string_view::npos) user = user.substr(0, pw);
    if (user.empty() || !is_sip_user(user)) return why = "not a valid SIP user part", false;
    rest = rest.substr(at + 1);
  }
  const std::string_view host = rest.substr(0, rest.find_first_of(";?"));
  auto hp = parse_host_port(std::string(host), false);
  if (!hp) return why = "bad host: " + hp.error(), false;
  return true;
}

bool reject(Diagnostics& out, Problem p) {
  out.errors.push_back(std::move(p));
  return false;
}

// Checks a string value of the string-like kinds, filling `a`. False after adding a problem.
bool check_text(const KeyInfo& info, const Setting& s, const SettingsSource& src,
                const std::string& text, Accepted& a, Diagnostics& out) {
  auto fail = [&](ProblemCode c, std::string msg) {
    return reject(out, problem_at(src, s, &info, c, std::move(msg)));
  };
  a.text = text;
  if (info.kind != ValueKind::secret && has_control_char(text)) {
    return fail(ProblemCode::invalid, "contains a control character");
  }
  if (text.empty() && info.required)
    return fail(ProblemCode::missing, "required, must not be empty");
  if (text.empty() && info.kind != ValueKind::choice) return true;  // "" = not set / off
  switch (info.kind) {
    case ValueKind::choice:
      for (std::size_t i = 0; i < info.choices.size(); ++i) {
        if (info.choices[i] == text) return a.choice = i, true;
      }
      return fail(ProblemCode::choice, "must be one of " + info.allowed());
    case ValueKind::host_port:
    case ValueKind::listen: {
      auto hp = parse_host_port(text, info.kind == ValueKind::listen);
      if (!hp) return fail(ProblemCode::invalid, "not " + info.allowed() + ": " + hp.error());
      a.host_port = std::move(hp).value();
      return true;
    }
    case ValueKind::ip_address: {
      auto hp = parse_ip_port(text.find(':') != std::string::npos ? "[" + text + "]" : text);
      if (hp && !hp->port) return true;
      return fail(ProblemCode::invalid, "not an IP address (no port, no brackets)");
    }
    case ValueKind::ip_list: {
      bool ok = true;
      const auto entries = split_list(text);
      for (std::size_t i = 0; i < entries.size(); ++i) {
        auto hp = parse_ip_port(entries[i]);
        if (hp) continue;
        ok = fail(ProblemCode::invalid, "entry " + std::to_string(i + 1) + " \"" + entries[i] +
                                            "\": " + (entries[i].empty() ? "empty" : hp.error()));
      }
      return ok;
    }
    case ValueKind::shared_ports: {
      std::vector<SharedPortSpec> specs;
      std::string why;
      if (parse_shared_ports(text, specs, why)) return true;
      return fail(ProblemCode::invalid, why + " (allowed: " + info.allowed() + ")");
    }
    case ValueKind::user:
      return is_sip_user(text) ? true : fail(ProblemCode::invalid, "not a valid SIP user part");
    case ValueKind::sip_uri: {
      std::string why;
      return is_sip_uri(text, why) ? true : fail(ProblemCode::invalid, why);
    }
    case ValueKind::secret_file: {
      std::string err;
      if (read_secret_file(resolve_path(src.base_dir, text), a.secret, err)) return true;
      return fail(ProblemCode::io, err);
    }
    case ValueKind::file: {
      std::string err;
      // Kept resolved: the daemon opens it later, from whatever its working directory is. Only
      // checked for being a readable file here: the daemon reads it (once per account).
      a.text = resolve_path(src.base_dir, text);
      if (readable_file(a.text, err)) return true;
      return fail(ProblemCode::io, err);
    }
    default:
      return true;
  }
}

// An array of URIs or users: every entry checked, each bad one named by its position.
bool check_list(const KeyInfo& info, const Setting& s, const SettingsSource& src,
                const StringList& items, Accepted& a, Diagnostics& out) {
  if (static_cast<std::int64_t>(items.size()) > info.max) {
    return reject(out, problem_at(src, s, &info, ProblemCode::range,
                                  std::to_string(items.size()) + " entries, at most " +
                                      std::to_string(info.max)));
  }
  bool ok = true;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string& e = items[i];
    std::string why;
    if (e.find(':') == std::string::npos ? !e.empty() && is_sip_user(e) : is_sip_uri(e, why)) {
      continue;
    }
    if (why.empty()) why = e.empty() ? "empty entry" : "neither a SIP user nor a sip:/sips: URI";
    ok = reject(out, problem_at(src, s, &info, ProblemCode::invalid,
                                "entry " + std::to_string(i + 1) + " \"" + e + "\": " + why));
  }
  if (ok) a.list = items;
  return ok;
}

}  // namespace

std::string full_key(const SettingsSource& src, std::string_view key) {
  return src.prefix.empty() ? std::string(key) : src.prefix + "." + std::string(key);
}

Problem problem_at(const SettingsSource& src, const Setting& s, const KeyInfo* info,
                   ProblemCode code, std::string message) {
  Problem p;
  p.code = code;
  p.file = src.file;
  const SourcePos pos = s.value.pos.line ? s.value.pos : s.key_pos;
  p.line = pos.line;
  p.column = pos.column;
  p.key = full_key(src, s.key);
  const bool secret = info && info->kind == ValueKind::secret;
  // An unknown key may be a misspelt secret (`pasword`): its value is never shown.
  if (code != ProblemCode::unknown_key) p.value = secret ? "<hidden>" : s.value.as_written;
  if (info) p.allowed = info->allowed();
  p.message = std::move(message);
  return p;
}

std::optional<Accepted> check_value(const KeyInfo& info, const Setting& s,
                                    const SettingsSource& src, Diagnostics& out) {
  Accepted a;
  const auto& data = s.value.data;
  if (info.kind == ValueKind::auto_bool) {
    const bool* b = std::get_if<bool>(&data);
    const std::string* text = std::get_if<std::string>(&data);
    if (b != nullptr || (text != nullptr && *text == info.choices[0])) {
      a.choice = b == nullptr ? 0 : *b ? 1 : 2;  // the choices' order: auto, true, false
      return a;
    }
    out.errors.push_back(problem_at(src, s, &info, text ? ProblemCode::choice : ProblemCode::type,
                                    "must be " + info.allowed()));
    return std::nullopt;
  }
  const std::string_view want = info.toml_type();
  if (want == "boolean"   ? !std::holds_alternative<bool>(data)
      : want == "integer" ? !std::holds_alternative<std::int64_t>(data)
      : want == "array"   ? !std::holds_alternative<StringList>(data)
                          : !std::holds_alternative<std::string>(data)) {
    Problem p =
        problem_at(src, s, &info, ProblemCode::type,
                   "wrong type: expected " + std::string(want) + ", got " + s.value.type_name());
    p.allowed = std::string(want);
    out.errors.push_back(std::move(p));
    return std::nullopt;
  }
  if (const bool* b = std::get_if<bool>(&data)) {
    a.boolean = *b;
  } else if (const std::int64_t* i = std::get_if<std::int64_t>(&data)) {
    if (*i < info.min || *i > info.max) {
      out.errors.push_back(
          problem_at(src, s, &info, ProblemCode::range, "out of range " + info.allowed()));
      return std::nullopt;
    }
    a.integer = *i;
  } else if (const StringList* l = std::get_if<StringList>(&data)) {
    if (!check_list(info, s, src, *l, a, out)) return std::nullopt;
  } else if (!check_text(info, s, src, std::get<std::string>(data), a, out)) {
    return std::nullopt;
  }
  return a;
}

bool readable_file(const std::string& path, std::string& error, std::uintmax_t* size) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) {
    error = "cannot read: " + (ec ? ec.message() : std::string("No such file or directory"));
    return false;
  }
  if (!std::filesystem::is_regular_file(st)) {  // a directory, FIFO or device like /dev/zero
    error = "cannot read: not a regular file";
    return false;
  }
  if (!std::ifstream(path, std::ios::binary)) {
    error = std::string("cannot read: ") + std::strerror(errno);
    return false;
  }
  if (size != nullptr) *size = std::filesystem::file_size(path, ec);
  return true;
}

bool read_file(const std::string& path, std::size_t max_bytes, std::string& content,
               std::string& error) {
  std::uintmax_t size = 0;
  if (!readable_file(path, error, &size)) return false;
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    error = std::string("cannot read: ") + std::strerror(errno);
    return false;
  }
  // Read in chunks up to one byte past the maximum (which tells "too large"); the file's size
  // is only a hint for the reservation (no zero-filled buffer of the maximum for every file).
  content.clear();
  content.reserve(static_cast<std::size_t>(std::min<std::uintmax_t>(size, max_bytes)) + 1);
  char chunk[16384];
  while (content.size() <= max_bytes && f.read(chunk, sizeof chunk).gcount() > 0) {
    content.append(chunk, static_cast<std::size_t>(f.gcount()));
  }
  if (content.size() > max_bytes) {
    content.clear();
    error = "file larger than " + std::to_string(max_bytes / 1024) + " KiB";
    return false;
  }
  return true;
}

bool read_secret_file(const std::string& path, std::string& content, std::string& error) {
  if (!read_file(path, kMaxSecretFileBytes, content, error)) return false;
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
    content.pop_back();
  }
  return true;
}

std::string resolve_path(const std::string& base_dir, const std::string& path) {
  if (base_dir.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_dir) / path).string();
}

}  // namespace sipline::config::detail
