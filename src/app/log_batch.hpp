// The daemon's log lines to a non-terminal stderr (a pipe, a file, journald's stdout stream),
// written once per turn of the event loop instead of once per line. A fleet logs two state
// changes per registration: one write(2) each was ~7 % of the daemon's CPU at 10,000 accounts.
// Warnings and errors are written at once, with whatever was waiting before them; nothing waits
// for a timer (no wake-up while idle), and the lines of a turn appear when the turn ends.
#pragma once
#include <asio/io_context.hpp>
#include <memory>

namespace sipline::app {

// While alive (and stderr is not a terminal), the default logger writes to stderr through one
// buffer flushed at the end of each turn of `io`'s loop. The destructor flushes and puts the
// previous sinks back. Make it after init_logging, only when the logger writes to stderr (not
// to the journal); destroy it before `io`.
class BatchedStderrLog {
 public:
  explicit BatchedStderrLog(asio::io_context& io);
  ~BatchedStderrLog();
  BatchedStderrLog(const BatchedStderrLog&) = delete;
  BatchedStderrLog& operator=(const BatchedStderrLog&) = delete;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sipline::app
