// How late each 20 ms send fired against its absolute schedule: a histogram of 10 µs buckets up
// to 10 ms (one overflow bucket), cheap enough to keep per session and mergeable for benches.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>

namespace sipline::media {

class SendJitter {
 public:
  static constexpr std::chrono::microseconds kBucket{10};
  static constexpr std::size_t kBuckets = 1000;

  void add(std::chrono::microseconds lateness);
  void merge(const SendJitter& other);
  std::uint64_t count() const { return count_; }
  // The lateness at quantile q (0..1), as the upper edge of its bucket.
  std::chrono::microseconds quantile(double q) const;
  std::chrono::microseconds max() const { return max_; }

 private:
  std::array<std::uint32_t, kBuckets + 1> buckets_{};
  std::uint64_t count_ = 0;
  std::chrono::microseconds max_{0};
};

}  // namespace sipline::media
