// Message's typed accessors: each parses its header(s) when called. Error offsets are turned
// into offsets within the whole message.
#include "msg/auth_detail.hpp"
#include "msg/message.hpp"
#include "msg/parse_detail.hpp"
#include "msg/scan.hpp"

namespace sipline::msg {
namespace {

ParseError missing(std::size_t off) {
  return ParseError{ParseErrorCode::kMissingHeader, off};
}

}  // namespace

ParseError Message::at(std::string_view value, ParseError e) const {
  e.offset += static_cast<std::size_t>(value.data() - raw_.data());
  return e;
}

base::Result<std::vector<Via>, ParseError> Message::vias() const {
  std::vector<Via> out;
  for (const HeaderField& h : headers_) {
    if (h.id != HeaderId::kVia) continue;
    detail::CommaSplitter sp{h.value};
    std::string_view v;
    std::size_t off = 0;
    while (sp.next(v, off)) {
      auto via = parse_via(v);
      if (!via) return base::fail(at(v, via.error()));
      out.push_back(std::move(via).value());
    }
  }
  return out;
}

base::Result<Via, ParseError> Message::top_via() const {
  const HeaderField* h = find(HeaderId::kVia);
  if (h == nullptr) return base::fail(missing(0));
  detail::CommaSplitter sp{h->value};
  std::string_view v;
  std::size_t off = 0;
  sp.next(v, off);
  auto via = parse_via(v);
  if (!via) return base::fail(at(v, via.error()));
  return via;
}

base::Result<NameAddr, ParseError> Message::from() const {
  const HeaderField* h = find(HeaderId::kFrom);
  if (h == nullptr) return base::fail(missing(0));
  auto na = parse_name_addr(h->value);
  if (!na) return base::fail(at(h->value, na.error()));
  return na;
}

base::Result<NameAddr, ParseError> Message::to() const {
  const HeaderField* h = find(HeaderId::kTo);
  if (h == nullptr) return base::fail(missing(0));
  auto na = parse_name_addr(h->value);
  if (!na) return base::fail(at(h->value, na.error()));
  return na;
}

std::string_view Message::call_id() const {
  const HeaderField* h = find(HeaderId::kCallId);
  return h != nullptr ? h->value : std::string_view{};
}

base::Result<CSeq, ParseError> Message::cseq() const {
  const HeaderField* h = find(HeaderId::kCSeq);
  if (h == nullptr) return base::fail(missing(0));
  auto c = parse_cseq(h->value);
  if (!c) return base::fail(at(h->value, c.error()));
  return c;
}

base::Result<std::vector<Contact>, ParseError> Message::contacts() const {
  std::vector<Contact> out;
  for (const HeaderField& h : headers_) {
    if (h.id != HeaderId::kContact || h.value.empty()) continue;
    detail::CommaSplitter sp{h.value};
    std::string_view v;
    std::size_t off = 0;
    while (sp.next(v, off)) {
      auto c = parse_contact(v);
      if (!c) return base::fail(at(v, c.error()));
      out.push_back(std::move(c).value());
    }
  }
  return out;
}

std::optional<std::uint32_t> Message::uint_header(HeaderId id) const {
  const HeaderField* h = find(id);
  if (h == nullptr) return std::nullopt;
  std::string_view v = h->value;
  if (id == HeaderId::kRetryAfter) {
    v = v.substr(0, detail::scan(v, 0, detail::kDigit));
  }
  auto n = parse_uint(v);
  if (id == HeaderId::kMaxForwards && n && *n > 255) return std::nullopt;
  return n;
}

base::Result<RetryAfter, ParseError> Message::retry_after() const {
  const HeaderField* h = find(HeaderId::kRetryAfter);
  if (h == nullptr) return base::fail(missing(0));
  auto r = parse_retry_after(h->value);
  if (!r) return base::fail(at(h->value, r.error()));
  return r;
}

base::Result<std::vector<AuthValue>, ParseError> Message::auth(HeaderId id) const {
  std::vector<AuthValue> out;
  for (const HeaderField& h : headers_) {
    if (h.id != id) continue;
    std::size_t pos = 0;
    do {
      AuthValue v;
      if (auto e = detail::parse_auth_at(h.value, pos, v)) return base::fail(at(h.value, *e));
      out.push_back(std::move(v));
    } while (pos < h.value.size());
  }
  return out;
}

base::Result<std::vector<NameAddr>, ParseError> Message::name_addrs(HeaderId id) const {
  std::vector<NameAddr> out;
  for (const HeaderField& h : headers_) {
    if (h.id != id || h.value.empty()) continue;
    detail::CommaSplitter sp{h.value};
    std::string_view v;
    std::size_t off = 0;
    while (sp.next(v, off)) {
      auto na = parse_name_addr(v);
      if (!na) return base::fail(at(v, na.error()));
      out.push_back(std::move(na).value());
    }
  }
  return out;
}

std::vector<std::string_view> Message::tokens(HeaderId id) const {
  std::vector<std::string_view> out = values(id);
  std::erase_if(out, [](std::string_view v) { return v.empty(); });
  return out;
}

base::Result<EventValue, ParseError> Message::event() const {
  const HeaderField* h = find(HeaderId::kEvent);
  if (h == nullptr) return base::fail(missing(0));
  auto e = parse_event(h->value);
  if (!e) return base::fail(at(h->value, e.error()));
  return e;
}

base::Result<SubscriptionState, ParseError> Message::subscription_state() const {
  const HeaderField* h = find(HeaderId::kSubscriptionState);
  if (h == nullptr) return base::fail(missing(0));
  auto s = parse_subscription_state(h->value);
  if (!s) return base::fail(at(h->value, s.error()));
  return s;
}

base::Result<Uri, ParseError> Message::uri() const {
  if (!is_request()) return base::fail(missing(0));
  auto u = parse_uri(request_uri_);
  if (!u) return base::fail(at(request_uri_, u.error()));
  return u;
}

}  // namespace sipline::msg
