#include "msg/headers.hpp"

#include "msg/header_table.hpp"

namespace sipline::msg {

HeaderId header_id(std::string_view name) {
  return detail::lookup_header_id(name.data(), name.size());
}

std::string_view header_name(HeaderId id) {
  const auto i = static_cast<std::size_t>(id);
  return i < detail::kNames.size() ? detail::kNames[i] : std::string_view{};
}

}  // namespace sipline::msg
