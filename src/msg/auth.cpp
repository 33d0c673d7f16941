// WWW-Authenticate / Proxy-Authenticate / Authorization / Proxy-Authorization values
// (RFC 3261 25.1, RFC 7616): scheme followed by comma-separated auth-params.
#include "msg/auth_detail.hpp"
#include "msg/scan.hpp"
#include "msg/values.hpp"

namespace sipline::msg {
namespace {

using detail::is;
using detail::kToken;
using detail::scan;
using detail::skip_lws;

ParseError bad(std::size_t off) {
  return ParseError{ParseErrorCode::kBadParam, off};
}

bool is_token68(char c) {
  return is(c, detail::kAlpha | detail::kDigit) || c == '-' || c == '.' || c == '_' || c == '~' ||
         c == '+' || c == '/';
}

// Basic-style credentials: token68 then only '=' padding to the end.
bool try_token68(std::string_view s, std::size_t j, AuthValue& out) {
  std::size_t e = j;
  while (e < s.size() && is_token68(s[e])) ++e;
  if (e == j) return false;
  while (e < s.size() && s[e] == '=') ++e;
  if (skip_lws(s, e) != s.size()) return false;
  out.params.push_back(Param{{}, s.substr(j, e - j), true});
  return true;
}

// One auth-param "name LWS = LWS (token / quoted-string)" at s[j]; sets j past it.
std::optional<ParseError> parse_auth_param(std::string_view s, std::size_t& j, AuthValue& out) {
  const std::size_t ne = scan(s, j, kToken);
  if (ne == j) return bad(j);
  std::size_t k = skip_lws(s, ne);
  if (k >= s.size() || s[k] != '=') return bad(k);
  k = skip_lws(s, k + 1);
  Param p{s.substr(j, ne - j), {}, true};
  if (k < s.size() && s[k] == '"') {
    const std::size_t e = detail::skip_quoted(s, k);
    if (e == std::string_view::npos) return bad(k);
    p.value = s.substr(k + 1, e - k - 2);
    j = e;
  } else {
    std::size_t e = k;
    while (e < s.size() && (is(s[e], kToken) || s[e] == '/' || s[e] == '=' || s[e] == ':')) ++e;
    if (e == k) return bad(k);
    p.value = s.substr(k, e - k);
    j = e;
  }
  out.params.push_back(p);
  return std::nullopt;
}

}  // namespace

namespace detail {

std::optional<ParseError> parse_auth_at(std::string_view s, std::size_t& pos, AuthValue& out) {
  std::size_t i = skip_lws(s, pos);
  const std::size_t se = scan(s, i, kToken);
  if (se == i) return ParseError{ParseErrorCode::kBadHeaderValue, i};
  out.scheme = s.substr(i, se - i);
  std::size_t j = skip_lws(s, se);
  if (j >= s.size()) {
    pos = s.size();
    return std::nullopt;
  }
  if (j == se) return ParseError{ParseErrorCode::kBadHeaderValue, j};
  if (try_token68(s, j, out)) {
    pos = s.size();
    return std::nullopt;
  }
  for (;;) {
    if (auto e = parse_auth_param(s, j, out)) return e;
    j = skip_lws(s, j);
    if (j >= s.size()) break;
    if (s[j] != ',') return bad(j);
    while (j < s.size() && (s[j] == ',' || is(s[j], kLws))) ++j;
    if (j >= s.size()) break;
    // A token not followed by '=' starts the next challenge.
    const std::size_t te = scan(s, j, kToken);
    const std::size_t k = skip_lws(s, te);
    if (te > j && (k >= s.size() || s[k] != '=')) {
      pos = j;
      return std::nullopt;
    }
  }
  pos = s.size();
  return std::nullopt;
}

}  // namespace detail

std::string_view AuthValue::param(std::string_view name) const {
  const Param* p = find_param(params, name);
  return p != nullptr ? p->value : std::string_view{};
}

std::vector<std::string_view> AuthValue::list(std::string_view name) const {
  std::vector<std::string_view> out;
  const std::string_view v = param(name);
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ',' || is(v[i], detail::kLws))) ++i;
    const std::size_t b = i;
    while (i < v.size() && v[i] != ',' && !is(v[i], detail::kLws)) ++i;
    if (i > b) out.push_back(v.substr(b, i - b));
  }
  return out;
}

bool AuthValue::stale() const {
  return detail::iequals(param("stale"), "true");
}

base::Result<AuthValue, ParseError> parse_auth(std::string_view text) {
  AuthValue out;
  std::size_t pos = 0;
  if (auto e = detail::parse_auth_at(text, pos, out)) return base::fail(*e);
  return out;
}

}  // namespace sipline::msg
