// Message::parse: one pass over the bytes, memchr for line ends, no allocation beyond the
// header vector. Typed values are parsed later, on demand (message_access.cpp).
#include "msg/message.hpp"

#include <cstdint>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "msg/header_table.hpp"
#include "msg/parse_detail.hpp"
#include "msg/scan.hpp"

namespace sipline::msg {
namespace {

using detail::is;
using detail::kLws;
using detail::kToken;
using detail::kWsp;

ParseError err(ParseErrorCode code, std::size_t offset) {
  return ParseError{code, offset};
}

bool is_sip20(std::string_view v) {
  return v.size() == 7 &&
         (std::memcmp(v.data(), "SIP/2.0", 7) == 0 || detail::iequals(v, "SIP/2.0"));
}

// "SIP/" 1*DIGIT "." 1*DIGIT, any version number.
bool looks_like_version(std::string_view v) {
  if (v.size() < 7 || !detail::iequals(v.substr(0, 4), "SIP/")) return false;
  std::size_t i = detail::scan(v, 4, detail::kDigit);
  if (i == 4 || i >= v.size() || v[i] != '.') return false;
  const std::size_t j = detail::scan(v, i + 1, detail::kDigit);
  return j > i + 1 && j == v.size();
}

// Finds the '\n' ending the line that starts at `from`, bounded by the limits.
std::optional<ParseError> find_line_end(const char* b, std::size_t from, std::size_t hdr_limit,
                                        std::size_t total, const Limits& lim, std::size_t& nl,
                                        ParseErrorCode unterminated) {
  const std::size_t line_window = from + lim.max_line_bytes + 2;
  const std::size_t window_end = line_window < hdr_limit ? line_window : hdr_limit;
  const void* p = window_end > from ? std::memchr(b + from, '\n', window_end - from) : nullptr;
  if (p == nullptr) {
    if (window_end == line_window) return err(ParseErrorCode::kLineTooLong, from);
    if (hdr_limit < total) return err(ParseErrorCode::kHeaderSectionTooLarge, from);
    return err(unterminated, from);
  }
  nl = static_cast<std::size_t>(static_cast<const char*>(p) - b);
  const std::size_t content_end = (nl > from && b[nl - 1] == '\r') ? nl - 1 : nl;
  if (content_end - from > lim.max_line_bytes) return err(ParseErrorCode::kLineTooLong, from);
  return std::nullopt;
}

// The header section ended (hdr_limit) before its empty line.
ParseError unterminated(std::size_t pos, std::size_t hdr_limit, std::size_t total) {
  return err(
      hdr_limit < total ? ParseErrorCode::kHeaderSectionTooLarge : ParseErrorCode::kBadHeaderLine,
      pos);
}

struct LineScan {
  const char* nl;     // the '\n' ending the line, or `end`
  const char* colon;  // the first ':' before it, or nullptr
};

// One pass over a header line for its end and its colon. The colon is nearly always in the
// first 16 bytes (names are short), so after them only newlines are looked for, 32 bytes at a
// time.
inline LineScan scan_line(const char* p, const char* end) {
  const char* colon = nullptr;
#ifdef __SSE2__
  const __m128i vnl = _mm_set1_epi8('\n');
  const __m128i vco = _mm_set1_epi8(':');
  auto mask = [](__m128i x, __m128i v) {
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, v)));
  };
  while (colon == nullptr && end - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned mn = mask(x, vnl);
    const unsigned mc = mask(x, vco);
    if (mc != 0 && (mn == 0 || __builtin_ctz(mc) < __builtin_ctz(mn))) {
      colon = p + __builtin_ctz(mc);
    }
    if (mn != 0) return {p + __builtin_ctz(mn), colon};
    p += 16;
  }
  while (end - p >= 32) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
    const unsigned m = mask(x, vnl) | (mask(y, vnl) << 16);
    if (m != 0) return {p + __builtin_ctz(m), colon};
    p += 32;
  }
  if (end - p >= 16) {
    const unsigned m = mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), vnl);
    if (m != 0) return {p + __builtin_ctz(m), colon};
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    if (*p == '\n') return {p, colon};
    if (*p == ':' && colon == nullptr) colon = p;
  }
  return {end, colon};
}

