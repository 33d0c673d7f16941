// libFuzzer target: untrusted bytes through Message::parse and every typed accessor, the free
// value parsers, check(), serialize() and the writer. Nothing may crash, read out of bounds or
// throw; every view must point into the message; serialize() must give back the bytes;
// rebuilding a parsed message with the writer must parse again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_require.hpp"
#include "msg/framer.hpp"
#include "msg/message.hpp"
#include "msg/values.hpp"
#include "msg/writer.hpp"

namespace {

using namespace sipline::msg;

bool inside(std::string_view outer, std::string_view v) {
  if (v.empty()) return true;
  return v.data() >= outer.data() && v.data() + v.size() <= outer.data() + outer.size();
}

void check_params(std::string_view outer, std::span<const Param> ps) {
  for (const Param& p : ps) require(inside(outer, p.name) && inside(outer, p.value));
}

void check_uri(std::string_view outer, const Uri& u) {
  require(inside(outer, u.text) && inside(outer, u.user) && inside(outer, u.host));
  check_params(outer, u.params);
  check_params(outer, u.headers);
  (void)format_uri(u);
}

void check_name_addr(std::string_view outer, const NameAddr& na) {
  require(inside(outer, na.display_name));
  check_uri(outer, na.uri);
  check_params(outer, na.params);
  (void)na.tag();
}

template <typename R>
void check_error(const R& r, std::size_t size) {
  if (!r) require(r.error().offset <= size && !describe(r.error().code).empty());
}

void typed_accessors(const Message& m) {
  const std::string_view raw = m.raw();
  const std::size_t n = raw.size();
  if (auto v = m.vias(); v) {
    for (const Via& via : *v) {
      require(inside(raw, via.host) && inside(raw, via.transport));
      check_params(raw, via.params);
      (void)via.branch(), (void)via.received(), (void)via.maddr(), (void)via.rport();
    }
  } else {
    check_error(v, n);
  }
  check_error(m.top_via(), n);
  for (auto r : {m.from(), m.to()}) {
    if (r) check_name_addr(raw, *r);
    check_error(r, n);
  }
  require(inside(raw, m.call_id()));
  check_error(m.cseq(), n);
  if (auto cs = m.contacts(); cs) {
    for (const Contact& c : *cs) {
      if (!c.star) check_name_addr(raw, c.addr);
      (void)c.expires(), (void)c.instance();
    }
  } else {
    check_error(cs, n);
  }
  for (HeaderId id : {HeaderId::kExpires, HeaderId::kMinExpires, HeaderId::kMaxForwards,
                      HeaderId::kContentLength, HeaderId::kRetryAfter}) {
    (void)m.uint_header(id);
  }
  check_error(m.retry_after(), n);
  for (HeaderId id : {HeaderId::kWwwAuthenticate, HeaderId::kProxyAuthenticate,
                      HeaderId::kAuthorization, HeaderId::kProxyAuthorization}) {
    if (auto a = m.auth(id); a) {
      for (const AuthValue& v : *a) {
        check_params(raw, v.params);
        (void)v.list("qop"), (void)v.list("domain"), (void)v.stale();
      }
    } else {
      check_error(a, n);
    }
  }
  for (HeaderId id : {HeaderId::kRoute, HeaderId::kRecordRoute, HeaderId::kPPreferredIdentity,
                      HeaderId::kPAssertedIdentity, HeaderId::kPath}) {
    if (auto l = m.name_addrs(id); l) {
      for (const NameAddr& na : *l) check_name_addr(raw, na);
    } else {
      check_error(l, n);
    }
  }
  for (HeaderId id : {HeaderId::kRequire, HeaderId::kSupported, HeaderId::kAllow,
                      HeaderId::kPrivacy, HeaderId::kProxyRequire, HeaderId::kUnsupported}) {
    for (std::string_view t : m.tokens(id)) require(inside(raw, t));
  }
  check_error(m.event(), n);
  check_error(m.subscription_state(), n);
  if (auto s = m.subscription_state(); s) (void)s->expires();
  if (m.is_request()) check_error(m.uri(), n);
  if (auto e = m.check()) require(e->offset <= n);
}

void headers_and_round_trip(const Message& m) {
  const std::string_view raw = m.raw();
  require(m.serialize() == raw);
  std::size_t content_lengths = 0;
  for (const HeaderField& h : m.headers()) {
    require(inside(raw, h.name) && inside(raw, h.value) && h.offset < raw.size());
    require(header_id(h.name) == h.id);
    require(m.find(h.name) != nullptr);
    for (std::string_view v : m.values(h.id)) require(inside(raw, v));
    (void)m.count_values(h.id);
    content_lengths += h.id == HeaderId::kContentLength;
  }
  require(inside(raw, m.body()) && inside(raw, m.start_line()));
  // Rebuild with the writer (its own Content-Length) and parse again.
  MessageWriter w = m.is_request() ? MessageWriter::request(m.method(), m.request_uri())
                                   : MessageWriter::response(m.status_code(), m.reason());
  for (const HeaderField& h : m.headers()) {
    if (h.id != HeaderId::kContentLength) w.header(h.name, h.value);
  }
  const std::string rebuilt = w.finish(m.body());
  // The writer normalises "Name: value" and CRLFs and may add a Content-Length, so the copy
  // can be a little larger than the original: parse it with room for that.
  Limits roomy;
  roomy.max_headers = m.headers().size() + 2;
  roomy.max_header_bytes = 2 * rebuilt.size() + 64;
  roomy.max_line_bytes = 2 * rebuilt.size() + 64;
  roomy.max_content_length = m.body().size();
  auto again = Message::parse(rebuilt, roomy);
  require(again.ok());
  require(again->headers().size() == m.headers().size() - content_lengths + 1);
  require(again->body() == m.body());
  // Copies and moves keep their views valid.
  Message copy = m;
  Message moved = std::move(copy);
  require(moved.serialize() == raw && inside(moved.raw(), moved.start_line()));
  if (m.is_request()) (void)response_to(m, 200, reason_phrase(200), "fuzz").finish();
}

// The free parsers on the raw input (they take any text).
void free_parsers(std::string_view text) {
  const std::size_t n = text.size();
  if (auto u = parse_uri(text); u)
    check_uri(text, *u);
  else
    check_error(u, n);
  if (auto na = parse_name_addr(text); na)
    check_name_addr(text, *na);
  else
    check_error(na, n);
  check_error(parse_via(text), n);
  check_error(parse_contact(text), n);
  check_error(parse_cseq(text), n);
  check_error(parse_auth(text), n);
  check_error(parse_retry_after(text), n);
  check_error(parse_event(text), n);
  check_error(parse_subscription_state(text), n);
  (void)parse_uint(text);
  require(unquote(quote(text)) == text);
  (void)header_id(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  free_parsers(bytes);
  // Default limits, then tight ones chosen by the first byte so that every limit is hit.
  Limits tight;
  const unsigned k = size > 0 ? data[0] : 0;
  tight.max_header_bytes = 64 + (k & 15) * 64;
  tight.max_headers = 1 + (k >> 4);
  tight.max_line_bytes = 16 + (k & 7) * 32;
  tight.max_content_length = (k & 3) * 40;
  for (const Limits& limits : {Limits{}, tight}) {
    auto m = Message::parse(bytes, limits);
    if (!m) {
      require(m.error().offset <= size && !describe(m.error().code).empty());
      continue;
    }
    require(m->raw().size() <= size);
    typed_accessors(*m);
    headers_and_round_trip(*m);
  }
  return 0;
}
