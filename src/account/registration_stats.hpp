// Engine-wide registration figures that every account of an engine adds to: what /metrics shows
// when it has no series per account (fleets), as counters and a Prometheus histogram.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "base/timers.hpp"

namespace sipline::account {

struct RegistrationStats {
  // Upper bounds (seconds) of the histogram's buckets; +Inf is implied. From a LAN round trip
  // to a fleet's start queued behind the admission gate.
  static constexpr std::array<double, 14> kBucketsS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                       1,     2.5,  5,     10,   30,  60,   120};

  std::uint64_t registrations = 0;  // attempts that ended with a binding (initial and refreshes)
  std::uint64_t refreshes = 0;      // of those, the ones by an account that already held one
  std::uint64_t failures = 0;       // attempts that failed (every target tried)
  // Time of each successful attempt from its start (waiting for the gate included) to the 2xx,
  // through the challenge: per bucket (not cumulative), beyond the last bound, count and sum.
  std::array<std::uint64_t, kBucketsS.size() + 1> buckets{};
  double sum_s = 0;

  void registered(base::Duration took, bool refresh) {
    ++registrations;
    if (refresh) ++refreshes;
    const double s = static_cast<double>(took.count()) / 1000.0;
    std::size_t i = 0;
    while (i < kBucketsS.size() && s > kBucketsS[i]) ++i;
    ++buckets[i];
    sum_s += s;
  }
  void failed() { ++failures; }
};

}  // namespace sipline::account