std::size_t content_end_of(const char* b, std::size_t from, std::size_t nl) {
  return (nl > from && b[nl - 1] == '\r') ? nl - 1 : nl;
}

// The shape of a Request-URI, cheaply (uri() parses it fully, on demand): a scheme, then only
// URI characters (no LWS: RFC 4475 lwsruri; no <>: ltgtruri), and for SIP/SIPS no ?headers
// (RFC 3261 19.1.5, RFC 4475 escruri; a '?' before the '@' is part of the user).
std::optional<ParseError> check_request_uri(std::string_view uri) {
  Scheme scheme = Scheme::kOther;
  const std::size_t s = detail::scan_scheme(uri, scheme);
  if (s == 0 || s + 1 >= uri.size()) return err(ParseErrorCode::kBadRequestUri, s);
  std::size_t e = s + 1;
#ifdef __SSE2__
  // 16 bytes at a time: printable ASCII but not < > " (SP, controls and 8-bit bytes fail too).
  while (e + 16 <= uri.size()) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(uri.data() + e));
    const __m128i t = _mm_sub_epi8(x, _mm_set1_epi8(0x21));
    const __m128i printable = _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(0x7e - 0x21)), t);
    const __m128i banned = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('<')), _mm_cmpeq_epi8(x, _mm_set1_epi8('>'))),
        _mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
    const auto ok = static_cast<unsigned>(_mm_movemask_epi8(_mm_andnot_si128(banned, printable)));
    if (ok != 0xffffu) break;
    e += 16;
  }
#endif
  e = detail::scan(uri, e, detail::kUriChar);
  if (e != uri.size()) return err(ParseErrorCode::kBadRequestUri, e);
  if (scheme != Scheme::kSip && scheme != Scheme::kSips) return std::nullopt;
  std::size_t q = detail::find_byte(uri, s + 1, '?');
  if (q == std::string_view::npos) return std::nullopt;
  const std::size_t at = detail::find_byte(uri, q, '@');
  if (at != std::string_view::npos) q = detail::find_byte(uri, at, '?');
  if (q != std::string_view::npos) return err(ParseErrorCode::kBadRequestUri, q);
  return std::nullopt;
}

}  // namespace

base::Result<Message, ParseError> Message::parse(std::string bytes, const Limits& limits) {
  // Parsed in place inside the result (one move of an empty Message instead of two of a full
  // one); every path returns `r`, so it is constructed in the caller's storage.
  base::Result<Message, ParseError> r{Message{}};
  std::size_t lead = 0;
  while (lead < bytes.size() && (bytes[lead] == '\r' || bytes[lead] == '\n')) ++lead;
  if (lead == bytes.size()) {
    r = base::fail(err(ParseErrorCode::kEmpty, 0));
    return r;
  }
  if (lead != 0) bytes.erase(0, lead);  // CRLFs before the start line are ignored (RFC 3261 7.5)
  Message& m = r.value();
  m.raw_ = std::move(bytes);
  if (auto e = m.parse_all(limits)) r = base::fail(*e);
  return r;
}

std::optional<ParseError> Message::parse_all(const Limits& limits) {
  const char* b = raw_.data();
  const std::size_t n = raw_.size();
  const std::size_t hdr_limit = n < limits.max_header_bytes ? n : limits.max_header_bytes;
  std::size_t nl = 0;
  if (auto e = find_line_end(b, 0, hdr_limit, n, limits, nl, ParseErrorCode::kBadStartLine)) {
    return e;
  }
  if (auto e = parse_start_line(std::string_view(b, content_end_of(b, 0, nl)))) return e;
  std::size_t body_start = 0;
  if (auto e = parse_headers(nl + 1, body_start, limits)) return e;
  return parse_body(body_start, limits);
}

