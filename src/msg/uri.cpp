// SIP/SIPS URIs (RFC 3261 19.1, 25.1) and the parameter lists shared by header values.
#include <optional>

#include "msg/parse_detail.hpp"
#include "msg/scan.hpp"
#include "msg/values.hpp"

namespace sipline::msg {
namespace detail {
namespace {

constexpr std::size_t npos = std::string_view::npos;

ParseError bad(ParseErrorCode c, std::size_t off) {
  return ParseError{c, off};
}

// Scans characters of class `cls` and %HH escapes; npos on a broken escape.
SIPLINE_MSG_INLINE std::size_t scan_escaped(std::string_view s, std::size_t i, std::uint16_t cls) {
  for (;;) {
    i = scan(s, i, cls);
    if (i >= s.size() || s[i] != '%') return i;
    if (i + 2 >= s.size() || !is(s[i + 1], kHex) || !is(s[i + 2], kHex)) return npos;
    i += 3;
  }
}

// host = hostname / IPv4address / IPv6reference; returns its end or npos.
SIPLINE_MSG_INLINE std::size_t scan_host(std::string_view s, std::size_t i) {
  if (i < s.size() && s[i] == '[') {
    std::size_t j = i + 1;
    while (j < s.size() && (is(s[j], kHex) || s[j] == ':' || s[j] == '.')) ++j;
    if (j >= s.size() || s[j] != ']' || j == i + 1) return npos;
    return j + 1;
  }
  const std::size_t e = scan(s, i, kHostChar);
  return e == i ? npos : e;
}

// port = 1*5DIGIT, at most 65535.
SIPLINE_MSG_INLINE std::size_t scan_port(std::string_view s, std::size_t i, std::uint16_t& port) {
  const std::size_t b = i;
  std::uint32_t v = 0;
  for (; i < s.size() && i - b <= 5; ++i) {
    const auto d = static_cast<std::uint32_t>(static_cast<unsigned char>(s[i]) - '0');
    if (d > 9) break;
    v = v * 10 + d;
  }
  if (i == b || i - b > 5 || v > 65535) return npos;
  port = static_cast<std::uint16_t>(v);
  return i;
}

Scheme scheme_of(std::string_view s) {
  if (iequals(s, "sip")) return Scheme::kSip;
  if (iequals(s, "sips")) return Scheme::kSips;
  if (iequals(s, "tel")) return Scheme::kTel;
  return Scheme::kOther;
}

// userinfo = user [ ":" password ]; the part before '@'.
SIPLINE_MSG_INLINE std::optional<ParseError> parse_userinfo(std::string_view rest, std::size_t at,
                                                            Uri* out) {
  const std::string_view ui = sub(rest, 0, at);
  const std::size_t ue = scan_escaped(ui, 0, kUser);
  if (ue == npos || ue == 0) return bad(ParseErrorCode::kBadUri, ue == npos ? 0 : ue);
  std::string_view password;
  if (ue < ui.size()) {
    if (ui[ue] != ':') return bad(ParseErrorCode::kBadUri, ue);
    const std::size_t pe = scan_escaped(ui, ue + 1, kPassword);
    if (pe != ui.size()) return bad(ParseErrorCode::kBadUri, pe == npos ? ue : pe);
    password = sub(ui, ue + 1, ui.size() - ue - 1);
  }
  if (out != nullptr) {
    out->user = sub(ui, 0, ue);
    out->password = password;
  }
  return std::nullopt;
}

// uri-parameters and ?headers after the hostport.
SIPLINE_MSG_INLINE std::optional<ParseError> parse_uri_tail(std::string_view rest, std::size_t i,
                                                            Uri* out, bool allow_headers) {
  while (i < rest.size() && rest[i] == ';') {
    const std::size_t nb = i + 1;
    const std::size_t ne = scan_escaped(rest, nb, kParamChar);
    if (ne == npos || ne == nb) return bad(ParseErrorCode::kBadParam, nb);
    Param p{sub(rest, nb, ne - nb), {}, false};
    i = ne;
    if (i < rest.size() && rest[i] == '=') {
      const std::size_t ve = scan_escaped(rest, i + 1, kParamChar);
      if (ve == npos || ve == i + 1) return bad(ParseErrorCode::kBadParam, i + 1);
      p.value = sub(rest, i + 1, ve - i - 1);
      p.has_value = true;
      i = ve;
    }
    if (out != nullptr) {
      out->params.push_back(p);
    }
  }
  if (i < rest.size() && rest[i] == '?') {
    if (!allow_headers) return bad(ParseErrorCode::kBadUri, i);
    do {
      const std::size_t nb = i + 1;
      const std::size_t ne = scan_escaped(rest, nb, kHnvChar);
      if (ne == npos || ne == nb || ne >= rest.size() || rest[ne] != '=') {
        return bad(ParseErrorCode::kBadUri, ne == npos ? nb : ne);
      }
      const std::size_t ve = scan_escaped(rest, ne + 1, kHnvChar);
      if (ve == npos) return bad(ParseErrorCode::kBadUri, ne + 1);
      if (out != nullptr) {
        out->headers.push_back(Param{sub(rest, nb, ne - nb), sub(rest, ne + 1, ve - ne - 1), true});
      }
      i = ve;
    } while (i < rest.size() && rest[i] == '&');
  }
  if (i != rest.size()) return bad(ParseErrorCode::kBadUri, i);
  return std::nullopt;
}

}  // namespace

std::size_t scan_scheme_slow(std::string_view text, Scheme& scheme) {
  const char* t = text.data();
  const std::size_t n = text.size();
  if (n == 0 || !is(t[0], kAlpha)) return 0;
  std::size_t i = 1;
  while (i < n && (is(t[i], kAlpha | kDigit) || t[i] == '+' || t[i] == '-' || t[i] == '.')) ++i;
  if (i >= n || t[i] != ':') return 0;
  scheme = scheme_of(text.substr(0, i));
  return i;
}

std::optional<ParseError> parse_uri_into(std::string_view text, Uri* out, bool allow_headers) {
  Scheme scheme = Scheme::kOther;
  const std::size_t i = scan_scheme(text, scheme);
  if (i == 0 || i + 1 >= text.size()) return bad(ParseErrorCode::kBadUri, i);
  if (out != nullptr) {
    out->scheme = scheme;
    out->scheme_text = sub(text, 0, i);
    out->text = text;
  }
  if (scheme != Scheme::kSip && scheme != Scheme::kSips) {
    for (std::size_t k = i + 1; k < text.size(); ++k) {
      const char c = text[k];
      if (is(c, kLws) || c == '<' || c == '>' || c == '"') return bad(ParseErrorCode::kBadUri, k);
    }
    return std::nullopt;
  }
  const std::size_t base = i + 1;
  const std::string_view rest = sub(text, base, text.size() - base);
  std::size_t h = 0;
  const std::size_t at = find_byte(rest, 0, '@');
  if (at != npos) {
    if (auto e = parse_userinfo(rest, at, out)) return shifted(*e, base);
    h = at + 1;
  }
  const std::size_t he = scan_host(rest, h);
  if (he == npos) return bad(ParseErrorCode::kBadUri, base + h);
  if (out != nullptr) out->host = sub(rest, h, he - h);
  h = he;
  if (h < rest.size() && rest[h] == ':') {
    std::uint16_t port = 0;
    const std::size_t pe = scan_port(rest, h + 1, port);
    if (pe == npos) return bad(ParseErrorCode::kBadUri, base + h + 1);
    if (out != nullptr) out->port = port;
    h = pe;
  }
  if (auto e = parse_uri_tail(rest, h, out, allow_headers)) return shifted(*e, base);
  return std::nullopt;
}

std::optional<ParseError> parse_header_params(std::string_view s, std::size_t& pos, Params* out) {
  const std::size_t n = s.size();
  const char* d = s.data();
  std::size_t i = pos;
  // LWS is rare around ';' and '=': the expected character is tested first.
  while (i < n) {
    if (d[i] != ';') {
      if (is(d[i], kLws)) {
        i = skip_lws(s, i);
        continue;
      }
      if (d[i] == ',') break;
      return bad(ParseErrorCode::kBadParam, i);
    }
    ++i;
    if (i < n && is(d[i], kLws)) i = skip_lws(s, i);
    const std::size_t nb = i;
    i = scan(s, i, kToken);
    if (i == nb) return bad(ParseErrorCode::kBadParam, nb);
    Param p{std::string_view(d + nb, i - nb), {}, false};
    std::size_t j = i;
    if (j < n && d[j] != '=' && is(d[j], kLws)) j = skip_lws(s, j);
    if (j < n && d[j] == '=') {
      ++j;
      if (j < n && is(d[j], kLws)) j = skip_lws(s, j);
      if (j >= n) return bad(ParseErrorCode::kBadParam, j);
      std::size_t e;
      if (d[j] == '"') {
        e = skip_quoted(s, j);
        if (e == npos) return bad(ParseErrorCode::kBadParam, j);
        p.value = std::string_view(d + j + 1, e - j - 2);
      } else if (d[j] == '[') {
        e = scan_host(s, j);
        if (e == npos) return bad(ParseErrorCode::kBadParam, j);
        p.value = std::string_view(d + j, e - j);
      } else {
        e = scan(s, j, kToken);
        // RFC 3261 via-received is IPv4address / IPv6address, the latter unbracketed
        // ("received=::1", "received=2001:db8::9"): at a ':' the value goes on over hex
        // digits, ':' and '.'. Only there: any other parameter value stays a token.
        if (e < n && d[e] == ':' && iequals(p.name, "received")) {
          while (e < n && (is(d[e], kHex) || d[e] == ':' || d[e] == '.')) ++e;
        }
        if (e == j) return bad(ParseErrorCode::kBadParam, j);
        p.value = std::string_view(d + j, e - j);
      }
      p.has_value = true;
      i = e;
    }
    if (out != nullptr) out->push_back(p);
  }
  pos = i;
  return std::nullopt;
}

}  // namespace detail

std::string_view Uri::param(std::string_view name) const {
  const Param* p = find_param(params, name);
  return p != nullptr ? p->value : std::string_view{};
}

base::Result<Uri, ParseError> parse_uri(std::string_view text) {
  Uri uri;
  if (auto e = detail::parse_uri_into(text, &uri)) return base::fail(*e);
  return uri;
}

}  // namespace sipline::msg
