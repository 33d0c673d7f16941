// Shared-port mode ([daemon] shared_port): one transport serves many accounts, each with a
// transaction layer of its own on the socket's TransactionCore. The demultiplexer is that
// transport's user and hands every message to the one account it belongs to:
// - a response by its top Via branch, which the account made with its own prefix after the
//   magic cookie (branch_prefix(), set on the account's Random);
// - a request by its Request-URI: the `;line=` parameter, else the user part (an account's
//   Contact user, unique among the accounts unless they carry a line token).
// A request no account owns is answered statelessly (RFC 3261 §8.2.2.1): 481 when it names a
// dialog or transaction (a To tag, or CANCEL), else 404; an ACK is dropped. All are counted.
// Transport errors go to the accounts' TransactionCore when they share one (set_core(): once,
// for every account's transactions), else to every account (each ignores a target it has
// nothing in flight to).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/shared_text.hpp"
#include "transport/transport.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::txn {

// What follows "z9hG4bK" in every branch account `id` makes: "s<id>x".
std::string branch_prefix(int id);
// The account id a branch names; -1 when it carries no such prefix.
int account_of_branch(std::string_view branch);

struct SharedPortCounters {
  std::uint64_t responses_routed = 0;
  std::uint64_t requests_routed = 0;
  std::uint64_t responses_unmatched = 0;  // no account's prefix: dropped
  std::uint64_t requests_unmatched = 0;   // answered 404/481 (ACK: dropped); the three below
  std::uint64_t answered_404 = 0;         // outside a dialog
  std::uint64_t answered_481 = 0;         // in a dialog (a To tag) or a CANCEL
  std::uint64_t acks_dropped = 0;         // never answered (RFC 3261 §17.2.3)
  std::uint64_t malformed = 0;            // no usable Via or Request-URI: dropped
};

class SharedPortDemux final : public transport::TransportUser {
 public:
  // `transport`: the shared one, for the stateless answers; `server`: their Server header.
  SharedPortDemux(transport::Transport& transport, std::string server)
      : transport_(transport), server_(std::move(server)) {}

  // Account `id` receives what is addressed to `contact_user` (or to `line`, when not "").
  // The user is not copied: its text must stay while the account is a member (the account's
  // config holds it); a temporary string does not compile.
  void add(int id, transport::TransportUser& user, std::string_view contact_user,
           const std::string& line);
  void add(int id, transport::TransportUser& user, std::string&& contact_user,
           const std::string& line) = delete;
  // Removes account `id` if `user` is still the one registered for it (a replacement may have
  // taken the id meanwhile).
  void remove(int id, const transport::TransportUser& user);
  // Makes room for `members` accounts with ids up to `max_id` at once: the tables do not grow
  // by doubling (holding the old and the new copy at once) while a fleet's accounts are added.
  void reserve(std::size_t members, int max_id);
  // The accounts' layers are faces on `core`: a transport error goes to it alone (nullptr: to
  // every account). `core` must outlive the demultiplexer's use.
  void set_core(TransactionCore* core) { core_ = core; }
  std::size_t size() const { return size_; }
  const SharedPortCounters& counters() const { return counters_; }

  void on_message(msg::Message message, const transport::Address& source,
                  const transport::Address& local) override;
  void on_transport_error(const transport::TransportError& error) override;
  // To every account too: each matches its own target (CRLF) or transaction id (STUN).
  void on_pong(const transport::Pong& pong) override;

 private:
  // By account id (1-based, dense): a vector, not a hash map (~100 bytes an account less, and
  // a response finds its account by index).
  struct Member {
    transport::TransportUser* user = nullptr;  // nullptr: no account with this id
    std::string_view contact_user;             // the account's text (16 bytes, where a copy was 32)
    base::SharedText line;                     // 8 bytes, nothing allocated when "" (most accounts)
  };
  const Member* member(int id) const {
    return id >= 0 && static_cast<std::size_t>(id) < members_.size() && members_[id].user
               ? &members_[id]
               : nullptr;
  }
  transport::TransportUser* owner_of_request(const msg::Message& request) const;
  void answer_unmatched(const msg::Message& request, const transport::Address& source);

  transport::Transport& transport_;
  std::string server_;
  TransactionCore* core_ = nullptr;
  std::vector<Member> members_;
  std::size_t size_ = 0;
  // Hash of the contact user -> ids; the user itself is the member's (24 bytes a node where a
  // copy of the user as key made 56). Lookups compare it.
  std::unordered_multimap<std::size_t, int> by_user_;
  std::unordered_map<std::string, int> by_line_;
  SharedPortCounters counters_;
};

}  // namespace sipline::txn
