// The TransactionLayer's insides, shared by transaction_layer.cpp (client side) and
// server_side.cpp. Records are held by unique_ptr so their base::Timer members never move.
//
// Re-entrancy rules, followed everywhere a user callback runs (client callback, request handler):
//  - the transaction's state is final before the callback runs (record erased, or its callback
//    dropped when it stays in Completed to absorb retransmissions);
//  - the callback is invoked through a local copy (shared_ptr), never through the record;
//  - nothing of `this` is touched after a callback unless `life` is still alive (the callback
//    may have destroyed the layer).
#pragma once
#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "base/random.hpp"
#include "base/timer.hpp"
#include "txn/actions.hpp"
#include "txn/invite_client.hpp"
#include "txn/invite_server.hpp"
#include "txn/matching.hpp"
#include "txn/non_invite_client.hpp"
#include "txn/non_invite_server.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::txn {

// A transaction's timers (one per slot, timer_slot()) on one service timer, armed for the
// earliest of them: a transaction waiting for its answer (E and F, A and B) is one entry in the
// loop's timer queue, not two, and the 32 s timeout cancelled by the answer does not stay in the
// queue until it comes up. Equal deadlines fire in the order they were armed, as separate timers
// would. Destroying the set cancels them all.
class TimerSet {
 public:
  explicit TimerSet(base::TimerService& s) : timer_(s) { due_.fill(base::TimePoint::max()); }

  // Arms or stops the timers named in `a` for transaction `handle`; `fire(handle, name)` runs
  // when one expires (the set stays as it is until the next apply(), which the transaction's
  // handling of that timer makes). `fire` holds one pointer at most: with the set's address it
  // fits std::function's inline storage (no allocation per arming).
  template <typename Fire>
  void apply(const Actions& a, std::uint64_t handle, Fire fire) {
    static_assert(sizeof(Fire) <= sizeof(void*), "fire must capture one pointer at most");
    handle_ = handle;
    const base::TimePoint now = timer_.now();
    for (const TimerOp& op : a.timers) {
      const std::size_t slot = timer_slot(op.timer);
      if (!op.delay) {
        due_[slot] = base::TimePoint::max();
      } else {
        due_[slot] = now + *op.delay;
        name_[slot] = op.timer;
        order_[slot] = ++armed_;
      }
    }
    arm_earliest(fire);
  }

 private:
  static constexpr std::uint8_t kNone = kTimerSlots;

  template <typename Fire>
  void arm_earliest(Fire fire) {
    std::uint8_t next = kNone;
    for (std::uint8_t i = 0; i < kTimerSlots; ++i) {
      if (due_[i] == base::TimePoint::max()) continue;
      if (next == kNone || due_[i] < due_[next] ||
          (due_[i] == due_[next] && order_[i] < order_[next])) {
        next = i;
      }
    }
    if (next == kNone) {
      timer_.cancel();
      armed_slot_ = kNone;
      return;
    }
    if (timer_.armed() && armed_slot_ == next && timer_.deadline() == due_[next]) return;
    armed_slot_ = next;
    timer_.arm_at(due_[next], [this, fire] {
      const std::size_t slot = armed_slot_;
      armed_slot_ = kNone;
      due_[slot] = base::TimePoint::max();
      fire(handle_, name_[slot]);  // may destroy the set
    });
  }

  base::Timer timer_;
  std::array<base::TimePoint, kTimerSlots> due_;  // TimePoint::max(): not armed
  std::uint64_t handle_ = 0;
  std::array<std::uint32_t, kTimerSlots> order_{};
  std::uint32_t armed_ = 0;  // arming count: the order of equal deadlines
  std::array<TimerName, kTimerSlots> name_{};
  std::uint8_t armed_slot_ = kNone;  // the slot timer_ is armed for
};

// A client transaction's state machine: non-INVITE (§17.1.2) or INVITE (§17.1.1).
class ClientFsm {
 public:
  ClientFsm(bool invite, const TimerConfig& cfg, bool reliable)
      : v_(invite ? Variant{InviteClient(cfg, reliable)}
                  : Variant{NonInviteClient(cfg, reliable)}) {}
  Actions start() {
    return visit([](auto& f) { return f.start(); });
  }
  Actions on_response(int code) {
    return visit([code](auto& f) { return f.on_response(code); });
  }
  Actions on_timer(TimerName t) {
    return visit([t](auto& f) { return f.on_timer(t); });
  }
  Actions on_transport_error() {
    return visit([](auto& f) { return f.on_transport_error(); });
  }
  bool invite() const { return std::holds_alternative<InviteClient>(v_); }
  // No final response yet.
  bool pending() const {
    return std::visit([](const auto& f) { return f.pending(); }, v_);
  }
  // The user still gets events (INVITE: also in Accepted, for further 2xx).
  bool reporting() const {
    if (const auto* i = std::get_if<InviteClient>(&v_)) return i->reporting();
    return pending();
  }
  bool terminated() const {
    if (const auto* i = std::get_if<InviteClient>(&v_)) {
      return i->state() == InviteClientState::kTerminated;
    }
    return std::get<NonInviteClient>(v_).state() == ClientState::kTerminated;
  }
  // A non-INVITE transaction in Completed: only its key is kept (retire_client()).
  bool retire() const {
    const auto* n = std::get_if<NonInviteClient>(&v_);
    return n && n->state() == ClientState::kCompleted;
  }

