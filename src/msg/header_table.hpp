// Internal: the header-name tables and the inline lookup behind header_id(), so the parser's
// per-line loop can use it without a call. Not a public header.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "msg/headers.hpp"
#include "msg/scan.hpp"

namespace sipline::msg::detail {

inline constexpr std::array<std::string_view, static_cast<std::size_t>(HeaderId::kCount)> kNames = {
    "",
    "Accept",
    "Accept-Encoding",
    "Allow",
    "Allow-Events",
    "Authorization",
    "Call-ID",
    "Contact",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Length",
    "Content-Type",
    "CSeq",
    "Date",
    "Event",
    "Expires",
    "From",
    "Max-Forwards",
    "Min-Expires",
    "P-Asserted-Identity",
    "P-Preferred-Identity",
    "Path",
    "Privacy",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Proxy-Require",
    "Record-Route",
    "Refer-To",
    "Require",
    "Retry-After",
    "Route",
    "Server",
    "Subject",
    "Subscription-State",
    "Supported",
    "To",
    "Unsupported",
    "User-Agent",
    "Via",
    "Warning",
    "WWW-Authenticate",
};

inline constexpr std::size_t kMaxNameLen = 20;

// Perfect hash over the long names: (first | 0x20) + (last | 0x20) * 26 + length * 6, mod 128
// (checked at compile time below).
constexpr std::size_t hash(std::size_t len, char first, char last) {
  return (static_cast<std::size_t>(static_cast<unsigned char>(first | 0x20)) +
          static_cast<std::size_t>(static_cast<unsigned char>(last | 0x20)) * 26 + len * 6) &
         127;
}

// Each long name in lower case, and a mask with 0x20 at its letters: an input byte matches
// when (in ^ lower) & ~mask == 0, i.e. equal, or equal up to case at a letter.
struct Pattern {
  char lower[kMaxNameLen + 4] = {};
  char mask[kMaxNameLen + 4] = {};
};

struct Table {
  // Per hash slot: the id in the low byte and its name's length in the high byte (0: empty).
  std::array<std::uint16_t, 128> slot{};
  std::array<Pattern, static_cast<std::size_t>(HeaderId::kCount)> pattern{};
  bool perfect = true;
};

constexpr Table make_table() {
  Table t{};
  for (std::size_t i = 1; i < kNames.size(); ++i) {
    const std::string_view n = kNames[i];
    for (std::size_t k = 0; k < n.size(); ++k) {
      const bool letter = (n[k] >= 'a' && n[k] <= 'z') || (n[k] >= 'A' && n[k] <= 'Z');
      t.pattern[i].lower[k] = letter ? static_cast<char>(n[k] | 0x20) : n[k];
      t.pattern[i].mask[k] = letter ? 0x20 : 0;
    }
    const std::size_t h = hash(n.size(), n.front(), n.back());
    if (t.slot[h] != 0) t.perfect = false;
    t.slot[h] = static_cast<std::uint16_t>(i | (n.size() << 8));
  }
  return t;
}

inline constexpr Table kTable = make_table();
static_assert(kTable.perfect, "header name hash has a collision");

constexpr std::array<HeaderId, 26> make_compact() {
  std::array<HeaderId, 26> t{};
  t['c' - 'a'] = HeaderId::kContentType;
  t['e' - 'a'] = HeaderId::kContentEncoding;
  t['f' - 'a'] = HeaderId::kFrom;
  t['i' - 'a'] = HeaderId::kCallId;
  t['k' - 'a'] = HeaderId::kSupported;
  t['l' - 'a'] = HeaderId::kContentLength;
  t['m' - 'a'] = HeaderId::kContact;
  t['o' - 'a'] = HeaderId::kEvent;
  t['r' - 'a'] = HeaderId::kReferTo;
  t['s' - 'a'] = HeaderId::kSubject;
  t['t' - 'a'] = HeaderId::kTo;
  t['u' - 'a'] = HeaderId::kAllowEvents;
  t['v' - 'a'] = HeaderId::kVia;
  return t;
}

inline constexpr std::array<HeaderId, 26> kCompact = make_compact();

inline std::uint64_t load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline std::uint32_t load32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline bool matches(const char* in, std::size_t len, const Pattern& p) {
  if (len >= 8) {
    for (std::size_t i = 0; i + 8 < len; i += 8) {
      if (((load64(in + i) ^ load64(p.lower + i)) & ~load64(p.mask + i)) != 0) return false;
    }
    const std::size_t t = len - 8;
    return ((load64(in + t) ^ load64(p.lower + t)) & ~load64(p.mask + t)) == 0;
  }
  if (len >= 4) {
    const std::size_t t = len - 4;
    return ((load32(in) ^ load32(p.lower)) & ~load32(p.mask)) == 0 &&
           ((load32(in + t) ^ load32(p.lower + t)) & ~load32(p.mask + t)) == 0;
  }
  for (std::size_t i = 0; i < len; ++i) {
    if (((in[i] ^ p.lower[i]) & ~p.mask[i]) != 0) return false;
  }
  return true;
}

// header_id() for name bytes [p, p + len).
inline HeaderId lookup_header_id(const char* p, std::size_t len) {
  if (len == 1) {
    const char c = lower(p[0]);
    return (c >= 'a' && c <= 'z') ? kCompact[c - 'a'] : HeaderId::kOther;
  }
  if (len < 2 || len > kMaxNameLen) return HeaderId::kOther;
  const std::uint16_t slot = kTable.slot[hash(len, p[0], p[len - 1])];
  if ((slot >> 8) != len) return HeaderId::kOther;  // empty slots have length 0
  const std::size_t i = slot & 0xffu;
  return matches(p, len, kTable.pattern[i]) ? static_cast<HeaderId>(i) : HeaderId::kOther;
}

}  // namespace sipline::msg::detail
