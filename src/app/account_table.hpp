// The text table of accounts: `sipline status` and the live table of `sipline run`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sipline/engine.hpp"

namespace sipline::app {

// "45s", "12m05s", "2h03m"; "-" when absent.
std::string format_duration(std::optional<std::int64_t> seconds);

// How a table is laid out: at most `width` visible columns (0: no limit), the state coloured
// with ANSI codes when `color`.
struct TableStyle {
  std::size_t width = 0;
  bool color = false;
};

// One header row and one row per account:
// # NAME STATE AOR NEXT TRANSPORT EXPIRES LAST MISSES ERROR
// #, NAME, STATE and AOR always; the others, in that order of priority, while they fit `width`.
// When ERROR does not fit, an account's error is on a line of its own below its row.
// NEXT is "refresh in X" when registered, "retry in X" when failing.
std::string format_table(const std::vector<AccountStatus>& accounts, TableStyle style = {});

// "50000 accounts: 49990 registered, 10 failed": the states with accounts, in the given order.
std::string format_summary(std::size_t total,
                           const std::vector<std::pair<std::string, std::size_t>>& states);

// `line` cut to `width` visible characters; ANSI colour sequences are kept and not counted.
std::string truncate_visible(const std::string& line, std::size_t width);

}  // namespace sipline::app
