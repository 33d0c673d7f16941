#include "app/log_batch.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <asio/post.hpp>
#include <cerrno>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sipline::app {

namespace {

void write_all(const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stderr closed or full: the lines are lost, the daemon goes on
    done += static_cast<std::size_t>(n);
  }
}

// Formats into one buffer; the first line of a turn posts the write to the end of the turn.
class BatchedSink final : public spdlog::sinks::base_sink<std::mutex>,
                          public std::enable_shared_from_this<BatchedSink> {
 public:
  explicit BatchedSink(asio::io_context& io) : io_(io) {}
  // Detached: everything is written at once from now on (the loop may be gone).
  void detach() {
    std::lock_guard lock(mutex_);
    attached_ = false;
    flush_();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    buffer_.append(formatted.data(), formatted.size());
    if (!attached_ || msg.level >= spdlog::level::warn || buffer_.size() >= kMaxBuffered) {
      flush_();
      return;
    }
    if (posted_) return;
    posted_ = true;
    // A queued write keeps the sink; once detached (the loop is ending) it finds nothing left.
    asio::post(io_, [self = shared_from_this()] { self->flush(); });
  }
  void flush_() override {
    posted_ = false;
    if (buffer_.empty()) return;
    write_all(buffer_);
    buffer_.clear();
  }

 private:
  static constexpr std::size_t kMaxBuffered = 64 * 1024;
  asio::io_context& io_;
  std::string buffer_;
  bool attached_ = true;
  bool posted_ = false;
};

}  // namespace

struct BatchedStderrLog::State {
  std::shared_ptr<BatchedSink> sink;
  std::vector<spdlog::sink_ptr> previous;
};

BatchedStderrLog::BatchedStderrLog(asio::io_context& io) {
  auto logger = spdlog::default_logger();
  if (!logger || ::isatty(STDERR_FILENO) == 1) return;
  state_ = std::make_unique<State>(State{std::make_shared<BatchedSink>(io), logger->sinks()});
  state_->sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l %v");
  logger->sinks() = {state_->sink};
}

BatchedStderrLog::~BatchedStderrLog() {
  if (!state_) return;
  if (auto logger = spdlog::default_logger()) logger->sinks() = state_->previous;
  state_->sink->detach();
}

}  // namespace sipline::app
