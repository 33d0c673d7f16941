// RFC 3261 §17 transactions over a Transport: non-INVITE client transactions (timers E, F, K),
// non-INVITE server transactions (timer J) that absorb retransmitted requests, INVITE client
// (A, B, D, RFC 6026 M) and server (G, H, I, RFC 6026 L) transactions, and CANCEL (§9).
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/random.hpp"
#include "base/shared_text.hpp"
#include "base/timers.hpp"
#include "msg/message.hpp"
#include "transport/transport.hpp"
#include "txn/timer_config.hpp"

namespace sipline::txn {

// TimerConfig (T1, T2, T4) lives in txn/timer_config.hpp; new transactions use new values.

// What a client transaction reports to its user; exactly one final event per transaction,
// except that an INVITE's 2xx may come more than once (retransmissions, other forks: RFC 6026
// Accepted, for 64*T1): the user ACKs each.
struct ResponseEvent {
  const msg::Message& response;  // 1xx (any number, before the final) or final (>= 200)
  // The request had to be sent again before this response came (timer A or E fired): the
  // request or an answer was lost, or the server is slow. Admission reads it as congestion.
  bool retransmitted = false;
};
struct TimeoutEvent {};  // timer F fired: no final response
struct TransportErrorEvent {
  transport::TransportError error;
};
using ClientEvent = std::variant<ResponseEvent, TimeoutEvent, TransportErrorEvent>;
using ClientCallback = std::function<void(const ClientEvent&)>;

// 32 bits each: one account's layer (48 bytes, not 96, in every account of a fleet); a counter
// wraps after four billion events, which a Prometheus rate reads as a reset.
struct Counters {
  std::uint32_t client_started = 0;
  std::uint32_t retransmissions = 0;
  std::uint32_t timeouts = 0;
  std::uint32_t stray_responses = 0;  // no transaction matched: counted and dropped
  std::uint32_t server_requests = 0;
  std::uint32_t server_retransmissions = 0;    // absorbed by a server transaction
  std::uint32_t malformed = 0;                 // missing/invalid Via, CSeq ... : dropped
  std::uint32_t response_retransmissions = 0;  // responses absorbed in Completed (timer K)
  std::uint32_t transport_errors = 0;          // client transactions failed by the transport
  std::uint32_t ack_retransmissions = 0;       // INVITE client: ACK re-sent for a re-sent final
  std::uint32_t acks_absorbed = 0;             // INVITE server: ACKs for our non-2xx finals
  std::uint32_t ack_timeouts = 0;              // INVITE server: timer H (no ACK for a non-2xx)
  // Notes: server_requests counts requests that started a server transaction (not ACK, not
  // retransmissions); malformed counts requests answered 400 as well as messages dropped.
};

// A request the layer answers by itself or hands to a handler.
// The handler gets the request and must call `respond` (now or later on the loop) once with a
// complete response built with msg::response_to(); not calling it leaves the request unanswered.
using Respond = std::function<void(std::string response_bytes)>;
using RequestHandler =
    std::function<void(const msg::Message& request, const transport::Address& source, Respond)>;

class TransactionCore;

class TransactionLayer final : public transport::TransportUser {
 public:
  // `random` makes To tags for the responses the layer sends by itself; without one the layer
  // seeds its own from the operating system. Timers, transport and random must outlive it.
  TransactionLayer(base::TimerService& timers, transport::Transport& transport, TimerConfig cfg,
                   base::Random* random = nullptr);
  // A layer whose transactions live in `core` with those of the core's other layers (their
  // handles never collide); `core`, `timers` and `random` must outlive it. Its messages still
  // come through on_message(); the core's transport errors go to the core. Destroying the
  // layer ends its transactions. The core's timer configuration is every layer's.
  TransactionLayer(TransactionCore& core, base::TimerService& timers, base::Random& random);
  ~TransactionLayer() override;
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;

  void set_timer_config(TimerConfig cfg);
  const TimerConfig& timer_config() const;

  // Starts a client transaction (INVITE when `method` is "INVITE": §17.1.1, the non-2xx ACKed
  // by the layer; else §17.1.2). `request` is a complete serialized request whose
  // top Via carries `branch` (make one with base::Random::branch()). The callback fires for
  // each provisional and then exactly once with a final response, timeout or transport error;
  // it may start new transactions, cancel any, or destroy its owner (even this layer).
  // Returns a handle for cancel(): never 0, never reused.
  std::uint64_t send_request(const transport::Target& target, std::string_view branch,
                             std::string_view method, std::string request, ClientCallback cb);
  // Sends a CANCEL (§9.1) for the INVITE client transaction `invite_handle` while it has no
  // final response: built from the INVITE (same Request-URI, top Via and branch, From, To,
  // Call-ID, CSeq number, Route), its own non-INVITE transaction to the same target. Returns its
  // handle, or 0 (nothing sent) when the INVITE is unknown or already has a final response.
  // RFC 3261 §9.1 wants a provisional response first: that is the caller's rule.
  std::uint64_t send_cancel(std::uint64_t invite_handle, ClientCallback cb);
  // Forgets a client transaction: no further callbacks (its timers stop).
  void cancel(std::uint64_t handle);