std::optional<ParseError> Message::parse_start_line(std::string_view line) {
  start_line_ = line;
  const char* l = line.data();
  if (line.size() >= 4 && (l[0] | 0x20) == 's' && (l[1] | 0x20) == 'i' && (l[2] | 0x20) == 'p' &&
      l[3] == '/') {
    const bool usual = line.size() > 8 && std::memcmp(l, "SIP/2.0 ", 8) == 0;
    const std::size_t sp = usual ? 7 : detail::find_byte(line, 4, ' ');
    version_ = line.substr(0, sp);
    if (!usual && !is_sip20(version_)) {
      return err(looks_like_version(version_) ? ParseErrorCode::kBadVersion
                                              : ParseErrorCode::kBadStartLine,
                 0);
    }
    if (sp == std::string_view::npos) return err(ParseErrorCode::kBadStatusCode, line.size());
    const std::size_t c = sp + 1;
    const std::size_t ce = detail::scan(line, c, detail::kDigit);
    if (ce - c != 3 || (ce < line.size() && line[ce] != ' ') || line[c] < '1' || line[c] > '6') {
      return err(ParseErrorCode::kBadStatusCode, c);
    }
    status_code_ = (line[c] - '0') * 100 + (line[c + 1] - '0') * 10 + (line[c + 2] - '0');
    reason_ = ce < line.size() ? line.substr(ce + 1) : line.substr(ce, 0);
    return std::nullopt;
  }
  const std::size_t me = detail::scan(line, 0, kToken);
  if (me == line.size()) return err(ParseErrorCode::kBadStartLine, me);
  if (me == 0 || line[me] != ' ') return err(ParseErrorCode::kBadMethod, me);
  method_ = detail::sub(line, 0, me);
  // The usual request line ends in " SIP/2.0": no need to search for the last space.
  const bool usual =
      line.size() > 8 && std::memcmp(line.data() + line.size() - 8, " SIP/2.0", 8) == 0;
  const std::size_t last_sp = usual ? line.size() - 8 : line.rfind(' ');
  const std::size_t us = me + 1;
  if (last_sp <= me || last_sp + 1 == line.size() || line[us] == ' ' || line[last_sp - 1] == ' ') {
    return err(ParseErrorCode::kBadStartLine, last_sp <= me ? line.size() : us);
  }
  version_ = detail::sub(line, last_sp + 1, line.size() - last_sp - 1);
  if (!usual && !is_sip20(version_)) {
    return err(
        looks_like_version(version_) ? ParseErrorCode::kBadVersion : ParseErrorCode::kBadStartLine,
        last_sp + 1);
  }
  request_uri_ = detail::sub(line, us, last_sp - us);
  if (auto e = check_request_uri(request_uri_)) return err(e->code, us + e->offset);
  return std::nullopt;
}

std::optional<ParseError> Message::parse_headers(std::size_t pos, std::size_t& body_start,
                                                 const Limits& limits) {
  const char* b = raw_.data();
  const std::size_t n = raw_.size();
  const std::size_t hdr_limit = n < limits.max_header_bytes ? n : limits.max_header_bytes;
  const std::size_t max_line = limits.max_line_bytes;
  // 20 fields stay within glibc malloc's per-thread cache (allocations up to 1032 bytes).
  const std::size_t max_count = limits.max_headers < 0xfffe ? limits.max_headers : 0xfffe;
  headers_.reserve(max_count < 20 ? max_count : 20);
  std::uint16_t count = 0;  // header fields so far (the id tables hold 16-bit indices)
  std::size_t vb = 0;       // where the value of the last header starts (just after its colon)
  for (;;) {
    if (pos >= hdr_limit) return unterminated(pos, hdr_limit, n);
    const char c = b[pos];
    if (c == '\n' || c == '\r') {
      if (c == '\r' && (pos + 1 >= hdr_limit || b[pos + 1] != '\n')) {
        return pos + 1 >= hdr_limit ? unterminated(pos, hdr_limit, n)
                                    : err(ParseErrorCode::kBadHeaderLine, pos);
      }
      body_start = pos + (c == '\n' ? 1 : 2);
      return std::nullopt;
    }
    const LineScan ls = scan_line(b + pos, b + hdr_limit);
    const auto nl = static_cast<std::size_t>(ls.nl - b);
    if (nl >= hdr_limit) {
      if (hdr_limit - pos > max_line + 1) return err(ParseErrorCode::kLineTooLong, pos);
      return unterminated(pos, hdr_limit, n);
    }
    const std::size_t ce = b[nl - 1] == '\r' ? nl - 1 : nl;  // nl > pos: b[pos] is not '\n'
    if (ce - pos > max_line) return err(ParseErrorCode::kLineTooLong, pos);
    if (c == ' ' || c == '\t') {  // folded: the last value now runs to the end of this line
      if (count == 0) return err(ParseErrorCode::kBadHeaderLine, pos);
      headers_.back().value = detail::trim_lws({b + vb, ce - vb});
      pos = nl + 1;
      continue;
    }
    if (ls.colon == nullptr) return err(ParseErrorCode::kBadHeaderLine, ce);
    const auto cpos = static_cast<std::size_t>(ls.colon - b);
    // "Name: value" is the usual form; trimming loops run only when there is more white space.
    auto wsp = [b](std::size_t k) { return b[k] == ' ' || b[k] == '\t'; };
    std::size_t name_end = cpos;
    if (name_end > pos && wsp(name_end - 1)) {
      while (name_end > pos && wsp(name_end - 1)) --name_end;
    }
    const HeaderId id = detail::lookup_header_id(b + pos, name_end - pos);
    if (id == HeaderId::kOther) {  // a known name matched exactly, so only others need a check
      const std::string_view name(b + pos, name_end - pos);
      const std::size_t bad = detail::scan(name, 0, kToken);
      if (name.empty() || bad != name.size()) return err(ParseErrorCode::kBadHeaderLine, pos + bad);
    }
    if (count >= max_count) return err(ParseErrorCode::kTooManyHeaders, pos);
    vb = cpos + 1;
    std::size_t v = vb;
    if (v < ce && b[v] == ' ') ++v;
    if (v < ce && wsp(v)) {
      while (v < ce && wsp(v)) ++v;
    }
    std::size_t e = ce;
    if (e > v && wsp(e - 1)) {
      while (e > v && wsp(e - 1)) --e;
    }
    headers_.push_back(HeaderField{id, std::string_view(b + pos, name_end - pos),
                                   std::string_view(b + v, e - v),
                                   static_cast<std::uint32_t>(pos)});
    ++count;
    const auto idx = static_cast<std::size_t>(id);
    if (first_[idx] == 0) first_[idx] = count;
    ++count_[idx];
    pos = nl + 1;
  }
}

