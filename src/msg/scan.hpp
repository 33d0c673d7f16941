// Internal: character classes and small scanning helpers shared by the msg parsers.
// Not part of the public API (no other layer should include it).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include "base/text.hpp"
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string_view>

namespace sipline::msg::detail {

// The scanners below are tiny and called per token: force them inline (a call costs as much as
// the scan of a short token).
#if defined(__GNUC__)
#define SIPLINE_MSG_INLINE inline __attribute__((always_inline))
#else
#define SIPLINE_MSG_INLINE inline
#endif

enum CharClass : std::uint16_t {
  kDigit = 1 << 0,
  kAlpha = 1 << 1,
  kHex = 1 << 2,
  kToken = 1 << 3,      // RFC 3261 token
  kWsp = 1 << 4,        // SP HT
  kLws = 1 << 5,        // SP HT CR LF
  kUser = 1 << 6,       // unreserved / user-unreserved ('%' handled separately)
  kPassword = 1 << 7,   // unreserved / & = + $ ,
  kParamChar = 1 << 8,  // unreserved / param-unreserved
  kHnvChar = 1 << 9,    // unreserved / hnv-unreserved
  kHostChar = 1 << 10,  // alphanum - . _
  kWord = 1 << 11,      // RFC 3261 word (Call-ID)
  kAddrSpec = 1 << 12,  // may appear in an addr-spec without <>: not LWS, ';' or ','
  kUriChar = 1 << 13,   // printable ASCII that may appear in a URI (not SP < > ")
};

constexpr std::array<std::uint16_t, 256> make_char_table() {
  std::array<std::uint16_t, 256> t{};
  auto add = [&t](std::string_view chars, std::uint16_t cls) {
    for (char c : chars) t[static_cast<unsigned char>(c)] |= cls;
  };
  for (int c = '0'; c <= '9'; ++c) t[c] |= kDigit | kHex;
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kAlpha;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kAlpha;
  add("abcdefABCDEF", kHex);
  const std::uint16_t alnum_cls =
      kToken | kUser | kPassword | kParamChar | kHnvChar | kHostChar | kWord;
  for (int c = 0; c < 256; ++c) {
    if (t[c] & (kDigit | kAlpha)) t[c] |= alnum_cls;
  }
  add("-.!%*_+`'~", kToken);
  add("-_.!~*'()", kUser | kPassword | kParamChar | kHnvChar);  // unreserved marks
  add("&=+$,;?/", kUser);
  add("&=+$,", kPassword);
  add("[]/:&+$", kParamChar);
  add("[]/?:+$", kHnvChar);
  add("-._", kHostChar);
  add("-.!%*_+`'~()<>:\\\"/[]?{}", kWord);
  for (int c = 0x21; c < 256; ++c) {
    if (c != ';' && c != ',' && c != 0x7f) t[c] |= kAddrSpec;
    if (c < 0x7f && c != '<' && c != '>' && c != '"') t[c] |= kUriChar;
  }
  add(" \t", kWsp | kLws);
  add("\r\n", kLws);
  return t;
}

inline constexpr std::array<std::uint16_t, 256> kCharTable = make_char_table();

// s.substr(pos, n) without the bounds check (and its throw path): the caller guarantees
// pos + n <= s.size().
SIPLINE_MSG_INLINE std::string_view sub(std::string_view s, std::size_t pos, std::size_t n) {
  return std::string_view(s.data() + pos, n);
}

SIPLINE_MSG_INLINE bool is(char c, std::uint16_t cls) {
  return (kCharTable[static_cast<unsigned char>(c)] & cls) != 0;
}

using base::iequals;
inline char lower(char c) {
  return base::ascii_lower(c);
}

// Skips SP, HT, CR and LF (inside a header value, CR LF only occur as line folding).
SIPLINE_MSG_INLINE std::size_t skip_lws(std::string_view s, std::size_t i) {
  while (i < s.size() && is(s[i], kLws)) ++i;
  return i;
}

inline std::string_view trim_lws(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is(s[b], kLws)) ++b;
  while (e > b && is(s[e - 1], kLws)) --e;
  return s.substr(b, e - b);
}

