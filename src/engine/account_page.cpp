#include "account_page.hpp"

#include <algorithm>
#include <cctype>

#include "account/account.hpp"

namespace sipline {

const std::vector<std::string>& account_state_names() {
  static const std::vector<std::string> names = [] {
    using account::State;
    std::vector<std::string> out;
    for (State s : {State::kDisabled, State::kUnregistering, State::kRegistering,
                    State::kRegistered, State::kRefreshing, State::kFailed}) {
      out.emplace_back(account::to_string(s));
    }
    return out;
  }();
  return names;
}

bool AccountQuery::matches(std::string_view state, std::string_view account_name) const {
  if (!states.empty() && std::find(states.begin(), states.end(), state) == states.end()) {
    return false;
  }
  if (name.empty()) return true;
  const auto same = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  };
  return std::search(account_name.begin(), account_name.end(), name.begin(), name.end(), same) !=
         account_name.end();
}

AccountPage Engine::account_page(const AccountQuery& query) const {
  engine::PageBuilder page(query);
  for (auto& a : accounts()) page.add(a.state, a.name, [&a] { return std::move(a); });
  return page.finish();
}

namespace engine {

PageBuilder::PageBuilder(const AccountQuery& query) : query_(query) {
  for (const auto& s : account_state_names()) page_.states.emplace_back(s, 0);
}

bool PageBuilder::counts(std::string_view state, std::string_view name) {
  ++page_.total;
  for (auto& [s, n] : page_.states) {
    if (s == state) ++n;
  }
  if (!query_.matches(state, name)) return false;
  const std::size_t position = page_.matched++;
  return position >= query_.offset && (!query_.limit || position - query_.offset < *query_.limit);
}

}  // namespace engine
}  // namespace sipline
