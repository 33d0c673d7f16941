#include "media/send_jitter.hpp"

#include <algorithm>
#include <cmath>

namespace sipline::media {

void SendJitter::add(std::chrono::microseconds lateness) {
  const auto us = std::max<std::int64_t>(0, lateness.count());
  const auto i = std::min<std::size_t>(kBuckets, static_cast<std::size_t>(us / kBucket.count()));
  ++buckets_[i];
  ++count_;
  max_ = std::max(max_, std::chrono::microseconds(us));
}

void SendJitter::merge(const SendJitter& other) {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

std::chrono::microseconds SendJitter::quantile(double q) const {
  if (count_ == 0) return std::chrono::microseconds(0);
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= std::max<std::uint64_t>(rank, 1))
      return i == kBuckets ? max_ : kBucket * static_cast<int>(i + 1);
  }
  return max_;
}

}  // namespace sipline::media
