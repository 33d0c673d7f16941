// `sipline parse`: each file is one raw SIP message. Output, JSON (--json) or text:
//   one file  -> one JSON object; several files -> a JSON array of those objects, in order.
//   object    -> {"file", "ok", "type": "request"|"response", "start_line",
//                 "method", "request_uri" | "status_code", "reason",
//                 "headers": [{"name" (as written), "canonical", "value" (raw),
//                              "parsed" (typed value, only for headers with a typed parser;
//                                        an array for comma-list headers),
//                              "error" {"reason", "offset"} (when the typed value is bad)}],
//                 "body_length"}
//   rejected  -> "ok": false and "error": {"reason", "offset"}; offsets are bytes from the start
//                of the file. A message that parses but fails Message::check() (a missing or
//                repeated mandatory header, a bad From/To/Via/CSeq ...) is rejected too; its
//                start line and headers are still shown. Unreadable file: "offset": null.
// Text mode writes a readable dump to `out` and "FILE: rejected: <reason> at byte <offset>"
// to `err`. Strings that are not valid UTF-8 are written with U+FFFD replacement characters.
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <ostream>

#include "msg/errors.hpp"
#include "msg/headers.hpp"
#include "msg/message.hpp"
#include "msg/values.hpp"
#include "sipline/engine.hpp"

namespace sipline {

namespace {

using Json = nlohmann::ordered_json;
using msg::HeaderId;

constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;

Json str(std::string_view s) {
  return Json(std::string(s));
}

Json error_json(std::string_view reason, std::optional<std::size_t> offset) {
  Json e = Json::object();
  e["reason"] = str(reason);
  e["offset"] = offset ? Json(*offset) : Json(nullptr);
  return e;
}

Json params_json(const msg::Params& params) {
  Json j = Json::object();
  for (const auto& p : params) {
    j[std::string(p.name)] = p.has_value ? str(p.value) : Json(true);
  }
  return j;
}

Json port_json(std::uint16_t port) {
  return port ? Json(port) : Json(nullptr);
}

Json uri_json(const msg::Uri& u) {
  Json j = Json::object();
  j["text"] = str(u.text);
  j["scheme"] = str(u.scheme_text);
  if (u.scheme == msg::Scheme::kSip || u.scheme == msg::Scheme::kSips) {
    j["user"] = str(u.user);
    j["host"] = str(u.host);
    j["port"] = port_json(u.port);
    j["params"] = params_json(u.params);
    j["headers"] = params_json(u.headers);
  }
  return j;
}

Json name_addr_json(const msg::NameAddr& n) {
  Json j = Json::object();
  j["display_name"] = str(n.display_name);
  j["uri"] = uri_json(n.uri);
  if (!n.tag().empty()) j["tag"] = str(n.tag());
  j["params"] = params_json(n.params);
  return j;
}

Json contact_json(const msg::Contact& c) {
  if (c.star) return Json::object({{"star", true}});
  Json j = name_addr_json(c.addr);
  auto expires = c.expires();
  j["expires"] = expires ? Json(*expires) : Json(nullptr);
  if (!c.instance().empty()) j["instance"] = str(c.instance());
  return j;
}

Json via_json(const msg::Via& v) {
  Json j = Json::object();
  j["transport"] = str(v.transport);
  j["host"] = str(v.host);
  j["port"] = port_json(v.port);
  j["branch"] = str(v.branch());
  j["received"] = str(v.received());
  auto rport = v.rport();
  j["rport"] = rport ? Json(*rport) : Json(v.has_rport());
  j["maddr"] = str(v.maddr());
  j["params"] = params_json(v.params);
  return j;
}

// Splits a header value at commas that are outside quoted strings and <...>; trims each part.
std::vector<std::string_view> split_list(std::string_view s, std::string_view separators = ",") {
  auto trim = [](std::string_view v) {
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!v.empty() && ws(v.front())) v.remove_prefix(1);
    while (!v.empty() && ws(v.back())) v.remove_suffix(1);
    return v;
  };
  std::vector<std::string_view> parts;
  bool quoted = false, angle = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      angle = true;
    } else if (c == '>') {
      angle = false;
    } else if (!angle && separators.find(c) != std::string_view::npos) {
      parts.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(trim(s.substr(start)));
  return parts;
}

// A typed value, or the error of parsing it (offset from the start of the message).
struct Typed {
  Json value;
  std::optional<msg::ParseError> error;
};

class HeaderDecoder {
 public:
  explicit HeaderDecoder(const msg::Message& m) : base_(m.raw().data()) {}

