// Typed header values: name-addr, Via, Contact, CSeq, Retry-After, Event, Subscription-State.
#include "msg/values.hpp"

#include <cstring>

#include "msg/parse_detail.hpp"
#include "msg/scan.hpp"

namespace sipline::msg {
namespace {

using detail::is;
using detail::kLws;
using detail::kToken;
using detail::scan;
using detail::skip_lws;
constexpr std::size_t npos = std::string_view::npos;

ParseError bad(ParseErrorCode c, std::size_t off) {
  return ParseError{c, off};
}

// Decimal that fits 32 bits.
bool to_u32(std::string_view s, std::uint32_t& out) {
  if (s.empty() || s.size() > 10) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is(c, detail::kDigit)) return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > 0xffffffffULL) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

// "<" addr-spec ">" starting at s[i] == '<'; sets i past '>'.
std::optional<ParseError> parse_bracketed_uri(std::string_view s, std::size_t& i, Uri& uri) {
  // RFC 4475 badaspec: no LWS just inside the brackets.
  if (i + 1 >= s.size() || is(s[i + 1], kLws)) return bad(ParseErrorCode::kBadUri, i + 1);
  const std::size_t close = detail::find_byte(s, i, '>');
  if (close == npos) return bad(ParseErrorCode::kBadUri, s.size());
  if (is(s[close - 1], kLws)) return bad(ParseErrorCode::kBadUri, close - 1);
  if (auto e = detail::parse_uri_into(detail::sub(s, i + 1, close - i - 1), &uri)) {
    return detail::shifted(*e, i + 1);
  }
  i = close + 1;
  return std::nullopt;
}

// Display name (quoted-string or tokens) up to '<'; npos in `lt` when there is none.
std::optional<ParseError> parse_display(std::string_view s, std::size_t i, NameAddr& out,
                                        std::size_t& lt) {
  lt = npos;
  if (i < s.size() && s[i] == '"') {
    const std::size_t e = detail::skip_quoted(s, i);
    if (e == npos) return bad(ParseErrorCode::kBadHeaderValue, i);  // RFC 4475 quotbal
    const std::size_t j = skip_lws(s, e);
    if (j >= s.size() || s[j] != '<') return bad(ParseErrorCode::kBadHeaderValue, j);
    out.display_name = detail::sub(s, i + 1, e - i - 2);
    lt = j;
    return std::nullopt;
  }
  std::size_t j = i;
  std::size_t last_token_end = i;
  while (j < s.size()) {
    const std::size_t t = scan(s, j, kToken);
    if (t == j) break;
    last_token_end = t;
    j = skip_lws(s, t);
  }
  if (j < s.size() && s[j] == '<') {
    out.display_name = detail::sub(s, i, last_token_end - i);
    lt = j;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint32_t> parse_uint(std::string_view text) {
  std::uint32_t v = 0;
  if (!to_u32(text, v)) return std::nullopt;
  return v;
}

std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return out;
}

namespace detail {

std::optional<ParseError> parse_name_addr_at(std::string_view s, std::size_t& pos, NameAddr& out) {
  std::size_t i = pos < s.size() && is(s[pos], kLws) ? skip_lws(s, pos) : pos;
  if (i >= s.size() || s[i] == ',') return bad(ParseErrorCode::kBadHeaderValue, i);
  std::size_t lt = i;
  if (s[i] != '<') {
    if (auto e = parse_display(s, i, out, lt)) return e;
  }
  if (lt != npos) {
    i = lt;
    if (auto e = parse_bracketed_uri(s, i, out.uri)) return e;
  } else {
    // addr-spec: the URI ends at LWS, ';' or ',' (what follows are header params, RFC 3261
    // 20.10).
    const std::size_t e = scan(s, i, detail::kAddrSpec);
    if (auto err = detail::parse_uri_into(detail::sub(s, i, e - i), &out.uri)) {
      return detail::shifted(*err, i);
    }
    // "?" headers need <> (RFC 4475 regbadct).
    if (!out.uri.headers.empty()) return bad(ParseErrorCode::kBadUri, i);
    i = e;
  }
  if (auto e = detail::parse_header_params(s, i, &out.params)) return e;
  pos = i;
  return std::nullopt;
}

}  // namespace detail

base::Result<NameAddr, ParseError> parse_name_addr(std::string_view s) {
  NameAddr out;
  if (auto e = detail::parse_single(s, out, detail::parse_name_addr_at)) return base::fail(*e);
  return out;
}

// ---- Via ------------------------------------------------------------------------------------

std::string_view Via::received() const {
  const Param* p = find_param(params, "received");
  return p != nullptr ? p->value : std::string_view{};
}
std::string_view Via::maddr() const {
  const Param* p = find_param(params, "maddr");
  return p != nullptr ? p->value : std::string_view{};
}
bool Via::has_rport() const {
  return find_param(params, "rport") != nullptr;
}
std::optional<std::uint16_t> Via::rport() const {
  const Param* p = find_param(params, "rport");
  if (p == nullptr || !p->has_value) return std::nullopt;
  std::uint32_t v = 0;
  if (!to_u32(p->value, v) || v > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

namespace detail {

// Fast path for the usual "SIP/2.0/" prefix (any case for "SIP"); 0 when it is not there.
std::size_t sip20_prefix(std::string_view s, std::size_t i) {
  if (s.size() - i < 8) return 0;
  const char* d = s.data() + i;
  if ((d[0] | 0x20) != 's' || (d[1] | 0x20) != 'i' || (d[2] | 0x20) != 'p') return 0;
  return std::memcmp(d + 3, "/2.0/", 5) == 0 ? i + 8 : 0;
}

// sent-protocol = protocol-name LWS? "/" LWS? protocol-version LWS? "/" LWS? transport; sets
// protocol, transport and the position after the transport.
std::optional<ParseError> parse_sent_protocol(std::string_view s, std::size_t& i, Via& via) {
  const auto fail_at = [](std::size_t off) { return bad(ParseErrorCode::kBadHeaderValue, off); };
  const std::size_t pb = i;
  std::size_t e;
  if (const std::size_t t = sip20_prefix(s, i); t != 0) {
    via.protocol = detail::sub(s, pb, 7);
    i = skip_lws(s, t);  // SLASH = SWS "/" SWS: "SIP/2.0/ UDP" is valid
  } else {
    e = scan(s, i, kToken);
    if (e == i || !detail::iequals(s.substr(i, e - i), "SIP")) return fail_at(i);
    i = skip_lws(s, e);
    if (i >= s.size() || s[i] != '/') return fail_at(i);
    i = skip_lws(s, i + 1);
    e = scan(s, i, kToken);
    if (s.substr(i, e - i) != "2.0") return fail_at(i);
    via.protocol = s.substr(pb, e - pb);
    i = skip_lws(s, e);
    if (i >= s.size() || s[i] != '/') return fail_at(i);
    i = skip_lws(s, i + 1);
  }
  e = scan(s, i, kToken);
  if (e == i) return fail_at(i);
  via.transport = std::string_view(s.data() + i, e - i);
  i = e;
  return std::nullopt;
}

std::optional<ParseError> parse_via_at(std::string_view s, std::size_t& pos, Via& via) {
  const auto fail_at = [](std::size_t off) { return bad(ParseErrorCode::kBadHeaderValue, off); };
  const char* d = s.data();
  const std::size_t n = s.size();
  std::size_t i = pos < n && is(d[pos], kLws) ? skip_lws(s, pos) : pos;
  if (auto err = parse_sent_protocol(s, i, via)) return err;
  const std::size_t e0 = i;
  i = skip_lws(s, i);
  if (i == e0) return fail_at(i);  // LWS before sent-by is mandatory
  // sent-by = host [ LWS? ":" LWS? port ]
  std::size_t e = i;
  if (e < n && d[e] == '[') {
    e = s.find(']', e);
    e = e == npos ? i : e + 1;
  } else {
    e = scan(s, i, detail::kHostChar);
  }
  if (e == i) return fail_at(i);
  via.host = std::string_view(d + i, e - i);
  i = e < n && is(d[e], kLws) ? skip_lws(s, e) : e;
  if (i < n && d[i] == ':') {
    ++i;
    if (i < n && is(d[i], kLws)) i = skip_lws(s, i);
    e = scan(s, i, detail::kDigit);
    if (e == i || e - i > 5) return fail_at(i);
    std::uint32_t port = 0;
    for (std::size_t k = i; k < e; ++k) port = port * 10 + static_cast<std::uint32_t>(d[k] - '0');
    if (port > 65535) return fail_at(i);
    via.port = static_cast<std::uint16_t>(port);
    i = e;
  }
  if (auto err = detail::parse_header_params(s, i, &via.params)) return err;
  pos = i;
  return std::nullopt;
}

}  // namespace detail

base::Result<Via, ParseError> parse_via(std::string_view s) {
  Via via;
  if (auto e = detail::parse_single(s, via, detail::parse_via_at)) return base::fail(*e);
  return via;
}

// ---- Contact, CSeq ---------------------------------------------------------------------------

std::optional<std::uint32_t> Contact::expires() const {
  const Param* p = find_param(addr.params, "expires");
  if (p == nullptr) return std::nullopt;
  return parse_uint(p->value);
}

std::string_view Contact::instance() const {
  const Param* p = find_param(addr.params, "+sip.instance");
  return p != nullptr ? p->value : std::string_view{};
}

namespace detail {

std::optional<ParseError> parse_contact_at(std::string_view s, std::size_t& pos, Contact& c) {
  const std::size_t i = skip_lws(s, pos);
  if (i < s.size() && s[i] == '*') {
    const std::size_t j = skip_lws(s, i + 1);
    if (j == s.size() || s[j] == ',') {
      c.star = true;
      pos = j;
      return std::nullopt;
    }
  }
  return parse_name_addr_at(s, pos, c.addr);
}

}  // namespace detail

base::Result<Contact, ParseError> parse_contact(std::string_view s) {
  Contact c;
  if (auto e = detail::parse_single(s, c, detail::parse_contact_at)) return base::fail(*e);
  return c;
}

namespace detail {

std::optional<ParseError> parse_cseq_at(std::string_view s, std::size_t& pos, CSeq& out) {
  const char* d = s.data();
  const std::size_t n = s.size();
  std::size_t i = pos < n && is(d[pos], kLws) ? skip_lws(s, pos) : pos;
  std::size_t e = scan(s, i, detail::kDigit);
  if (!to_u32(std::string_view(d + i, e - i), out.seq)) {
    return bad(ParseErrorCode::kBadHeaderValue, i);
  }
  i = skip_lws(s, e);
  if (i == e) return bad(ParseErrorCode::kBadHeaderValue, i);
  e = scan(s, i, kToken);
  if (e == i || (e < n && skip_lws(s, e) != n)) return bad(ParseErrorCode::kBadHeaderValue, e);
  out.method = std::string_view(d + i, e - i);
  pos = n;
  return std::nullopt;
}

}  // namespace detail

base::Result<CSeq, ParseError> parse_cseq(std::string_view s) {
  CSeq out;
  if (auto e = detail::parse_single(s, out, detail::parse_cseq_at)) return base::fail(*e);
  return out;
}

// ---- Retry-After, Event, Subscription-State -------------------------------------------------

base::Result<RetryAfter, ParseError> parse_retry_after(std::string_view s) {
  RetryAfter out;
  std::size_t i = skip_lws(s, 0);
  std::size_t e = scan(s, i, detail::kDigit);
  if (!to_u32(s.substr(i, e - i), out.seconds)) {
    return base::fail(bad(ParseErrorCode::kBadHeaderValue, i));
  }
  i = skip_lws(s, e);
  if (i < s.size() && s[i] == '(') {  // comment, may nest, may hold quoted-pairs
    int depth = 0;
    std::size_t j = i;
    for (; j < s.size(); ++j) {
      if (s[j] == '\\') {
        ++j;
      } else if (s[j] == '(') {
        ++depth;
      } else if (s[j] == ')' && --depth == 0) {
        break;
      }
    }
    if (j >= s.size()) return base::fail(bad(ParseErrorCode::kBadHeaderValue, i));
    out.comment = s.substr(i + 1, j - i - 1);
    i = j + 1;
  }
  if (auto err = detail::parse_header_params(s, i, &out.params)) return base::fail(*err);
  if (i != s.size()) return base::fail(bad(ParseErrorCode::kBadHeaderValue, i));
  return out;
}

namespace {
// token *( ";" param ), shared by Event and Subscription-State.
std::optional<ParseError> parse_token_params(std::string_view s, std::string_view& token,
                                             Params& params) {
  const std::size_t i = skip_lws(s, 0);
  std::size_t e = scan(s, i, kToken);
  if (e == i) return bad(ParseErrorCode::kBadHeaderValue, i);
  token = s.substr(i, e - i);
  if (auto err = detail::parse_header_params(s, e, &params)) return err;
  if (e != s.size()) return bad(ParseErrorCode::kBadHeaderValue, e);
  return std::nullopt;
}
}  // namespace

base::Result<EventValue, ParseError> parse_event(std::string_view s) {
  EventValue out;
  if (auto e = parse_token_params(s, out.package, out.params)) return base::fail(*e);
  return out;
}

base::Result<SubscriptionState, ParseError> parse_subscription_state(std::string_view s) {
  SubscriptionState out;
  if (auto e = parse_token_params(s, out.state, out.params)) return base::fail(*e);
  return out;
}

std::optional<std::uint32_t> SubscriptionState::expires() const {
  const Param* p = find_param(params, "expires");
  if (p == nullptr) return std::nullopt;
  return parse_uint(p->value);
}

}  // namespace sipline::msg