std::optional<ParseError> Message::parse_body(std::size_t body_start, const Limits& limits) {
  const HeaderField* cl = find(HeaderId::kContentLength);
  if (count_[static_cast<std::size_t>(HeaderId::kContentLength)] > 1) {
    for (const HeaderField& h : headers_) {
      if (h.id == HeaderId::kContentLength && h.value != cl->value) {
        return err(ParseErrorCode::kBadContentLength, h.offset);  // RFC 4475 mcl01
      }
    }
  }
  const std::size_t avail = raw_.size() - body_start;
  if (cl == nullptr) {
    body_ = std::string_view(raw_.data() + body_start, avail);
    return std::nullopt;
  }
  const std::string_view v = cl->value;
  const std::size_t voff = static_cast<std::size_t>(v.data() - raw_.data());
  if (v.empty()) return err(ParseErrorCode::kBadContentLength, voff);
  std::uint64_t len = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!is(v[i], detail::kDigit)) return err(ParseErrorCode::kBadContentLength, voff + i);
    len = len * 10 + static_cast<std::uint64_t>(v[i] - '0');
    if (len > limits.max_content_length) {
      // Keep scanning for non-digits so "12x" is reported as malformed, not too large.
      for (std::size_t j = i + 1; j < v.size(); ++j) {
        if (!is(v[j], detail::kDigit)) return err(ParseErrorCode::kBadContentLength, voff + j);
      }
      return err(ParseErrorCode::kContentLengthTooLarge, voff);
    }
  }
  if (len > avail) return err(ParseErrorCode::kBodyTruncated, raw_.size());
  // Bytes after the body in a datagram are discarded (RFC 3261 18.3).
  if (body_start + len != raw_.size()) raw_.resize(body_start + len);
  body_ = std::string_view(raw_.data() + body_start, len);
  return std::nullopt;
}

// ---- copies and moves --------------------------------------------------------------------

Message::Message(const Message& other)
    : raw_(other.raw_),
      start_line_(other.start_line_),
      method_(other.method_),
      request_uri_(other.request_uri_),
      version_(other.version_),
      reason_(other.reason_),
      body_(other.body_),
      status_code_(other.status_code_),
      headers_(other.headers_),
      first_(other.first_),
      count_(other.count_) {
  rebase(other.raw_.data(), other.raw_.size());
}

