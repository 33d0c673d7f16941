// The timing rules of account-settings.md as small pure functions (table-tested).
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>

#include "base/timers.hpp"

namespace sipline::account {

// When to refresh a binding granted for `granted` (G), measured from the 2xx.
// R = reregister_before: 0 < R < G -> G - R (never sooner than 1 s). Otherwise (R = 0 automatic,
// or R >= G) m = min(G/2, 600 s) before expiry, moved earlier by jitter * 10 % of m, where
// `jitter` is in [0, 1) (seeded per account).
base::Duration refresh_delay(std::chrono::seconds granted, std::chrono::seconds reregister_before,
                             double jitter);

// The wait before the next attempt after a failure: W plus jitter * 10 % of W; a Retry-After
// (capped at 3600 s) makes the base max(W, Retry-After).
base::Duration retry_delay(std::chrono::seconds wait, std::optional<std::uint32_t> retry_after_s,
                           double jitter);

inline constexpr std::chrono::seconds kMaxRetryAfter{3600};
inline constexpr std::chrono::seconds kMaxAutomaticMargin{600};

}  // namespace sipline::account
