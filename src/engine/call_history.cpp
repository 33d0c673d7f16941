#include "call_history.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>

#include "atomic_file.hpp"

namespace sipline::engine {

namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::system_clock;

// Far more than 2 * kKeep lines of calls: anything bigger is not a file this class wrote.
constexpr std::uintmax_t kMaxFileBytes = 16u << 20;
constexpr std::size_t kMaxReported = 20;  // skipped lines named one by one; the rest counted

std::int64_t to_ms(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
Clock::time_point from_ms(std::int64_t ms) {
  return Clock::time_point(std::chrono::milliseconds(ms));
}

// The typed fields of a line; each false (with `why`) when absent or of another type.
struct Fields {
  const Json& j;
  std::string& why;
  const Json* get(const char* key, bool (Json::*is)() const) const {
    const auto it = j.find(key);
    if (it == j.end() || !((*it).*is)()) {
      why = std::string("\"") + key + "\" missing or of the wrong type";
      return nullptr;
    }
    return &*it;
  }
  bool text(const char* key, std::string& out) const {
    const Json* v = get(key, &Json::is_string);
    if (v != nullptr) out = v->get<std::string>();
    return v != nullptr;
  }
  template <typename Int>
  bool integer(const char* key, Int& out) const {
    const Json* v = get(key, &Json::is_number_integer);
    if (v == nullptr) return false;
    const std::int64_t n = v->get<std::int64_t>();
    if (n < 0) {
      why = std::string("\"") + key + "\" is negative";
      return false;
    }
    out = static_cast<Int>(n);
    return true;
  }
  bool time(const char* key, std::optional<Clock::time_point>& out, bool nullable) const {
    const auto it = j.find(key);
    if (nullable && it != j.end() && it->is_null()) {
      out.reset();
      return true;
    }
    std::int64_t ms = 0;
    if (!integer(key, ms)) return false;
    out = from_ms(ms);
    return true;
  }
};

}  // namespace

// The writer thread and the queue it shares with the loop.
class CallHistory::Writer {
 public:
  // `kept`: the good lines of the file (the last kKeep); `lines`: how many the file holds;
  // `rewrite`: the file must be rewritten from `kept` before anything is appended to it.
  Writer(std::string path, std::deque<std::string> kept, std::size_t lines, bool rewrite)
      : path_(std::move(path)),
        busy_(rewrite),
        kept_(std::move(kept)),
        lines_in_file_(lines),
        rewrite_(rewrite),
        thread_([this] { run(); }) {}

  ~Writer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }

  void push(std::string line) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(line));
      ++queued_;
    }
    wake_.notify_one();
  }

  void flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = queued_;
    written_.wait(lock, [&] { return done_ >= target && !busy_; });
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    if (rewrite_) {
      lock.unlock();
      compact();
      lock.lock();
      busy_ = false;
      written_.notify_all();
    }
    for (;;) {
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
      std::vector<std::string> batch = std::move(queue_);
      queue_.clear();
      busy_ = true;
      lock.unlock();
      write(batch);
      lock.lock();
      busy_ = false;
      done_ += batch.size();
      written_.notify_all();
    }
  }

  void write(const std::vector<std::string>& batch) {
    for (const auto& line : batch) kept_.push_back(line);
    while (kept_.size() > kKeep) kept_.pop_front();
    if (!rewrite_ && append(batch)) {
      lines_in_file_ += batch.size();
      if (lines_in_file_ < 2 * kKeep) return;
    }
    compact();
  }

  bool append(const std::vector<std::string>& batch) {
    if (fd_ < 0) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
      fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      if (fd_ < 0) return failed(std::string("cannot open: ") + std::strerror(errno));
      ::fchmod(fd_, 0600);  // a file made by hand keeps no wider access
    }
    std::string text;
    for (const auto& line : batch) (text += line) += '\n';
    for (std::size_t at = 0; at < text.size();) {
      const ssize_t n = ::write(fd_, text.data() + at, text.size() - at);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return failed(std::string("cannot append: ") + std::strerror(errno));
      at += static_cast<std::size_t>(n);
    }
    if (::fdatasync(fd_) != 0) return failed(std::string("cannot sync: ") + std::strerror(errno));
    return true;
  }

  // After a failed append the file may end in part of a line: it is rewritten whole next time.
  bool failed(const std::string& why) {
    warn(why);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    rewrite_ = true;
    return false;
  }

  void compact() {
    std::string text;
    for (const auto& line : kept_) (text += line) += '\n';
    std::string error;
    if (!write_atomically(path_, text, error)) {
      warn("cannot rewrite: " + error.substr(error.rfind(": ") + 2));  // the path is in warn()
      rewrite_ = true;
      return;
    }
    if (fd_ >= 0) ::close(fd_);  // the old file: the next append opens the new one
    fd_ = -1;
    lines_in_file_ = kept_.size();
    rewrite_ = false;
    warned_ = false;
  }

  void warn(const std::string& why) {
    if (!warned_) {
      spdlog::warn("call history {}: {}; calls are kept in memory, not across a restart", path_,
                   why);
    }
    warned_ = true;
  }

  const std::string path_;
  std::mutex mutex_;
  std::condition_variable wake_, written_;
  std::vector<std::string> queue_;
  bool stopping_ = false;
  bool busy_ = false;  // the thread is writing (what it took from the queue, or the first rewrite)
  std::uint64_t queued_ = 0, done_ = 0;
  // The thread's own from here on.
  std::deque<std::string> kept_;
  std::size_t lines_in_file_;
  bool rewrite_;
  int fd_ = -1;
  bool warned_ = false;
  std::thread thread_;  // last: starts once everything above is built
};

std::string CallHistory::path_in(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / "calls.jsonl").string();
}

CallHistory::CallHistory(std::string path) : path_(std::move(path)) {
  load();
}

CallHistory::~CallHistory() = default;

void CallHistory::load() {
  std::deque<std::string> kept;
  std::size_t lines = 0, skipped = 0;
  bool rewrite = false;
  auto problem = [&](std::string what) {
    rewrite = true;
    if (problems_.size() < kMaxReported) {
      spdlog::warn("call history {}: {}", path_, what);
      problems_.push_back(std::move(what));
    }
  };
  std::error_code ec;
  const bool exists = std::filesystem::exists(path_, ec);
  const std::uintmax_t size = exists ? std::filesystem::file_size(path_, ec) : 0;
  std::ifstream in;
  if (exists && !std::filesystem::is_regular_file(path_, ec)) {
    problem("not a regular file; ignored");
  } else if (exists && !ec && size > kMaxFileBytes) {
    problem("larger than " + std::to_string(kMaxFileBytes) + " bytes: not a call history; ignored");
  } else if (exists) {
    in.open(path_, std::ios::binary);
    if (!in) problem("cannot be read; ignored");
  }
  std::string line;
  while (in && std::getline(in, line)) {
    ++lines;
    if (in.eof()) {  // no end of line: cut short by a crash mid-write
      ++skipped;
      problem("line " + std::to_string(lines) + ": cut short (no end of line); skipped");
      break;
    }
    std::string why;
    auto c = from_line(line, why);
    if (!c) {
      ++skipped;
      problem("line " + std::to_string(lines) + ": " + why + "; skipped");
      continue;
    }
    max_id_ = std::max(max_id_, c->id);
    calls_.push_front(std::move(*c));
    kept.push_back(std::move(line));
    if (calls_.size() > kKeep) {
      calls_.pop_back();
      kept.pop_front();
    }
  }
  if (skipped > problems_.size()) {
    problems_.push_back(std::to_string(skipped) + " line(s) skipped in all");
    spdlog::warn("call history {}: {}", path_, problems_.back());
  }
  if (!calls_.empty()) {
    spdlog::info("call history {}: {} call(s) from before", path_, calls_.size());
  }
  writer_ = std::make_unique<Writer>(path_, std::move(kept), lines, rewrite);
}

