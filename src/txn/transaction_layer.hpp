// RFC 3261 §17 transactions over a Transport: non-INVITE client transactions (timers E, F, K)
// and non-INVITE server transactions (timer J) that absorb retransmitted requests.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "base/random.hpp"
#include "base/timers.hpp"
#include "msg/message.hpp"
#include "transport/transport.hpp"

namespace sipline::txn {

// RFC 3261 timer values, changeable at run time (new transactions use the new values).
struct TimerConfig {
  base::Duration t1{500};   // RTT estimate
  base::Duration t2{4000};  // maximum retransmit interval for non-INVITE requests
  base::Duration t4{5000};  // maximum duration a message stays in the network
};

// What a client transaction reports to its user; exactly one final event per transaction.
struct ResponseEvent {
  const msg::Message& response;  // 1xx (any number, before the final) or final (>= 200)
};
struct TimeoutEvent {};           // timer F fired: no final response
struct TransportErrorEvent {
  transport::TransportError error;
};
using ClientEvent = std::variant<ResponseEvent, TimeoutEvent, TransportErrorEvent>;
using ClientCallback = std::function<void(const ClientEvent&)>;

struct Counters {
  std::uint64_t client_started = 0;
  std::uint64_t retransmissions = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t stray_responses = 0;        // no transaction matched: counted and dropped
  std::uint64_t server_requests = 0;
  std::uint64_t server_retransmissions = 0;  // absorbed by a server transaction
  std::uint64_t malformed = 0;              // missing/invalid Via, CSeq ... : dropped
};

// A request the layer answers by itself or hands to a handler.
// The handler gets the request and must call `respond` (now or later on the loop) once with a
// complete response built with msg::response_to(); not calling it leaves the request unanswered.
using Respond = std::function<void(std::string response_bytes)>;
using RequestHandler =
    std::function<void(const msg::Message& request, const transport::Address& source, Respond)>;

class TransactionLayer final : public transport::TransportUser {
 public:
  TransactionLayer(base::TimerService& timers, transport::Transport& transport, TimerConfig cfg);
  ~TransactionLayer() override;

  void set_timer_config(TimerConfig cfg) { cfg_ = cfg; }
  const TimerConfig& timer_config() const { return cfg_; }

  // Starts a non-INVITE client transaction. `request` is a complete serialized request whose
  // top Via carries `branch` (make one with base::Random::branch()). The callback fires for
  // each provisional and then exactly once with a final response, timeout or transport error;
  // it may start new transactions or destroy its owner. Returns a handle for cancel().
  std::uint64_t send_request(const transport::Target& target, std::string_view branch,
                             std::string_view method, std::string request, ClientCallback cb);
  // Forgets a client transaction: no further callbacks (its timers stop).
  void cancel(std::uint64_t handle);

  // Requests for which no handler is set: OPTIONS gets 200 (Allow, Accept, Supported),
  // anything else 405 Method Not Allowed with Allow, except ACK (never answered).
  void set_request_handler(std::string_view method, RequestHandler handler);

  const Counters& counters() const { return counters_; }

  // TransportUser
  void on_message(msg::Message message, const transport::Address& source,
                  const transport::Address& local) override;
  void on_transport_error(const transport::TransportError& error) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  base::TimerService& timers_;
  transport::Transport& transport_;
  TimerConfig cfg_;
  Counters counters_;
};

}  // namespace sipline::txn