 private:
  using Variant = std::variant<NonInviteClient, InviteClient>;
  template <typename F>
  Actions visit(F f) {
    return std::visit(f, v_);
  }
  Variant v_;
};

// A server transaction's state machine: non-INVITE (§17.2.2) or INVITE (§17.2.1).
class ServerFsm {
 public:
  ServerFsm(bool invite, const TimerConfig& cfg, bool reliable)
      : v_(invite ? Variant{InviteServer(cfg, reliable)}
                  : Variant{NonInviteServer(cfg, reliable)}) {}
  Actions start() {
    return visit([](auto& f) { return f.start(); });
  }
  Actions on_retransmission() {
    return visit([](auto& f) { return f.on_retransmission(); });
  }
  Actions on_respond(int code) {
    return visit([code](auto& f) { return f.on_respond(code); });
  }
  Actions on_timer(TimerName t) {
    return visit([t](auto& f) { return f.on_timer(t); });
  }
  InviteServer* invite() { return std::get_if<InviteServer>(&v_); }
  bool terminated() const {
    if (const auto* i = std::get_if<InviteServer>(&v_)) {
      return i->state() == InviteServerState::kTerminated;
    }
    return std::get<NonInviteServer>(v_).state() == ServerState::kTerminated;
  }

 private:
  using Variant = std::variant<NonInviteServer, InviteServer>;
  template <typename F>
  Actions visit(F f) {
    return std::visit(f, v_);
  }
  Variant v_;
};

struct ClientRecord {
  ClientRecord(TransactionLayer& f, base::TimerService& s, bool invite, const TimerConfig& cfg,
               bool reliable)
      : face(&f), fsm(invite, cfg, reliable), timers(s) {}
  TransactionLayer* face;  // the layer that started it: its counters, its timers
  std::uint64_t handle = 0;
  std::size_t key_hash = 0;  // of `key`: compared first when a response looks for its record
  ClientFsm fsm;
  transport::Target target;
  std::string key;  // client_key(): branch + method
  std::string request;
  std::string ack;                           // INVITE: the ACK for the non-2xx final, once it came
  std::shared_ptr<ClientCallback> callback;  // null once the final event was reported
  TimerSet timers;
  bool retransmitted = false;  // timer A or E re-sent the request
};

struct ServerRecord {
  ServerRecord(TransactionLayer& f, base::TimerService& s, bool invite, const TimerConfig& cfg,
               bool reliable)
      : face(&f), fsm(invite, cfg, reliable), timers(s) {}
  TransactionLayer* face;  // the layer that received the request: its handlers, its counters
  ServerFsm fsm;
  transport::Address source;   // where the request came from
  transport::Target reply_to;  // response_address() of the request
  std::string key;             // server_key()
  std::string last_response;   // re-sent for retransmitted requests (INVITE: first our 100)
  TimerSet timers;
};

// The transactions of one layer (device mode, tests) or of every layer on a TransactionCore
// (shared-port mode). Each record names its layer: that layer's counters count it, its timers
// run it, its handlers answer its requests. A layer going away erases its records (forget()).
struct TransactionLayer::Impl {
  Impl(transport::Transport& tr, TimerConfig c) : transport(tr), cfg(c) {}

  transport::Transport& transport;
  TimerConfig cfg;
  std::uint64_t next_handle = 1;  // handles never repeat, whichever layer asks

