// Internal: auth value parsing shared by auth.cpp and message_access.cpp.
#pragma once
#include <cstddef>
#include <optional>
#include <string_view>

#include "msg/errors.hpp"
#include "msg/values.hpp"

namespace sipline::msg::detail {

// Parses the challenge/credentials starting at s[pos]; sets pos to the start of the next one
// in the same header value, or s.size().
std::optional<ParseError> parse_auth_at(std::string_view s, std::size_t& pos, AuthValue& out);

}  // namespace sipline::msg::detail
