// Building one page of accounts (Engine::account_page): filters, counts by state, and only the
// page's statuses made, so a query over 50,000 accounts costs 50,000 cheap comparisons.
#pragma once
#include <string_view>
#include <utility>

#include "sipline/engine.hpp"

namespace sipline::engine {

class PageBuilder {
 public:
  explicit PageBuilder(const AccountQuery& query);

  // The next account in index order: counted by its state; when the query selects it and it
  // falls on the page, `status()` is called for its AccountStatus.
  template <typename MakeStatus>
  void add(std::string_view state, std::string_view name, MakeStatus&& status) {
    if (counts(state, name)) page_.accounts.push_back(std::forward<MakeStatus>(status)());
  }

  AccountPage finish() { return std::move(page_); }

 private:
  // Counts the account; true when it goes on the page.
  bool counts(std::string_view state, std::string_view name);

  const AccountQuery& query_;
  AccountPage page_;
};

}  // namespace sipline::engine