Message::Message(Message&& other) noexcept
    : start_line_(other.start_line_),
      method_(other.method_),
      request_uri_(other.request_uri_),
      version_(other.version_),
      reason_(other.reason_),
      body_(other.body_),
      status_code_(other.status_code_),
      headers_(std::move(other.headers_)),
      first_(other.first_),
      count_(other.count_) {
  const char* old = other.raw_.data();
  const std::size_t old_size = other.raw_.size();
  raw_ = std::move(other.raw_);
  rebase(old, old_size);
}

Message& Message::operator=(const Message& other) {
  if (this != &other) *this = Message(other);
  return *this;
}

Message& Message::operator=(Message&& other) noexcept {
  if (this == &other) return *this;
  const char* old = other.raw_.data();
  const std::size_t old_size = other.raw_.size();
  raw_ = std::move(other.raw_);
  start_line_ = other.start_line_;
  method_ = other.method_;
  request_uri_ = other.request_uri_;
  version_ = other.version_;
  reason_ = other.reason_;
  body_ = other.body_;
  status_code_ = other.status_code_;
  headers_ = std::move(other.headers_);
  first_ = other.first_;
  count_ = other.count_;
  rebase(old, old_size);
  return *this;
}

void Message::rebase(const char* old_base, std::size_t old_size) {
  const char* nb = raw_.data();
  if (nb == old_base || (old_size == 0 && headers_.empty())) return;  // nothing points into it
  const auto lo = reinterpret_cast<std::uintptr_t>(old_base);
  auto fix = [&](std::string_view& v) {
    const auto p = reinterpret_cast<std::uintptr_t>(v.data());
    if (v.data() == nullptr || p < lo || p > lo + old_size) {
      v = std::string_view();
      return;
    }
    v = std::string_view(nb + (p - lo), v.size());
  };
  fix(start_line_);
  fix(method_);
  fix(request_uri_);
  fix(version_);
  fix(reason_);
  fix(body_);
  for (HeaderField& h : headers_) {
    fix(h.name);
    fix(h.value);
  }
}

// ---- lookups -----------------------------------------------------------------------------

const HeaderField* Message::find(HeaderId id) const {
  const auto i = static_cast<std::size_t>(id);
  if (i >= first_.size() || first_[i] == 0) return nullptr;
  return &headers_[first_[i] - 1];
}

const HeaderField* Message::find(std::string_view name) const {
  const HeaderId id = header_id(name);
  if (id != HeaderId::kOther) return find(id);
  for (const HeaderField& h : headers_) {
    if (h.id == HeaderId::kOther && detail::iequals(h.name, name)) return &h;
  }
  return nullptr;
}

std::vector<std::string_view> Message::values(HeaderId id) const {
  std::vector<std::string_view> out;
  for (const HeaderField& h : headers_) {
    if (h.id != id || h.value.empty()) continue;
    detail::CommaSplitter sp{h.value};
    std::string_view v;
    std::size_t off = 0;
    while (sp.next(v, off)) out.push_back(v);
  }
  return out;
}

std::size_t Message::count_values(HeaderId id) const {
  std::size_t count = 0;
  for (const HeaderField& h : headers_) {
    if (h.id != id || h.value.empty()) continue;
    detail::CommaSplitter sp{h.value};
    std::string_view v;
    std::size_t off = 0;
    while (sp.next(v, off)) ++count;
  }
  return count;
}

std::string Message::serialize() const {
  std::string out;
  if (raw_.empty()) return out;  // a default-constructed Message
  out.reserve(raw_.size());
  // Each part is re-emitted with the exact bytes that separated it from the next one.
  const char* b = raw_.data();
  const std::size_t hdr_begin =
      headers_.empty() ? static_cast<std::size_t>(body_.data() - b) : headers_.front().offset;
  out.append(start_line_);
  out.append(b + start_line_.size(), hdr_begin - start_line_.size());
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    const std::size_t end = i + 1 < headers_.size() ? headers_[i + 1].offset
                                                    : static_cast<std::size_t>(body_.data() - b);
    out.append(b + headers_[i].offset, end - headers_[i].offset);
  }
  out.append(body_);
  return out;
}

}  // namespace sipline::msg
