#include "app/live_table.hpp"

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "app/account_table.hpp"

namespace sipline::app {

namespace {

constexpr const char* kEnterScreen = "\x1b[?1049h\x1b[?25l";
constexpr const char* kLeaveScreen = "\x1b[?25h\x1b[?1049l";
constexpr const char* kHome = "\x1b[H";
constexpr const char* kClearLine = "\x1b[K";
constexpr const char* kClearBelow = "\x1b[J";
constexpr std::size_t kLogLines = 200;
constexpr std::size_t kLinesAfterExit = 20;

struct TerminalSize {
  std::size_t rows = 24;
  std::size_t cols = 80;
};

TerminalSize terminal_size() {
  TerminalSize size;
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
    size.rows = ws.ws_row;
    size.cols = ws.ws_col;
  }
  return size;
}

}  // namespace

TableStyle stdout_table_style() {
  if (!::isatty(STDOUT_FILENO)) return {};
  return TableStyle{terminal_size().cols, std::getenv("NO_COLOR") == nullptr};
}

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string trim_line(std::string line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

}  // namespace

struct LiveTable::Impl {
  Engine& engine;
  std::ostream& out;
  asio::steady_timer timer;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> ring;
  std::vector<spdlog::sink_ptr> saved_sinks;
  bool running = false;

  void draw();
  void schedule();
  void capture_logs();
  void restore_logs();
};

void LiveTable::Impl::draw() {
  TerminalSize size = terminal_size();
  // A screenful of accounts at most (a fleet has thousands), and the counts by state.
  AccountQuery first_rows;
  first_rows.limit = size.rows;
  const AccountPage page = engine.account_page(first_rows);
  std::vector<std::string> lines =
      split_lines(format_table(page.accounts, {size.cols, std::getenv("NO_COLOR") == nullptr}));
  lines.insert(lines.begin(), {"sipline " + std::string(version()) + "  (Ctrl-C stops)",
                               format_summary(page.total, page.states), ""});
  lines.push_back("");
  std::size_t room = size.rows > lines.size() + 1 ? size.rows - lines.size() - 1 : 0;
  if (room > 0) {
    for (auto& l : ring->last_formatted(room)) lines.push_back(trim_line(l));
  }
  std::string frame = kHome;
  for (std::size_t i = 0; i < lines.size() && i < size.rows; ++i) {
    std::string& l = lines[i];
    l = truncate_visible(l, size.cols);
    frame += l + kClearLine + (i + 1 < size.rows ? "\n" : "");
  }
  frame += kClearBelow;
  out << frame << std::flush;
}

void LiveTable::Impl::schedule() {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([this](const std::error_code& ec) {
    if (ec || !running) return;
    draw();
    schedule();
  });
}

void LiveTable::Impl::capture_logs() {
  auto logger = spdlog::default_logger();
  ring = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(kLogLines);
  ring->set_pattern("%H:%M:%S.%e %-5l %v");
  saved_sinks = logger->sinks();
  // Log lines to a terminal would tear the table; to a file they go on as before.
  if (::isatty(STDERR_FILENO)) logger->sinks().clear();
  logger->sinks().push_back(ring);
}

void LiveTable::Impl::restore_logs() {
  auto logger = spdlog::default_logger();
  logger->sinks() = saved_sinks;
}

LiveTable::LiveTable(asio::io_context& io, Engine& engine, std::ostream& out)
    : impl_(new Impl{engine, out, asio::steady_timer(io), nullptr, {}, false}) {}

LiveTable::~LiveTable() {
  stop();
}

void LiveTable::start() {
  if (impl_->running) return;
  impl_->running = true;
  impl_->capture_logs();
  impl_->out << kEnterScreen;
  impl_->draw();
  impl_->schedule();
}

void LiveTable::stop() {
  if (!impl_->running) return;
  impl_->running = false;
  impl_->timer.cancel();
  impl_->out << kLeaveScreen << std::flush;
  impl_->restore_logs();
  if (::isatty(STDERR_FILENO)) {
    for (auto& l : impl_->ring->last_formatted(kLinesAfterExit)) std::cerr << trim_line(l) << "\n";
  }
  impl_->out << format_table(impl_->engine.accounts(), stdout_table_style()) << std::flush;
}

}  // namespace sipline::app
