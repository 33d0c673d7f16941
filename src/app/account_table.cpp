#include "app/account_table.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace sipline::app {

namespace {

constexpr std::size_t kColumns = 10;
using Row = std::array<std::string, kColumns>;

std::string next_event(const AccountStatus& a) {
  if (a.next_refresh_in_s) return "refresh in " + format_duration(a.next_refresh_in_s);
  if (a.next_attempt_in_s) return "retry in " + format_duration(a.next_attempt_in_s);
  return "-";
}

std::string error_text(const AccountStatus& a) {
  std::string text = a.last_error.empty() ? "-" : a.last_error;
  for (const auto& w : a.warnings) text += " [warning: " + w + "]";
  return text;
}

Row row_of(const AccountStatus& a) {
  std::string transport = a.transport.empty() ? "-" : a.transport;
  if (a.local_port != 0) {
    transport += '/';  // appended: g++ 12 -O3 warns a false -Wrestrict on "/" + std::string
    transport += std::to_string(a.local_port);
  }
  return Row{std::to_string(a.index),
             a.name,
             a.state,
             a.aor,
             transport,
             a.granted_expires_s ? format_duration(a.granted_expires_s) : "-",
             next_event(a),
             a.last_status_code ? std::to_string(a.last_status_code) : "-",
             std::to_string(a.keepalive_misses),
             error_text(a)};
}

}  // namespace

std::string format_duration(std::optional<std::int64_t> seconds) {
  if (!seconds) return "-";
  std::int64_t s = *seconds;
  std::string sign = s < 0 ? "-" : "";
  if (s < 0) s = -s;
  char buf[48];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%s%llds", sign.c_str(), static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%s%lldm%02llds", sign.c_str(), static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%s%lldh%02lldm", sign.c_str(), static_cast<long long>(s / 3600),
                  static_cast<long long>((s % 3600) / 60));
  }
  return buf;
}

std::string format_table(const std::vector<AccountStatus>& accounts) {
  std::vector<Row> rows;
  rows.push_back(
      Row{"#", "NAME", "STATE", "AOR", "TRANSPORT", "EXPIRES", "NEXT", "LAST", "MISSES", "ERROR"});
  for (const auto& a : accounts) rows.push_back(row_of(a));
  std::array<std::size_t, kColumns> width{};
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < kColumns; ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t c = 0; c < kColumns; ++c) {
      line += r[c];
      if (c + 1 < kColumns) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    out += line + "\n";
  }
  if (accounts.empty()) out += "(no accounts)\n";
  return out;
}

}  // namespace sipline::app
