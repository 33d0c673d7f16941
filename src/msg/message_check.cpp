// Message::check(): the semantic checks parse() leaves out (RFC 3261 8.2, RFC 4475).
#include <array>

#include "msg/message.hpp"
#include "msg/scan.hpp"

namespace sipline::msg {
namespace {

bool single_valued(HeaderId id) {
  switch (id) {
    case HeaderId::kCallId:
    case HeaderId::kCSeq:
    case HeaderId::kFrom:
    case HeaderId::kTo:
    case HeaderId::kMaxForwards:
    case HeaderId::kContentLength:
    case HeaderId::kContentType:
    case HeaderId::kExpires:
    case HeaderId::kMinExpires:
      return true;
    default:
      return false;
  }
}

ParseError err(ParseErrorCode c, std::size_t off) {
  return ParseError{c, off};
}

}  // namespace

std::optional<ParseError> Message::check_headers() const {
  std::array<bool, static_cast<std::size_t>(HeaderId::kCount)> seen{};
  for (const HeaderField& h : headers_) {
    const auto i = static_cast<std::size_t>(h.id);
    if (single_valued(h.id) && seen[i]) return err(ParseErrorCode::kDuplicateHeader, h.offset);
    seen[i] = true;
  }
  const std::size_t end = static_cast<std::size_t>(body_.data() - raw_.data());
  for (HeaderId id :
       {HeaderId::kCallId, HeaderId::kCSeq, HeaderId::kFrom, HeaderId::kTo, HeaderId::kVia}) {
    if (!seen[static_cast<std::size_t>(id)]) return err(ParseErrorCode::kMissingHeader, end);
  }
  for (HeaderId id : {HeaderId::kMaxForwards, HeaderId::kExpires, HeaderId::kMinExpires}) {
    const HeaderField* h = find(id);
    if (h != nullptr && !uint_header(id)) {
      return at(h->value, err(ParseErrorCode::kBadHeaderValue, 0));
    }
  }
  return std::nullopt;
}

std::optional<ParseError> Message::check() const {
  if (raw_.empty()) return err(ParseErrorCode::kEmpty, 0);
  if (auto e = check_headers()) return e;
  auto cs = cseq();
  if (!cs) return cs.error();
  if (auto f = from(); !f) return f.error();
  if (auto t = to(); !t) return t.error();
  if (auto v = vias(); !v) return v.error();
  auto cts = contacts();
  if (!cts) return cts.error();
  for (const Contact& c : *cts) {
    const Param* p = c.star ? nullptr : find_param(c.addr.params, "expires");
    if (p != nullptr && !parse_uint(p->value)) {
      return at(p->name, err(ParseErrorCode::kBadParam, 0));
    }
  }
  if (is_request()) {
    if (auto u = uri(); !u) return u.error();
    if (cs->method != method_) {
      return at(find(HeaderId::kCSeq)->value, err(ParseErrorCode::kMethodMismatch, 0));
    }
  }
  return std::nullopt;
}

}  // namespace sipline::msg
