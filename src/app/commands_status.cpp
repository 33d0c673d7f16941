// sipline status: asks the running daemon (GET /api/accounts at the config's http_listen, with
// the filters as its query, and GET /api/accounts/summary for the counts by state).
#include <algorithm>
#include <cctype>
#include <iostream>

#include "app/account_json.hpp"
#include "app/account_table.hpp"
#include "app/api.hpp"
#include "app/commands.hpp"
#include "app/daemon_client.hpp"
#include "app/live_table.hpp"

namespace sipline::app {

namespace {

AccountQuery query_of(const StatusOptions& o) {
  AccountQuery q;
  for (std::size_t start = 0; !o.state.empty() && start <= o.state.size();) {
    const std::size_t comma = std::min(o.state.find(',', start), o.state.size());
    q.states.push_back(o.state.substr(start, comma - start));
    start = comma + 1;
  }
  q.name = o.name;
  q.offset = o.offset;
  q.limit = o.limit;
  return q;
}

std::string header_value(const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& name) {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return {};
}

}  // namespace

int show_status(const std::string& config_path, const StatusOptions& o) {
  const AccountQuery query = query_of(o);
  const std::string query_string = account_query_string(query);
  int exit_code = kExitOk;
  std::vector<std::pair<std::string, std::string>> headers;
  auto body = ask_daemon(config_path, "GET",
                         "/api/accounts" + (query_string.empty() ? "" : "?" + query_string), "",
                         exit_code, &headers);
  if (!body) return exit_code;
  std::vector<AccountStatus> accounts;
  std::string error;
  if (!from_json(*body, accounts, error)) {
    std::cerr << "sipline: unexpected answer from the daemon: " << error << "\n";
    return kExitFailure;
  }
  if (o.json) {
    std::cout << body->dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  if (!accounts.empty() || !o.limit || *o.limit > 0) {
    std::cout << format_table(accounts, stdout_table_style());
  }
  // The counts: of every account by state, then of what the filters selected when they did.
  // A daemon older than the summary route answers 404: the table alone then.
  int summary_code = kExitOk;
  if (auto summary = ask_daemon(config_path, "GET", "/api/accounts/summary", "", summary_code)) {
    std::vector<std::pair<std::string, std::size_t>> states;
    const auto by_state = summary->find("states");
    if (by_state != summary->end() && by_state->is_object()) {
      for (auto it = by_state->begin(); it != by_state->end(); ++it) {
        if (it->is_number_unsigned()) states.emplace_back(it.key(), it->get<std::size_t>());
      }
    }
    std::cout << format_summary(summary->value("total", std::size_t{0}), states) << "\n";
  }
  if (!query_string.empty()) {
    const std::string matched = header_value(headers, "X-Total-Count");
    std::cout << "shown: " << accounts.size() << " of " << (matched.empty() ? "?" : matched)
              << " selected (" << query_string << ")\n";
  }
  return kExitOk;
}

}  // namespace sipline::app
