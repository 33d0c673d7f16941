#include "app/account_table.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace sipline::app {

namespace {

constexpr std::size_t kColumns = 11;
using Row = std::array<std::string, kColumns>;

std::string next_event(const AccountStatus& a) {
  if (a.next_refresh_in_s) return "refresh in " + format_duration(a.next_refresh_in_s);
  if (a.next_attempt_in_s) return "retry in " + format_duration(a.next_attempt_in_s);
  return "-";
}

// MWI: "-" (nothing known), "none", "2 new" (with the old count when any: "2 new/8").
std::string mwi_text(const AccountStatus& a) {
  if (!a.mwi) return "-";
  const auto& m = *a.mwi;
  if (!m.waiting && m.new_msgs == 0) return "none";
  std::string t = std::to_string(m.new_msgs) + " new";
  if (m.old_msgs != 0) t += "/" + std::to_string(m.old_msgs);
  return t;
}

// "sip:1002@pbx" -> "1002"; a URI without a user part stays whole.
std::string short_uri(const std::string& uri) {
  const auto colon = uri.find(':');
  const auto at = uri.find('@');
  if (colon == std::string::npos || at == std::string::npos || at < colon) return uri;
  return uri.substr(colon + 1, at - colon - 1);
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
             mwi_text(a),
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

namespace {

// Column indexes of Row, in display order, and the optional ones by priority.
enum Col : std::size_t {
  kIndex,
  kName,
  kState,
  kAor,
  kMwi,
  kTransport,
  kExpires,
  kNext,
  kLast,
  kMisses,
  kError
};
constexpr std::array<std::size_t, 7> kOptional = {kNext, kMwi,    kTransport, kExpires,
                                                  kLast, kMisses, kError};
constexpr std::size_t kGap = 2;

std::string_view state_color(const std::string& state) {
  if (state == "registered") return "\x1b[32m";
  if (state == "failed") return "\x1b[1;31m";
  if (state == "inactive" || state == "unregistered") return "";
  return "\x1b[33m";
}

// The columns shown, in display order: the fixed four, then the optional ones that fit.
std::vector<std::size_t> choose_columns(const std::array<std::size_t, kColumns>& width,
                                        std::size_t limit) {
  std::array<bool, kColumns> shown{};
  std::size_t used = 0;
  for (std::size_t c : {kIndex, kName, kState, kAor}) {
    shown[c] = true;
    used += width[c] + kGap;
  }
  for (std::size_t c : kOptional) {
    if (limit != 0 && used + width[c] > limit) continue;
    shown[c] = true;
    used += width[c] + kGap;
  }
  std::vector<std::size_t> cols;
  for (std::size_t c = 0; c < kColumns; ++c) {
    if (shown[c]) cols.push_back(c);
  }
  return cols;
}

std::string render_row(const Row& r, const std::vector<std::size_t>& cols,
                       const std::array<std::size_t, kColumns>& width, bool color) {
  std::string line;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const std::size_t c = cols[i];
    std::string_view code = color && c == kState ? state_color(r[c]) : "";
    line += code.empty() ? r[c] : std::string(code) + r[c] + "\x1b[0m";
    if (i + 1 < cols.size()) line += std::string(width[c] - r[c].size() + kGap, ' ');
  }
  return line;
}

}  // namespace

std::string truncate_visible(const std::string& line, std::size_t width) {
  std::string out;
  std::size_t visible = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b') {
      std::size_t end = line.find('m', i);
      if (end == std::string::npos) break;
      out.append(line, i, end - i + 1);
      i = end;
      continue;
    }
    if (visible == width) continue;  // keep scanning: a reset code may follow
    out += line[i];
    ++visible;
  }
  return out;
}

std::string format_table(const std::vector<AccountStatus>& accounts, TableStyle style) {
  std::vector<Row> rows;
  rows.push_back(Row{"#", "NAME", "STATE", "AOR", "MWI", "TRANSPORT", "EXPIRES", "NEXT", "LAST",
                     "MISSES", "ERROR"});
  for (const auto& a : accounts) rows.push_back(row_of(a));
  std::array<std::size_t, kColumns> width{};
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < kColumns; ++c) width[c] = std::max(width[c], r[c].size());
  }
  const std::vector<std::size_t> cols = choose_columns(width, style.width);
  const bool error_shown = std::find(cols.begin(), cols.end(), kError) != cols.end();
  std::string out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string line = render_row(rows[i], cols, width, style.color && i > 0);
    out += (style.width ? truncate_visible(line, style.width) : line) + "\n";
    if (!error_shown && i > 0 && rows[i][kError] != "-") {
      std::string err = "    " + rows[i][kError];
      out += (style.width ? truncate_visible(err, style.width) : err) + "\n";
    }
    if (i > 0 && !accounts[i - 1].blf.empty()) {
      std::string lamps = "    blf:";
      for (const auto& b : accounts[i - 1].blf) {
        lamps += " " + short_uri(b.uri) + " " + b.state;
        if (!b.remote.empty()) lamps += " (" + b.remote + ")";
      }
      out += (style.width ? truncate_visible(lamps, style.width) : lamps) + "\n";
    }
  }
  if (accounts.empty()) out += "(no accounts)\n";
  return out;
}

std::string format_summary(std::size_t total,
                           const std::vector<std::pair<std::string, std::size_t>>& states) {
  std::string out = std::to_string(total) + (total == 1 ? " account" : " accounts");
  const char* separator = ": ";
  for (const auto& [state, n] : states) {
    if (n == 0) continue;
    out += separator + std::to_string(n) + " " + state;
    separator = ", ";
  }
  return out;
}

}  // namespace sipline::app
