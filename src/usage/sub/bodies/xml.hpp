// Internal to the bodies layer: bounded pugixml loading and small attribute helpers.
#pragma once
#include <pugixml.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/text.hpp"
#include "usage/sub/bodies/common.hpp"

namespace sipline::usage::sub::bodies::detail {

// Loads `body` into `doc` within `limits` and returns the root element, which must have the
// local name `root`. No DOCTYPE processing: pugixml expands only the predefined entities and
// character references, never custom or external ones.
BodyResult<pugi::xml_node> load_xml(pugi::xml_document& doc, std::string_view body,
                                    const BodyLimits& limits, std::string_view root);

// Element name without its namespace prefix.
std::string_view local_name(const pugi::xml_node& n);
// First child element with that local name (null node if none).
pugi::xml_node child(const pugi::xml_node& n, std::string_view name);
// Trimmed text content of the node.
std::string text(const pugi::xml_node& n);
// Decimal uint32 (no sign, no spaces); nullopt when malformed or out of range.
std::optional<std::uint32_t> to_u32(std::string_view s);
using base::iequals;
std::string_view trim(std::string_view s);

}  // namespace sipline::usage::sub::bodies::detail
