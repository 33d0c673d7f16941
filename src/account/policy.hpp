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

// The first of a periodic action's waits drawn across its whole period: `period` * (1 - u) for
// u in [0, 1), never below 1 s (nor above `period`). Accounts that start together (a fleet)
// then refresh and keep alive in phases spread evenly, where the usual 0-10 % jitter alone
// would keep their start-up burst together cycle after cycle.
base::Duration spread_phase(base::Duration period, double u);

inline constexpr std::chrono::seconds kMaxRetryAfter{3600};
inline constexpr std::chrono::seconds kMaxAutomaticMargin{600};

}  // namespace sipline::account