  std::optional<Typed> decode(const msg::HeaderField& h) const {
    switch (h.id) {
      case HeaderId::kVia:
        return list(h.value, msg::parse_via, via_json);
      case HeaderId::kContact:
        return list(h.value, msg::parse_contact, contact_json);
      case HeaderId::kRoute:
      case HeaderId::kRecordRoute:
      case HeaderId::kPath:
      case HeaderId::kPAssertedIdentity:
      case HeaderId::kPPreferredIdentity:
        return list(h.value, msg::parse_name_addr, name_addr_json);
      case HeaderId::kFrom:
      case HeaderId::kTo:
        return one(h.value, msg::parse_name_addr, name_addr_json);
      case HeaderId::kCSeq:
        return one(h.value, msg::parse_cseq, [](const msg::CSeq& c) {
          return Json::object({{"seq", c.seq}, {"method", str(c.method)}});
        });
      case HeaderId::kMaxForwards:
      case HeaderId::kExpires:
      case HeaderId::kMinExpires:
      case HeaderId::kContentLength:
        return integer(h.value);
      case HeaderId::kRetryAfter:
        return one(h.value, msg::parse_retry_after, [](const msg::RetryAfter& r) {
          return Json::object({{"seconds", r.seconds},
                               {"comment", str(r.comment)},
                               {"params", params_json(r.params)}});
        });
      case HeaderId::kWwwAuthenticate:
      case HeaderId::kProxyAuthenticate:
      case HeaderId::kAuthorization:
      case HeaderId::kProxyAuthorization:
        return one(h.value, msg::parse_auth, [](const msg::AuthValue& a) {
          return Json::object({{"scheme", str(a.scheme)}, {"params", params_json(a.params)}});
        });
      case HeaderId::kEvent:
        return one(h.value, msg::parse_event, [](const msg::EventValue& e) {
          return Json::object({{"package", str(e.package)}, {"params", params_json(e.params)}});
        });
      case HeaderId::kSubscriptionState:
        return one(h.value, msg::parse_subscription_state, [](const msg::SubscriptionState& s) {
          auto expires = s.expires();
          return Json::object({{"state", str(s.state)},
                               {"expires", expires ? Json(*expires) : Json(nullptr)},
                               {"params", params_json(s.params)}});
        });
      case HeaderId::kRequire:
      case HeaderId::kSupported:
      case HeaderId::kAllow:
      case HeaderId::kProxyRequire:
      case HeaderId::kUnsupported:
        return tokens(h.value, ",");
      case HeaderId::kPrivacy:
        return tokens(h.value, ",;");  // RFC 3323: priv-value ; ...
      default:
        return std::nullopt;
    }
  }

 private:
  msg::ParseError shifted(std::string_view part, msg::ParseError e) const {
    e.offset += static_cast<std::size_t>(part.data() - base_);
    return e;
  }

  template <typename Parse, typename ToJson>
  Typed one(std::string_view value, Parse parse, ToJson to_json) const {
    auto r = parse(value);
    if (!r) return Typed{nullptr, shifted(value, r.error())};
    return Typed{to_json(r.value()), std::nullopt};
  }

  template <typename Parse, typename ToJson>
  Typed list(std::string_view value, Parse parse, ToJson to_json) const {
    Typed t{Json::array(), std::nullopt};
    for (std::string_view part : split_list(value)) {
      auto r = parse(part);
      if (!r) return Typed{nullptr, shifted(part, r.error())};
      t.value.push_back(to_json(r.value()));
    }
    return t;
  }

  Typed integer(std::string_view value) const {
    auto v = msg::parse_uint(value);
    if (!v) return Typed{nullptr, shifted(value, {msg::ParseErrorCode::kBadHeaderValue, 0})};
    return Typed{Json(*v), std::nullopt};
  }

  static Typed tokens(std::string_view value, std::string_view separators) {
    Typed t{Json::array(), std::nullopt};
    for (std::string_view part : split_list(value, separators)) {
      if (!part.empty()) t.value.push_back(str(part));
    }
    return t;
  }

  const char* base_;
};

Json header_json(const HeaderDecoder& decoder, const msg::HeaderField& h) {
  Json j = Json::object();
  j["name"] = str(h.name);
  std::string_view canonical = msg::header_name(h.id);
  j["canonical"] = str(canonical.empty() ? h.name : canonical);
  j["value"] = str(h.value);
  if (auto typed = decoder.decode(h)) {
    j["parsed"] = typed->value;
    if (typed->error)
      j["error"] = error_json(msg::describe(typed->error->code), typed->error->offset);
  }
  return j;
}

Json message_json(const msg::Message& m) {
  Json j = Json::object();
  j["type"] = m.is_request() ? "request" : "response";
  j["start_line"] = str(m.start_line());
  if (m.is_request()) {
    j["method"] = str(m.method());
    j["request_uri"] = str(m.request_uri());
  } else {
    j["status_code"] = m.status_code();
    j["reason"] = str(m.reason());
  }
  HeaderDecoder decoder(m);
  Json headers = Json::array();
  for (const auto& h : m.headers()) headers.push_back(header_json(decoder, h));
  j["headers"] = std::move(headers);
  j["body_length"] = m.body().size();
  return j;
}

// Reads the whole file as bytes; nullopt and `error` when it cannot.
std::optional<std::string> read_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::string("cannot read: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::string bytes;
  char buf[64 * 1024];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    bytes.append(buf, static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > kMaxFileBytes) {
      error = "cannot read: larger than 16 MiB";
      return std::nullopt;
    }
  }
  if (in.bad()) {
    error = "cannot read: I/O error";
    return std::nullopt;
  }
  return bytes;
}

