// Internal: parsing primitives shared by the msg sources (not a public header).
#pragma once
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "msg/errors.hpp"
#include "msg/values.hpp"

namespace sipline::msg::detail {

// Parses a URI; with out == nullptr only validates (no allocation). Offsets are relative to
// `text`. allow_headers == false rejects SIP/SIPS "?headers" (a Request-URI, RFC 3261
// 19.1.5).
std::optional<ParseError> parse_uri_into(std::string_view text, Uri* out,
                                         bool allow_headers = true);

std::size_t scan_scheme_slow(std::string_view text, Scheme& scheme);

// Length of the scheme of `text` ("sip" -> 3) and which one it is; 0 when there is none.
// "sip:" and "sips:" (any case) are recognised inline.
inline std::size_t scan_scheme(std::string_view text, Scheme& scheme) {
  const char* t = text.data();
  if (text.size() >= 5 && (t[0] | 0x20) == 's' && (t[1] | 0x20) == 'i' && (t[2] | 0x20) == 'p') {
    if (t[3] == ':') {
      scheme = Scheme::kSip;
      return 3;
    }
    if ((t[3] | 0x20) == 's' && t[4] == ':') {
      scheme = Scheme::kSips;
      return 4;
    }
  }
  return scan_scheme_slow(text, scheme);
}

// Parses header parameters *( LWS ";" LWS name [ LWS "=" LWS value ] ) from s[i]; stops at
// the end of s or at a ',' that ends a list element (i is left there); anything else is an
// error. out may be nullptr (validate only).
std::optional<ParseError> parse_header_params(std::string_view s, std::size_t& i, Params* out);

// List element parsers: parse one value at s[i] and stop at the end or at the ',' after it.
std::optional<ParseError> parse_name_addr_at(std::string_view s, std::size_t& i, NameAddr& out);
std::optional<ParseError> parse_via_at(std::string_view s, std::size_t& i, Via& out);
std::optional<ParseError> parse_contact_at(std::string_view s, std::size_t& i, Contact& out);
std::optional<ParseError> parse_cseq_at(std::string_view s, std::size_t& i, CSeq& out);

// Parses a comma-separated list of values with parse_at, appending to out. Offsets are
// relative to s.
template <typename T, typename ParseAt>
std::optional<ParseError> parse_list(std::string_view s, std::vector<T>& out, ParseAt parse_at) {
  std::size_t i = 0;
  for (;;) {
    out.emplace_back();
    if (auto e = parse_at(s, i, out.back())) return e;
    if (i >= s.size()) return std::nullopt;
    ++i;  // the ','
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
    if (i >= s.size()) return ParseError{ParseErrorCode::kBadHeaderValue, i};
  }
}

// A single value: parse_at must consume all of s.
template <typename T, typename ParseAt>
std::optional<ParseError> parse_single(std::string_view s, T& out, ParseAt parse_at) {
  std::size_t i = 0;
  if (auto e = parse_at(s, i, out)) return e;
  if (i != s.size()) return ParseError{ParseErrorCode::kBadHeaderValue, i};
  return std::nullopt;
}

// Adds `base` to an error's offset.
inline ParseError shifted(ParseError e, std::size_t base) {
  e.offset += base;
  return e;
}

}  // namespace sipline::msg::detail
