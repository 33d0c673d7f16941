#include "usage/flow/flow.hpp"

#include <algorithm>
#include <cmath>

namespace sipline::usage::flow {

using std::chrono::milliseconds;

std::string_view to_string(Kind k) {
  return k == Kind::kStun ? "stun" : "crlf";
}

Kind kind_for(transport::Protocol p) {
  return p == transport::Protocol::kUdp ? Kind::kStun : Kind::kCrlf;
}

base::Duration keepalive_interval(Kind kind, std::optional<std::uint32_t> flow_timer_s,
                                  double unit) {
  double low_ms = 0;
  double high_ms = 0;
  if (flow_timer_s) {
    high_ms = 1000.0 * *flow_timer_s;
    low_ms = 0.8 * high_ms;
  } else if (kind == Kind::kStun) {
    low_ms = 24000;
    high_ms = 29000;
  } else {
    low_ms = 95000;
    high_ms = 120000;
  }
  const auto ms = static_cast<std::int64_t>(std::llround(low_ms + unit * (high_ms - low_ms)));
  return milliseconds{std::max<std::int64_t>(ms, 1000)};
}

FlowKeepalive::FlowKeepalive(transport::Transport& transport, base::TimerService& timers,
                             base::Random& random, base::Random& jitter, Callbacks callbacks)
    : transport_(transport),
      timers_(timers),
      random_(random),
      jitter_(jitter),
      callbacks_(std::move(callbacks)),
      ping_timer_(timers),
      pong_timer_(timers) {}

void FlowKeepalive::start(const transport::Target& target,
                          std::optional<std::uint32_t> flow_timer_s, bool pong_required) {
  const bool same_flow = running() && target_ == target;
  if (!same_flow) {
    stop();
    target_ = target;
    kind_ = kind_for(target.remote.protocol);
  }
  flow_timer_s_ = flow_timer_s;
  pong_required_ = pong_required;
  if (!pong_required_) pong_timer_.cancel();  // a missing pong no longer means anything
  interval_ = keepalive_interval(kind_, flow_timer_s_, jitter_.unit());
  ping_timer_.arm_in(interval_, [this] { on_due(); });
}

void FlowKeepalive::stop() {
  ping_timer_.cancel();
  pong_timer_.cancel();
  outstanding_.clear();
  mapped_.reset();
}

void FlowKeepalive::on_due() {
  interval_ = keepalive_interval(kind_, flow_timer_s_, jitter_.unit());
  ping_timer_.arm_in(interval_, [this] { on_due(); });
  ping();
}

void FlowKeepalive::ping() {
  ++pings_;
  if (pong_required_ && !pong_timer_.armed()) {
    pong_timer_.arm_in(kPongTimeout, [this] {
      fail("no keep-alive pong within " + std::to_string(kPongTimeout.count() / 1000) + " s");
    });
  }
  if (kind_ == Kind::kCrlf) {
    transport_.send(*target_, "\r\n\r\n");
    return;
  }
  transport::stun::TransactionId id;
  for (std::size_t i = 0; i < id.size(); i += 6) {
    std::uint64_t r = random_.next_u64();
    for (std::size_t k = 0; k < 6; ++k, r >>= 8) id[i + k] = static_cast<std::uint8_t>(r & 0xff);
  }
  if (outstanding_.size() >= 16) outstanding_.erase(outstanding_.begin());  // bounded
  outstanding_.push_back(id);
  transport_.send(*target_, transport::stun::binding_request(id));
}

void FlowKeepalive::on_pong(const transport::Pong& pong) {
  if (!target_ || !running()) return;
  if (kind_ == Kind::kCrlf) {
    if (!pong.stun_transaction.empty() || pong.target.remote != target_->remote) return;
    return answered();
  }
  const auto ours = std::find_if(outstanding_.begin(), outstanding_.end(), [&](const auto& id) {
    return pong.stun_transaction.size() == id.size() &&
           std::equal(id.begin(), id.end(), pong.stun_transaction.begin(),
                      [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); });
  });
  if (ours == outstanding_.end()) return;  // another account's, or a late duplicate
  outstanding_.clear();
  answered();
  if (!pong.mapped) return;
  if (mapped_ && *mapped_ != *pong.mapped) {
    const std::string why = "keep-alive: our mapped address changed from " +
                            transport::to_string(*mapped_) + " to " +
                            transport::to_string(*pong.mapped);
    return fail(why);
  }
  mapped_ = pong.mapped;
}

void FlowKeepalive::answered() {
  last_pong_ = timers_.now();
  pong_timer_.cancel();
}

void FlowKeepalive::fail(const std::string& why) {
  ++failures_;
  stop();
  if (callbacks_.on_failed) callbacks_.on_failed(why);
}

}  // namespace sipline::usage::flow
