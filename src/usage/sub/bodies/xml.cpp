#include "usage/sub/bodies/xml.hpp"

#include <cctype>
#include <vector>

namespace sipline::usage::sub::bodies::detail {

namespace {

// Counts elements iteratively (no recursion on attacker-chosen depth), stopping past `max`.
std::size_t count_elements(const pugi::xml_node& root, std::size_t max) {
  std::size_t count = 0;
  pugi::xml_node n = root;
  while (n && count <= max) {
    if (n.type() == pugi::node_element) ++count;
    if (n.first_child()) {
      n = n.first_child();
      continue;
    }
    while (n && n != root && !n.next_sibling()) n = n.parent();
    if (!n || n == root) break;
    n = n.next_sibling();
  }
  return count;
}

}  // namespace

BodyResult<pugi::xml_node> load_xml(pugi::xml_document& doc, std::string_view body,
                                    const BodyLimits& limits, std::string_view root) {
  if (body.size() > limits.max_body_bytes) return base::fail(BodyError{"body too large"});
  // parse_default leaves parse_doctype off: a DOCTYPE is skipped, its entities never defined.
  const unsigned flags = pugi::parse_default;
  const auto res = doc.load_buffer(body.data(), body.size(), flags, pugi::encoding_utf8);
  if (!res) return base::fail(BodyError{std::string("malformed XML: ") + res.description()});
  if (count_elements(doc, limits.max_elements) > limits.max_elements) {
    return base::fail(BodyError{"too many XML elements"});
  }
  pugi::xml_node top = doc.document_element();
  if (!top || local_name(top) != root) {
    return base::fail(BodyError{"root element is not <" + std::string(root) + ">"});
  }
  return top;
}

std::string_view local_name(const pugi::xml_node& n) {
  std::string_view name = n.name();
  const auto colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& n, std::string_view name) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  }
  return {};
}

std::string text(const pugi::xml_node& n) {
  return std::string(trim(n.child_value()));
}

std::optional<std::uint32_t> to_u32(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > 0xffffffffULL) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

std::string_view trim(std::string_view s) {
  const auto ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

}  // namespace sipline::usage::sub::bodies::detail