// Index of the first character at or after i that is not in `cls` (or s.size()). Unrolled:
// this loop is where typed parsing spends most of its time (runs are short, so SIMD does not
// pay off here).
SIPLINE_MSG_INLINE std::size_t scan(std::string_view s, std::size_t i, std::uint16_t cls) {
  const char* p = s.data();
  const std::size_t n = s.size();
  while (i + 4 <= n) {
    if (!is(p[i], cls)) return i;
    if (!is(p[i + 1], cls)) return i + 1;
    if (!is(p[i + 2], cls)) return i + 2;
    if (!is(p[i + 3], cls)) return i + 3;
    i += 4;
  }
  while (i < n && is(p[i], cls)) ++i;
  return i;
}

// First position >= i of byte c in s, or npos. Inline SSE2 16 bytes at a time: the spans are
// short, so this beats a call to memchr.
SIPLINE_MSG_INLINE std::size_t find_byte(std::string_view s, std::size_t i, char c) {
  const char* p = s.data();
  const std::size_t n = s.size();
#ifdef __SSE2__
  const __m128i v = _mm_set1_epi8(c);
  while (i + 16 <= n) {
    const auto m = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), v)));
    if (m != 0) return i + static_cast<std::size_t>(__builtin_ctz(m));
    i += 16;
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == c) return i;
  }
  return std::string_view::npos;
}

// First position >= i of '"' or '\\' in s, or npos.
SIPLINE_MSG_INLINE std::size_t find_quote_or_backslash(std::string_view s, std::size_t i) {
  const char* p = s.data();
  const std::size_t n = s.size();
#ifdef __SSE2__
  const __m128i q = _mm_set1_epi8('"');
  const __m128i bs = _mm_set1_epi8('\\');
  while (i + 16 <= n) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const auto m = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, bs))));
    if (m != 0) return i + static_cast<std::size_t>(__builtin_ctz(m));
    i += 16;
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == '"' || p[i] == '\\') return i;
  }
  return std::string_view::npos;
}

// Position just after the closing quote of the quoted-string starting at s[i] == '"', or npos
// when it is unterminated or holds a bare CR/LF after a backslash.
inline std::size_t skip_quoted(std::string_view s, std::size_t i) {
  // Fast path: the closing quote, with no backslash before it.
  const std::size_t q = find_quote_or_backslash(s, i + 1);
  if (q != std::string_view::npos && s[q] == '"') return q + 1;
  for (++i; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') return i + 1;
    if (c == '\\') {
      if (i + 1 >= s.size() || s[i + 1] == '\r' || s[i + 1] == '\n') return std::string_view::npos;
      ++i;
    }
  }
  return std::string_view::npos;
}

// Next element of a comma-joined header value: splits at top-level commas (not inside quotes
// or <>). `pos` advances past the comma; returns the trimmed element.
struct CommaSplitter {
  std::string_view s;
  std::size_t pos = 0;
  bool done = false;

  // False when no element is left. Elements may be empty (",," gives one empty element).
  bool next(std::string_view& out, std::size_t& out_offset) {
    if (done) return false;
    const std::size_t start = pos;
    std::size_t i = pos;
    bool in_angle = false;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        const std::size_t e = skip_quoted(s, i);
        if (e == std::string_view::npos) {
          i = s.size();
          break;
        }
        i = e;
        continue;
      }
      if (c == '<')
        in_angle = true;
      else if (c == '>')
        in_angle = false;
      else if (c == ',' && !in_angle)
        break;
      ++i;
    }
    std::string_view raw = s.substr(start, i - start);
    std::size_t b = 0;
    while (b < raw.size() && is(raw[b], kLws)) ++b;
    out = trim_lws(raw);
    out_offset = start + b;
    if (i >= s.size()) done = true;
    pos = i + 1;
    return true;
  }
};

}  // namespace sipline::msg::detail