  // Client transactions in the order they started, which is the order of their handles (a
  // handle only grows): found by handle with a binary search, by key from the newest. An
  // account has a handful at a time; two maps cost 96 bytes in every account and two node
  // allocations per transaction.
  std::vector<std::unique_ptr<ClientRecord>> clients;
  // The record of `handle` (clients.end(): none), and the record itself (nullptr: none).
  std::vector<std::unique_ptr<ClientRecord>>::const_iterator client_at(std::uint64_t handle) const;
  ClientRecord* client(std::uint64_t handle) const;
  ClientRecord* client_by_key(std::string_view key) const;
  // A core's client transactions by key hash (a response finds its own among thousands);
  // null for a layer's own (a handful, scanned).
  std::unique_ptr<std::unordered_multimap<std::size_t, ClientRecord*>> by_key;
  // A TransactionCore's (it alone has the index): layers count only their own.
  bool shared() const { return by_key != nullptr; }
  void unindex(const ClientRecord& rec);
  // Server transactions, made with the first request received: most accounts of a large engine
  // never receive one, and two empty maps are still 96 bytes each account.
  struct ServerTables {
    std::map<std::uint64_t, std::unique_ptr<ServerRecord>> records;
    std::map<std::string, std::uint64_t, std::less<>> index;
  };
  std::unique_ptr<ServerTables> server_tables;
  ServerTables& server() {
    if (!server_tables) server_tables = std::make_unique<ServerTables>();
    return *server_tables;
  }
  // Client transactions in Completed (timer K, UDP): only their key is kept, to absorb
  // retransmitted responses, in the order they completed (K is the same for all, so that is
  // also the order they expire). The full record is gone: with thousands of accounts
  // registering at once, every one of them sits in K for T4.
  // The key is kept as its hash (16 bytes an entry instead of a string): a collision could only
  // make a stray response count as absorbed, never change what a usage sees.
  struct Completed {
    std::size_t key_hash;
    base::TimePoint expires;
  };
  // Expired entries are dropped when a transaction is next retired or looked for (no sweep
  // timer: 10,000 accounts registering at once each had one firing T4 later); an expired entry
  // never absorbs anything, and client_count() does not count it.
  std::vector<Completed> completed;
  std::size_t completed_head = 0;  // the entries before it have expired (erased in batches)
  void drop_expired_completed(base::TimePoint now);

  // A server transaction's key as `face` matches it: on a core, prefixed with the layer, so
  // that one request reaching two accounts (a peer reusing a branch) is a transaction of each,
  // as it was when each account had a layer of its own.
  std::string scoped(const TransactionLayer& face, std::string key) const {
    if (!shared()) return key;
    const auto* p = &face;
    key.insert(0, reinterpret_cast<const char*>(&p), sizeof p);
    return key;
  }
  // A layer goes: its transactions end without a word (their timers stop).
  void forget(const TransactionLayer& face);

  // Client side (transaction_layer.cpp).
  std::uint64_t send_request(TransactionLayer& face, const transport::Target& target,
                             std::string_view branch, std::string_view method, std::string request,
                             ClientCallback cb);
  void erase_client(std::uint64_t handle);
  // The record entered Completed: keep its key until timer K, drop the rest.
  void retire_client(std::uint64_t handle);
  bool absorbed_by_completed(std::string_view key, base::TimePoint now);
  void on_response(TransactionLayer& face, const msg::Message& response);
  // `only`: the transactions of that layer; nullptr: of every layer.
  void on_transport_error(const transport::TransportError& error, const TransactionLayer* only);
  void on_client_timer(std::uint64_t handle, TimerName timer);
  // Applies `a` to the transaction; reports `event` when the actions say so.
  void apply_client(std::uint64_t handle, const Actions& a, const ClientEvent* event);

  // Server side (server_side.cpp).
  void on_request(TransactionLayer& face, const msg::Message& request,
                  const transport::Address& source);
  void respond(std::uint64_t handle, std::string response);
  void on_server_timer(std::uint64_t handle, TimerName timer);
  void apply_server(std::uint64_t handle, const Actions& a);
  void erase_server(std::uint64_t handle);
  void answer_by_default(TransactionLayer& face, const msg::Message& request, std::uint64_t handle);
  void on_ack(TransactionLayer& face, const msg::Message& ack, const transport::Address& source);
  // A CANCEL whose INVITE server transaction exists: 200, and the CANCEL handler when the
  // INVITE has no final response yet. False when no INVITE matches.
  bool cancel_invite(TransactionLayer& face, const msg::Message& cancel,
                     const CheckedRequest& checked, std::uint64_t handle,
                     const transport::Address& source);
  std::uint64_t send_cancel(TransactionLayer& face, std::uint64_t invite_handle, ClientCallback cb);
  Respond make_respond(std::uint64_t handle);

  // Declared last so it dies first: a weak_ptr to it tells whether `this` still exists.
  // Expires with the transactions: a Respond kept past them, or a transport error's callbacks
  // that destroy them, see them gone. Made when first needed (most of a fleet's layers never
  // answer a request nor see a transport error: 48 bytes each less).
  std::shared_ptr<char> life;
  std::weak_ptr<char> alive() {
    if (!life) life = std::make_shared<char>('\0');
    return life;
  }
};

}  // namespace sipline::txn
