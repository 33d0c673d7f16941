#include "media/port_allocator.hpp"

namespace sipline::media {

PortAllocator::PortAllocator(std::uint16_t min_port, std::uint16_t max_port)
    : first_(static_cast<std::uint16_t>(min_port + (min_port & 1))) {
  // A pair needs port and port + 1 inside the range.
  if (max_port > first_) used_.resize((max_port - first_ + 1) / 2);
}

std::optional<std::uint16_t> PortAllocator::allocate() {
  for (std::size_t n = 0; n < used_.size(); ++n) {
    const std::size_t i = (cursor_ + n) % used_.size();
    if (!used_[i]) {
      used_[i] = true;
      ++in_use_;
      cursor_ = (i + 1) % used_.size();
      return static_cast<std::uint16_t>(first_ + 2 * i);
    }
  }
  return std::nullopt;
}

void PortAllocator::release(std::uint16_t port) {
  if (port < first_ || (port - first_) % 2) return;
  const std::size_t i = (port - first_) / 2;
  if (i < used_.size() && used_[i]) {
    used_[i] = false;
    --in_use_;
  }
}

}  // namespace sipline::media