  // Requests for which no handler is set: OPTIONS gets 200 (Allow, Accept, Supported),
  // anything else 405 Method Not Allowed with Allow, except ACK (never answered).
  // An empty handler removes it. A handler for "ACK" gets ACKs that no INVITE server transaction
  // absorbed (the ACKs of 2xx; its Respond does nothing).
  // INVITE: the handler's Respond may be called for provisionals, then one final; after a 2xx,
  // again with that 2xx (the user's retransmissions, RFC 3261 §13.3.1.4) until 64*T1. The layer
  // sends 100 Trying itself when no response came within 200 ms.
  // CANCEL: one that matches an INVITE server transaction is answered 200 by the layer; when
  // that INVITE has no final response yet, the "CANCEL" handler gets it (its Respond does
  // nothing) and should answer the INVITE 487. A CANCEL matching nothing gets 481.
  void set_request_handler(std::string_view method, RequestHandler handler);
  // One handler for several methods (it tells them apart by the request's method): one
  // allocation for all of them.
  void set_request_handler(std::initializer_list<std::string_view> methods, RequestHandler handler);
  // The Allow value the layer sends: OPTIONS and every method with a handler ("NOTIFY, OPTIONS").
  std::string allowed_methods() const;
  // The Supported value of the layer's own 200 to OPTIONS (option tags); default empty.
  void set_supported(base::SharedText option_tags);
  // Server header (RFC 3261 §20.35) of the responses the layer sends by itself; "": none.
  void set_server(base::SharedText product);

  const Counters& counters() const;
  // Transactions alive (in any state but Terminated): for tests and metrics. On a core: the
  // layer's own, without the completed ones (timer K) whose keys the core keeps for all.
  std::size_t client_count() const;
  std::size_t server_count() const;

  // TransportUser
  void on_message(msg::Message message, const transport::Address& source,
                  const transport::Address& local) override;
  void on_transport_error(const transport::TransportError& error) override;

 private:
  friend class TransactionCore;
  struct Impl;  // the transactions: the layer's own, or a TransactionCore's
  struct HandlerEntry {
    std::uint64_t methods;   // method_bit()s
    RequestHandler handler;  // a request runs a copy: it may remove itself while it runs
  };
  RequestHandler handler_for(std::string_view method) const;  // a copy; empty: none
  std::vector<std::string> handled_methods() const;
  // Gives the methods of `mask` to `handler` (empty: no handler for them any more).
  void set_handler(std::uint64_t mask, RequestHandler handler);

  Impl* impl_;
  std::unique_ptr<Impl> own_impl_;  // a layer of its own (device mode, tests); null on a core
  base::TimerService& timers_;
  std::unique_ptr<base::Random> own_random_;
  base::Random* random_;
  Counters counters_;
  base::SharedText supported_;
  base::SharedText server_header_;  // Server header of the layer's own responses; "": none
  // One entry per handler, with the set of methods it serves as bits: an account's one handler
  // for NOTIFY and the call methods is one 40-byte entry.
  std::vector<HandlerEntry> handlers_;
};

// The transactions of many layers on one transport (shared-port mode: one per shared socket).
// Each account keeps a small layer of its own on it (its counters, request handlers, random and
// timers, ~140 bytes), while the tables of transactions, the keys of completed ones and the
// timer configuration are kept once: a fleet of accounts each with a whole layer paid ~300
// bytes an account for tables that are empty most of the time.
class TransactionCore {
 public:
  TransactionCore(transport::Transport& transport, TimerConfig cfg);
  ~TransactionCore();
  TransactionCore(const TransactionCore&) = delete;
  TransactionCore& operator=(const TransactionCore&) = delete;
  // The transport failed toward a target: every layer's client transactions to it fail (once,
  // whichever layer they belong to; a callback may destroy any layer, not the core).
  void on_transport_error(const transport::TransportError& error);
  // Room for the completed transactions' keys of `layers` layers registering at once.
  void reserve(std::size_t layers);

 private:
  friend class TransactionLayer;
  std::unique_ptr<TransactionLayer::Impl> impl_;
};

}  // namespace sipline::txn
