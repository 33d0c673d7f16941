// The call history (calls-and-subscriptions.md "Calls": the last 1000 ended calls, also written
// to state_dir), so that GET /api/calls and `sipline calls` still show yesterday's calls after a
// restart.
//
// <state_dir>/calls.jsonl holds one ended call per line (JSON, oldest first), mode 0600: it
// names who called whom. An ended call is appended as one line; the file is compacted to the
// last kKeep lines (temporary file, fsync, rename) once it holds 2 * kKeep, so it stays between
// 1000 and 2000 lines without a rewrite per call.
//
// Disk work never runs on the loop: add() hands the line to one writer thread (a mutex-guarded
// queue, the only state the two share), which appends, fdatasyncs and compacts. A burst of calls
// ending together is one write. The destructor writes what is queued before it returns.
//
// At start the file is read line by line: a line that is not a call this class wrote (corrupt, a
// field of the wrong type, cut short by a crash mid-write) is reported with its line number and
// skipped, never fatal; the file is then rewritten with the good lines only, so the next append
// does not land on a torn line. A file that cannot be read or written costs the history across
// restarts (one warning), not the calls.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sipline/engine.hpp"

namespace sipline::engine {

class CallHistory {
 public:
  static constexpr std::size_t kKeep = 1000;

  // <state_dir>/calls.jsonl.
  static std::string path_in(const std::string& state_dir);

  // Reads `path` (none yet: an empty history) and starts the writer.
  explicit CallHistory(std::string path);
  ~CallHistory();
  CallHistory(const CallHistory&) = delete;
  CallHistory& operator=(const CallHistory&) = delete;

  // An ended call: first in calls() at once, on disk shortly after.
  void add(const CallStatus& ended);
  // Latest ended first, at most kKeep.
  const std::deque<CallStatus>& calls() const { return calls_; }
  std::optional<CallStatus> find(std::uint64_t id) const;
  // The highest call id in the history (0: none), so new calls get ids never shown before.
  std::uint64_t max_id() const { return max_id_; }
  // What was wrong with the file at start, one entry per skipped line or unreadable file.
  const std::vector<std::string>& problems() const { return problems_; }
  // Blocks until every call added so far is on disk (or failed to be written).
  void flush();

  // One call as its line in the file, and back (nullopt with `why` for anything else).
  static std::string to_line(const CallStatus& c);
  static std::optional<CallStatus> from_line(const std::string& line, std::string& why);

 private:
  class Writer;
  void load();

  std::string path_;
  std::deque<CallStatus> calls_;
  std::uint64_t max_id_ = 0;
  std::vector<std::string> problems_;
  std::unique_ptr<Writer> writer_;
};

}  // namespace sipline::engine
