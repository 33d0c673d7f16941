// The text table of accounts: `sipline status` and the live table of `sipline run`.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sipline/engine.hpp"

namespace sipline::app {

// "45s", "12m05s", "2h03m"; "-" when absent.
std::string format_duration(std::optional<std::int64_t> seconds);

// One header row and one row per account, columns padded to fit:
// # NAME STATE AOR TRANSPORT EXPIRES NEXT LAST MISSES ERROR
// NEXT is "refresh in X" when registered, "retry in X" when failing.
std::string format_table(const std::vector<AccountStatus>& accounts);

}  // namespace sipline::app
