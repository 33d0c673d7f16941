// Internal: parsing primitives shared by the msg sources (not a public header).
#pragma once
#include <cstddef>
#include <optional>
#include <string_view>

#include "msg/errors.hpp"
#include "msg/values.hpp"

namespace sipline::msg::detail {

// Parses a URI; with out == nullptr only validates (no allocation). Offsets are relative to
// `text`.
std::optional<ParseError> parse_uri_into(std::string_view text, Uri* out);

// Parses header parameters *( LWS ";" LWS name [ LWS "=" LWS value ] ) from s[i] to the end
// of s; any other trailing text is an error. out may be nullptr (validate only).
std::optional<ParseError> parse_header_params(std::string_view s, std::size_t i, Params* out);

// Adds `base` to an error's offset.
inline ParseError shifted(ParseError e, std::size_t base) {
  e.offset += base;
  return e;
}

}  // namespace sipline::msg::detail
