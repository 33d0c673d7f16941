// The production TimerService: one Asio steady_timer on the single loop, armed for the earliest
// of an ordered queue of deadlines. A pending timer costs a queue entry (about a hundred bytes),
// not an Asio timer object and its pending operation: thousands of accounts each keep a refresh,
// a retry or a keep-alive timer armed all the time.
#pragma once
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

#include "base/timers.hpp"

namespace sipline::base {

class AsioTimers final : public TimerService {
 public:
  explicit AsioTimers(asio::io_context& io) : timer_(io) {}
  ~AsioTimers() override;
  TimePoint now() const override { return Clock::now(); }
  TimerId schedule_at(TimePoint when, std::function<void()> fn) override;
  void cancel(TimerId id) override;
  std::size_t pending() const override { return by_id_.size(); }

 private:
  using Key = std::pair<TimePoint, TimerId>;
  // Arms the Asio timer for the earliest deadline (or leaves it idle when none is pending).
  void rearm();
  void on_expiry();

  asio::steady_timer timer_;
  TimePoint armed_for_ = TimePoint::max();
  TimerId next_id_ = 1;
  std::map<Key, std::function<void()>> queue_;
  std::unordered_map<TimerId, TimePoint> by_id_;
  // Expires with the service: handlers already queued on the loop (and on_expiry, after each
  // callback) check it, so none touches a destroyed service.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sipline::base