void CallHistory::add(const CallStatus& ended) {
  max_id_ = std::max(max_id_, ended.id);
  calls_.push_front(ended);
  if (calls_.size() > kKeep) calls_.pop_back();
  writer_->push(to_line(ended));
}

std::optional<CallStatus> CallHistory::find(std::uint64_t id) const {
  for (const auto& c : calls_) {
    if (c.id == id) return c;
  }
  return std::nullopt;
}

void CallHistory::flush() {
  writer_->flush();
}

std::string CallHistory::to_line(const CallStatus& c) {
  Json j = Json::object();
  j["id"] = c.id;
  j["account"] = c.account;
  j["direction"] = c.direction;
  j["remote"] = c.remote;
  j["anonymous"] = c.anonymous;
  j["started_ms"] = to_ms(c.started_at);
  j["answered_ms"] = c.answered_at ? Json(to_ms(*c.answered_at)) : Json(nullptr);
  j["ended_ms"] = to_ms(c.ended_at.value_or(c.started_at));
  const CallOutcomeStatus outcome = c.outcome.value_or(CallOutcomeStatus{0, "", "local"});
  j["outcome"] = {
      {"status", outcome.status}, {"reason", outcome.reason}, {"ended_by", outcome.ended_by}};
  j["codec"] = c.codec;
  j["rtp"] = {{"sent", c.rtp.sent},
              {"received", c.rtp.received},
              {"lost", c.rtp.lost},
              {"jitter_ms", c.rtp.jitter_ms}};
  // Invalid UTF-8 (a remote URI is the far end's bytes) is replaced, never thrown.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<CallStatus> CallHistory::from_line(const std::string& line, std::string& why) {
  const Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    why = "not a JSON object";
    return std::nullopt;
  }
  CallStatus c;
  const Fields f{j, why};
  std::optional<Clock::time_point> started, ended;
  const Json* anonymous = f.get("anonymous", &Json::is_boolean);
  const Json* outcome = f.get("outcome", &Json::is_object);
  const Json* rtp = f.get("rtp", &Json::is_object);
  if (!f.integer("id", c.id) || !f.integer("account", c.account) ||
      !f.text("direction", c.direction) || !f.text("remote", c.remote) || anonymous == nullptr ||
      !f.time("started_ms", started, false) || !f.time("answered_ms", c.answered_at, true) ||
      !f.time("ended_ms", ended, false) || outcome == nullptr || !f.text("codec", c.codec) ||
      rtp == nullptr) {
    if (why.empty()) why = "a field is missing or of the wrong type";
    return std::nullopt;
  }
  if (c.id == 0 || (c.direction != "in" && c.direction != "out")) {
    why = "not a call id or direction";
    return std::nullopt;
  }
  c.anonymous = anonymous->get<bool>();
  c.started_at = *started;
  c.ended_at = ended;
  CallOutcomeStatus o;
  const Fields of{*outcome, why};
  if (!of.integer("status", o.status) || !of.text("reason", o.reason) ||
      !of.text("ended_by", o.ended_by) || (o.ended_by != "local" && o.ended_by != "remote")) {
    why = "outcome: " + (why.empty() ? std::string("ended_by is neither local nor remote") : why);
    return std::nullopt;
  }
  c.outcome = std::move(o);
  const Fields rf{*rtp, why};
  const Json* jitter = rf.get("jitter_ms", &Json::is_number);
  if (!rf.integer("sent", c.rtp.sent) || !rf.integer("received", c.rtp.received) ||
      !rf.integer("lost", c.rtp.lost) || jitter == nullptr) {
    why = "rtp: " + why;
    return std::nullopt;
  }
  c.rtp.jitter_ms = jitter->get<double>();
  c.state = "ended";
  if (c.answered_at) {
    c.duration_s = std::chrono::duration<double>(*c.ended_at - *c.answered_at).count();
  }
  return c;
}

}  // namespace sipline::engine
