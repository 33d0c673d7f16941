// The production TimerService: Asio steady timers on the single loop.
#pragma once
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <memory>
#include <unordered_map>

#include "base/timers.hpp"

namespace sipline::base {

class AsioTimers final : public TimerService {
 public:
  explicit AsioTimers(asio::io_context& io) : io_(io) {}
  ~AsioTimers() override;
  TimePoint now() const override { return Clock::now(); }
  TimerId schedule_at(TimePoint when, std::function<void()> fn) override;
  void cancel(TimerId id) override;
  std::size_t pending() const override { return timers_.size(); }

 private:
  asio::io_context& io_;
  TimerId next_id_ = 1;
  std::unordered_map<TimerId, std::unique_ptr<asio::steady_timer>> timers_;
};

}  // namespace sipline::base
