// RFC 5626 §4.4 flow keep-alive of an outbound registration: a CRLFCRLF ping on the TCP/TLS
// connection (§4.4.1) or a STUN Binding request over UDP (§4.4.2) to the registrar, every
// interval (a fresh random draw each time, policy below). A ping unanswered for 10 s fails the
// flow — but only when the registrar said it supports outbound (Require: outbound in the 2xx):
// without it the pings still keep NAT bindings open, and a missing pong means nothing. Over UDP a
// STUN response that reflects another address than the previous one is a failure too (the NAT
// rebound us). What to do on failure is the account's (re-register over a new flow).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.hpp"
#include "base/timer.hpp"
#include "transport/stun.hpp"
#include "transport/transport.hpp"

namespace sipline::usage::flow {

enum class Kind : std::uint8_t { kCrlf, kStun };
std::string_view to_string(Kind k);  // "crlf" / "stun"
Kind kind_for(transport::Protocol p);

// §4.4.1: how long a ping may wait for its pong.
inline constexpr base::Duration kPongTimeout{10000};

// The next keep-alive interval (§4.4.1): with a Flow-Timer F, a random point in [0.8 F, F];
// without, [95 s, 120 s] for TCP/TLS and [24 s, 29 s] for UDP. `unit` in [0, 1). Never below
// 1 s (a Flow-Timer of 0 or 1 would otherwise ping in a loop).
base::Duration keepalive_interval(Kind kind, std::optional<std::uint32_t> flow_timer_s,
                                  double unit);

class FlowKeepalive {
 public:
  struct Callbacks {
    std::function<void(const std::string& why)> on_failed;  // the flow is dead: stopped
  };
  // `random`: STUN transaction ids; `jitter`: the interval draws (seeded per account).
  FlowKeepalive(transport::Transport& transport, base::TimerService& timers, base::Random& random,
                base::Random& jitter, Callbacks callbacks);
  FlowKeepalive(const FlowKeepalive&) = delete;
  FlowKeepalive& operator=(const FlowKeepalive&) = delete;

  // Starts, or goes on after a refresh (the same target keeps its schedule's reference: the
  // mapped address seen last). `pong_required`: the 2xx had Require: outbound.
  void start(const transport::Target& target, std::optional<std::uint32_t> flow_timer_s,
             bool pong_required);
  void stop();
  void on_pong(const transport::Pong& pong);

  bool running() const { return ping_timer_.armed(); }
  Kind kind() const { return kind_; }
  base::Duration interval() const { return interval_; }  // the last draw
  std::optional<base::TimePoint> last_pong() const { return last_pong_; }
  std::uint64_t failures() const { return failures_; }
  std::uint64_t pings_sent() const { return pings_; }

 private:
  void on_due();
  void ping();
  void answered();
  void fail(const std::string& why);

  transport::Transport& transport_;
  base::TimerService& timers_;
  base::Random& random_;
  base::Random& jitter_;
  Callbacks callbacks_;
  base::Timer ping_timer_;
  base::Timer pong_timer_;  // armed while a ping waits for its pong (the oldest one)
  std::optional<transport::Target> target_;
  Kind kind_ = Kind::kCrlf;
  std::optional<std::uint32_t> flow_timer_s_;
  bool pong_required_ = false;
  base::Duration interval_{0};
  // STUN ids of the pings not answered yet (a Flow-Timer under 10 s sends several per timeout).
  std::vector<transport::stun::TransactionId> outstanding_;
  std::optional<transport::Address> mapped_;  // what the last STUN response reflected
  std::optional<base::TimePoint> last_pong_;
  std::uint64_t failures_ = 0;
  std::uint64_t pings_ = 0;
};

}  // namespace sipline::usage::flow
