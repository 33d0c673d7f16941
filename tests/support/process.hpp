// Child processes for tests: run a command and capture its output with a deadline, or keep a
// long-running peer (Kamailio, SIPp, baresip ...) in its own process group that can never
// outlive the test process, even when the test crashes or is killed.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sipline::test {

struct RunResult {
  int exit_code = -1;      // exit status; -1 when killed by a signal or timed out
  bool timed_out = false;  // the deadline passed and the command was killed
  std::string output;      // stdout and stderr, interleaved
};

// Runs argv[0] (a path, or a name looked up in PATH) with argv, waits at most `timeout`,
// kills it (SIGKILL) when the deadline passes. Never throws for a failing command; throws
// std::runtime_error only when the process cannot be created.
RunResult run_command(const std::vector<std::string>& argv,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The whole text of a (log) file; "" when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// The last `lines` lines of a (log) file; "" when it cannot be read.
std::string file_tail(const std::filesystem::path& path, std::size_t lines);

// True while some process of group `pgid` exists and is not a zombie.
bool process_group_alive(pid_t pgid);

// A long-running child in its own process group, stdout+stderr appended to a log file.
// A watchdog process (forked, no exec) kills the whole group with SIGKILL when the test
// process dies without stopping it; the child also gets PR_SET_PDEATHSIG(SIGKILL).
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // stop()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts argv; throws std::runtime_error when fork/exec setup fails (an exec failure shows as
  // an exit with code 127 and a line in the log).
  void spawn(const std::vector<std::string>& argv, const std::filesystem::path& log_file);
  // SIGTERM to the main process (after SIGCONT when frozen), waits up to `grace`, then
  // SIGKILL to the whole group. Waits until no process of the group is left (bounded).
  // Returns the exit code, or -1 when killed by a signal / not running.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Signals the whole group (SIGSTOP, SIGCONT ...). No-op when not running. For SIGSTOP and
  // SIGCONT it returns once every member is stopped / running again (bounded by 2 s).
  void signal_group(int signo);

  bool running();  // reaps the main process when it has exited
  std::optional<int> exit_code() const { return exit_code_; }  // after it exited
  pid_t pid() const { return pid_; }

 private:
  void reap(int status);
  void wait_group_gone(std::chrono::milliseconds bound) const;
  void disarm_watchdog();

  pid_t pid_ = -1;  // also the process group id
  pid_t watchdog_ = -1;
  int watchdog_fd_ = -1;
  bool stopped_ = false;       // SIGSTOP sent and no SIGCONT since
  bool ever_stopped_ = false;  // SIGSTOP sent at some point in this run  // write end; EOF on the
                               // watchdog's side means "kill the group"
  std::optional<int> exit_code_;
};

}  // namespace sipline::test