// One file: its JSON object (always with "file" and "ok").
Json file_json(const std::string& path) {
  Json j = Json::object();
  j["file"] = path;
  std::string read_error;
  auto bytes = read_file(path, read_error);
  if (!bytes) {
    j["ok"] = false;
    j["error"] = error_json(read_error, std::nullopt);
    return j;
  }
  auto parsed = msg::Message::parse(std::move(*bytes));
  if (!parsed) {
    j["ok"] = false;
    j["error"] = error_json(msg::describe(parsed.error().code), parsed.error().offset);
    return j;
  }
  auto problem = parsed->check();
  j["ok"] = !problem.has_value();
  if (problem) j["error"] = error_json(msg::describe(problem->code), problem->offset);
  j.update(message_json(parsed.value()));
  return j;
}

// Text mode: a parsed value in one line ("transport=UDP host=a port=5060 rport"). Empty and
// null fields are left out, and so are params already shown as fields (tag, branch ...).
std::string summary(const Json& v, const Json* parent = nullptr) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string s;
    for (const auto& item : v) s += (s.empty() ? "" : " | ") + summary(item);
    return s;
  }
  if (!v.is_object()) return v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (v.contains("text")) return v["text"].get<std::string>();  // a URI
  std::string s;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const Json& x = it.value();
    if (x.is_null() || x == false || (x.is_string() && x.get<std::string>().empty()) ||
        ((x.is_object() || x.is_array()) && x.empty()) ||
        (parent != nullptr && parent->contains(it.key()))) {
      continue;
    }
    std::string part = it.key();
    if (x.is_object() && !x.contains("text")) {
      std::string inner = summary(x, it.key() == "params" ? &v : nullptr);
      if (inner.empty()) continue;
      part += "={" + inner + "}";
    } else if (x != true) {
      std::string text = summary(x);
      bool quote = x.is_string() && text.find(' ') != std::string::npos;
      part += "=" + (quote ? "\"" + text + "\"" : text);
    }
    s += (s.empty() ? "" : " ") + part;
  }
  return s;
}

// Folded header lines shown on one line.
std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  return s;
}

void write_text(const Json& j, std::ostream& out, std::ostream& err) {
  const std::string file = j["file"].get<std::string>();
  if (j.contains("start_line")) {
    out << "== " << file << ": " << j["type"].get<std::string>() << "\n";
    out << j["start_line"].get<std::string>() << "\n";
    for (const auto& h : j["headers"]) {
      out << h["name"].get<std::string>() << ": " << one_line(h["value"].get<std::string>())
          << "\n";
      if (h.contains("error")) {
        out << "    ! unparsable: " << h["error"]["reason"].get<std::string>() << " at byte "
            << h["error"]["offset"].dump() << "\n";
      } else if (h.contains("parsed")) {
        out << "    = " << one_line(summary(h["parsed"])) << "\n";
      }
    }
    out << "(body: " << j["body_length"].dump() << " bytes)\n";
  }
  if (!j["ok"].get<bool>()) {
    const Json& e = j["error"];
    err << file << ": ";
    if (e["offset"].is_null()) {
      err << e["reason"].get<std::string>() << "\n";
    } else {
      err << "rejected: " << e["reason"].get<std::string>() << " at byte " << e["offset"].dump()
          << "\n";
    }
  }
}

}  // namespace

int parse_files(const std::vector<std::string>& files, bool json, std::ostream& out,
                std::ostream& err) {
  int rc = 0;
  Json all = Json::array();
  for (const auto& path : files) {
    Json j = file_json(path);
    if (!j["ok"].get<bool>()) rc = 1;
    if (json) {
      all.push_back(std::move(j));
    } else {
      try {
        write_text(j, out, err);
      } catch (const Json::exception&) {
        err << path << ": internal error while printing\n";
        rc = 1;
      }
    }
  }
  if (json) {
    const Json& doc = files.size() == 1 ? all[0] : all;
    out << doc.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
  }
  return rc;
}

}  // namespace sipline
