#include "account/policy.hpp"

#include <algorithm>

namespace sipline::account {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

base::Duration refresh_delay(seconds granted, seconds reregister_before, double jitter) {
  const milliseconds g = granted;
  if (reregister_before > seconds{0} && reregister_before < granted) {
    return std::max<milliseconds>(g - reregister_before, seconds{1});
  }
  const milliseconds m = std::min<milliseconds>(g / 2, kMaxAutomaticMargin);
  const auto early = milliseconds{static_cast<std::int64_t>(jitter * 0.1 * m.count())};
  return std::max<milliseconds>(g - m - early, seconds{1});
}

base::Duration spread_phase(base::Duration period, double u) {
  const auto spread = milliseconds{static_cast<std::int64_t>((1.0 - u) * period.count())};
  return std::clamp<milliseconds>(spread, std::min<milliseconds>(seconds{1}, period), period);
}

base::Duration retry_delay(seconds wait, std::optional<std::uint32_t> retry_after_s,
                           double jitter) {
  milliseconds base = wait;
  if (retry_after_s) {
    const seconds ra = std::min(seconds{*retry_after_s}, kMaxRetryAfter);
    base = std::max<milliseconds>(base, ra);
  }
  const milliseconds w = wait;
  return base + milliseconds{static_cast<std::int64_t>(jitter * 0.1 * w.count())};
}

}  // namespace sipline::account
