// systemd's service notification protocol (sd_notify(3)), written by hand: one datagram of
// "KEY=value" lines to the unix socket named by $NOTIFY_SOCKET (a leading '@' names the abstract
// namespace). libsystemd would do the same in a library the package does not otherwise need.
#pragma once
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <string_view>

namespace sipline::app {

// Sends `state` ("READY=1", "WATCHDOG=1", "STOPPING=1", "RELOADING=1", "STATUS=...") when
// $NOTIFY_SOCKET is set; false when it is not or the send failed. Never throws.
bool sd_notify(std::string_view state);

// How often systemd wants WATCHDOG=1 (half of WatchdogSec, from $WATCHDOG_USEC when
// $WATCHDOG_PID is absent or ours); nullopt when the watchdog is off.
std::optional<std::chrono::microseconds> watchdog_period();

// Sends WATCHDOG=1 from the loop every watchdog_period(): a loop that hangs stops sending.
class Watchdog {
 public:
  explicit Watchdog(asio::io_context& io) : timer_(io) {}
  void start();  // no-op when the watchdog is off
  void stop() { timer_.cancel(); }

 private:
  void arm();
  asio::steady_timer timer_;
  std::chrono::microseconds period_{0};
};

}  // namespace sipline::app
