#include "txn/shared_port.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <iterator>

#include "base/random.hpp"
#include "msg/message.hpp"
#include "txn/default_responses.hpp"
#include "txn/matching.hpp"
#include "txn/via_stamp.hpp"

namespace sipline::txn {

namespace {
constexpr std::string_view kCookie = "z9hG4bK";
std::size_t user_hash(std::string_view user) {
  return std::hash<std::string_view>{}(user);
}
}  // namespace

std::string branch_prefix(int id) {
  return "s" + std::to_string(id) + "x";
}

int account_of_branch(std::string_view branch) {
  if (!branch.starts_with(kCookie)) return -1;
  branch.remove_prefix(kCookie.size());
  if (branch.empty() || branch.front() != 's') return -1;
  branch.remove_prefix(1);
  int id = -1;
  const auto [end, ec] = std::from_chars(branch.data(), branch.data() + branch.size(), id);
  if (ec != std::errc{} || end == branch.data() || end == branch.data() + branch.size() ||
      *end != 'x' || id < 0) {
    return -1;
  }
  return id;
}

void SharedPortDemux::reserve(std::size_t members, int max_id) {
  if (max_id >= 0) members_.reserve(static_cast<std::size_t>(max_id) + 1);
  by_user_.reserve(members);
}

void SharedPortDemux::add(int id, transport::TransportUser& user, std::string_view contact_user,
                          const std::string& line) {
  if (id < 0) return;
  if (const Member* old = member(id)) remove(id, *old->user);
  if (static_cast<std::size_t>(id) >= members_.size()) members_.resize(id + 1);
  members_[id] = Member{&user, contact_user, line};
  ++size_;
  by_user_.emplace(user_hash(contact_user), id);
  if (!line.empty()) by_line_[line] = id;
}

void SharedPortDemux::remove(int id, const transport::TransportUser& user) {
  const Member* m = member(id);
  if (m == nullptr || m->user != &user) return;
  auto [first, last] = by_user_.equal_range(user_hash(m->contact_user));
  for (auto it = first; it != last; ++it) {
    if (it->second == id) {
      by_user_.erase(it);
      break;
    }
  }
  if (!m->line.empty()) by_line_.erase(m->line);
  members_[id] = Member{};
  --size_;
}

transport::TransportUser* SharedPortDemux::owner_of_request(const msg::Message& request) const {
  auto uri = msg::parse_uri(request.request_uri());
  if (!uri) return nullptr;
  const auto user_of = [this](int id) -> transport::TransportUser* {
    const Member* m = member(id);
    return m == nullptr ? nullptr : m->user;
  };
  if (const std::string_view line = uri->param("line"); !line.empty()) {
    auto it = by_line_.find(std::string(line));
    return it == by_line_.end() ? nullptr : user_of(it->second);
  }
  // Two accounts with this user carry line tokens: without one the request names neither.
  auto [first, last] = by_user_.equal_range(user_hash(uri->user));
  const Member* found = nullptr;
  for (auto it = first; it != last; ++it) {
    const Member* m = member(it->second);
    if (m == nullptr || m->contact_user != uri->user) continue;  // another user, same hash
    if (found != nullptr) return nullptr;
    found = m;
  }
  return found == nullptr ? nullptr : found->user;
}

void SharedPortDemux::on_message(msg::Message message, const transport::Address& source,
                                 const transport::Address& local) {
  if (!message.is_request()) {
    auto via = message.top_via();
    const Member* m = via ? member(account_of_branch(via->branch())) : nullptr;
    if (m == nullptr) {
      ++counters_.responses_unmatched;
      spdlog::debug("shared port: response for no account (branch {}) dropped",
                    via ? via->branch() : std::string_view{"?"});
      return;
    }
    ++counters_.responses_routed;
    m->user->on_message(std::move(message), source, local);
    return;
  }
  if (transport::TransportUser* user = owner_of_request(message)) {
    ++counters_.requests_routed;
    user->on_message(std::move(message), source, local);
    return;
  }
  answer_unmatched(message, source);
}

void SharedPortDemux::answer_unmatched(const msg::Message& request,
                                       const transport::Address& source) {
  auto via = request.top_via();
  if (!via) {
    ++counters_.malformed;
    return;
  }
  ++counters_.requests_unmatched;
  spdlog::debug("shared port: {} {} names no account", request.method(), request.request_uri());
  if (request.method() == "ACK") {  // never answered (§17.2.3)
    ++counters_.acks_dropped;
    return;
  }
  auto to = request.to();
  const bool known_dialog = (to && !to->tag().empty()) || request.method() == "CANCEL";
  ++(known_dialog ? counters_.answered_481 : counters_.answered_404);
  base::SecureRandom random;
  const std::string to_tag = random.tag();
  const std::string response = known_dialog ? no_such_transaction(request, to_tag, server_)
                                            : not_found(request, to_tag, server_);
  transport_.send(transport::Target{response_address(*via, source), {}},
                  stamp_top_via(response, source));
}

void SharedPortDemux::on_transport_error(const transport::TransportError& error) {
  if (core_ != nullptr) return core_->on_transport_error(error);
  // By index: a user's handler may add or remove accounts meanwhile.
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (transport::TransportUser* u = members_[i].user) u->on_transport_error(error);
  }
}

void SharedPortDemux::on_pong(const transport::Pong& pong) {
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (transport::TransportUser* u = members_[i].user) u->on_pong(pong);
  }
}

}  // namespace sipline::txn
