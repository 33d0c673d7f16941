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

// GCC (12, -O3 with ASan) warns that the variant assignment below may read members of the
// value it replaces before they were set; they are all initialised (a false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// Parses the value of `h` (or, with first_only, its first list element) straight into the
// returned Result, so the (large) value is not moved around. `base` is the message start.
template <typename T, typename ParseAt>
base::Result<T, ParseError> parse_value(const HeaderField* h, const char* base, ParseAt parse_at,
                                        bool first_only = false) {
  base::Result<T, ParseError> r{T{}};
  if (h == nullptr) {
    r = base::fail(missing(0));
    return r;
  }
  std::size_t i = 0;
  std::optional<ParseError> e = parse_at(h->value, i, r.value());
  if (!e && !first_only && i != h->value.size()) {
    e = ParseError{ParseErrorCode::kBadHeaderValue, i};
  }
  if (e) {
    e->offset += static_cast<std::size_t>(h->value.data() - base);
    r = base::fail(*e);
  }
  return r;
}

}  // namespace

ParseError Message::at(std::string_view value, ParseError e) const {
  // Views of parsed values point into raw_; an empty one may not (then: the end).
  const auto b = reinterpret_cast<std::uintptr_t>(raw_.data());
  const auto p = reinterpret_cast<std::uintptr_t>(value.data());
  e.offset = p >= b && p - b <= raw_.size() ? e.offset + (p - b) : raw_.size();
  if (e.offset > raw_.size()) e.offset = raw_.size();
  return e;
}

base::Result<std::vector<Via>, ParseError> Message::vias() const {
  std::vector<Via> out;
  for (const HeaderField& h : headers_) {
    if (h.id != HeaderId::kVia) continue;
    if (auto e = detail::parse_list(h.value, out, detail::parse_via_at)) {
      return base::fail(at(h.value, *e));
    }
  }
  return out;
}

base::Result<Via, ParseError> Message::top_via() const {
  return parse_value<Via>(find(HeaderId::kVia), raw_.data(), detail::parse_via_at, true);
}

base::Result<NameAddr, ParseError> Message::from() const {
  return parse_value<NameAddr>(find(HeaderId::kFrom), raw_.data(), detail::parse_name_addr_at);
}

base::Result<NameAddr, ParseError> Message::to() const {
  return parse_value<NameAddr>(find(HeaderId::kTo), raw_.data(), detail::parse_name_addr_at);
}

std::string_view Message::call_id() const {
  const HeaderField* h = find(HeaderId::kCallId);
  return h != nullptr ? h->value : std::string_view{};
}

base::Result<CSeq, ParseError> Message::cseq() const {
  return parse_value<CSeq>(find(HeaderId::kCSeq), raw_.data(), detail::parse_cseq_at);
}

base::Result<std::vector<Contact>, ParseError> Message::contacts() const {
  std::vector<Contact> out;
  const auto c = static_cast<std::size_t>(HeaderId::kContact);
  if (count_[c] == 0) return out;
  out.reserve(count_[c]);  // a Contact is large: one per line, not a guess
  for (std::size_t k = first_[c] - 1u; k < headers_.size(); ++k) {
    const HeaderField& h = headers_[k];
    if (h.id != HeaderId::kContact || h.value.empty()) continue;
    if (auto e = detail::parse_list(h.value, out, detail::parse_contact_at)) {
      return base::fail(at(h.value, *e));
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
    if (auto e = detail::parse_list(h.value, out, detail::parse_name_addr_at)) {
      return base::fail(at(h.value, *e));
    }
  }
  return out;
}

std::vector<std::string_view> Message::tokens(HeaderId id) const {
  std::vector<std::string_view> out = values(id);
  if (id == HeaderId::kPrivacy) {  // priv-value *(";" priv-value) (RFC 3323 4.2)
    std::vector<std::string_view> split;
    for (std::string_view v : out) {
      for (std::size_t b = 0; b <= v.size();) {
        std::size_t e = v.find(';', b);
        if (e == std::string_view::npos) e = v.size();
        split.push_back(detail::trim_lws(v.substr(b, e - b)));
        b = e + 1;
      }
    }
    out = std::move(split);
  }
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
