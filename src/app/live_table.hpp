// `sipline run` on a terminal: a table of accounts redrawn every second on the alternate screen,
// with the most recent log lines below it (log output is captured while the table is shown).
#pragma once
#include <memory>
#include <ostream>

#include "app/account_table.hpp"
#include "sipline/engine.hpp"

namespace sipline::app {

// The table style for stdout: its terminal's width and colour (unless NO_COLOR is set); no
// limit and no colour when stdout is not a terminal (scripts, pipes).
TableStyle stdout_table_style();

class LiveTable {
 public:
  LiveTable(asio::io_context& io, Engine& engine, std::ostream& out);
  ~LiveTable();  // stops
  LiveTable(const LiveTable&) = delete;
  LiveTable& operator=(const LiveTable&) = delete;

  // Enters the alternate screen, captures logging, draws now and then every second (on the loop).
  void start();
  // Leaves the alternate screen, restores logging and prints the last log lines and the table.
  // Call on the loop or after it stopped. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipline::app
