// Even RTP ports of [min, max] (RTCP on port + 1), handed out round-robin so a port just freed
// is not reused at once (late packets of the previous call would land in the next one).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

namespace sipline::media {

class PortAllocator {
 public:
  PortAllocator(std::uint16_t min_port, std::uint16_t max_port);
  // The next free even port, or nothing when every one is taken.
  std::optional<std::uint16_t> allocate();
  void release(std::uint16_t port);
  std::size_t in_use() const { return in_use_; }
  std::size_t capacity() const { return used_.size(); }

 private:
  std::uint16_t first_;  // first even port >= min
  std::vector<bool> used_;
  std::size_t cursor_ = 0;
  std::size_t in_use_ = 0;
};

}  // namespace sipline::media
