#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sipline::test {
namespace {

using Clock = std::chrono::steady_clock;

// Only async-signal-safe calls between fork and exec (the test process may have threads).
void close_fds_from(unsigned first) {
  ::syscall(SYS_close_range, first, ~0U, 0);
}

void reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD}) {
    signal(sig, SIG_DFL);
  }
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) {
    out.push_back(const_cast<char*>(a.c_str()));
  }
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void exec_child(std::vector<char*>& args, int out_fd, bool die_with_parent,
                             pid_t parent) {
  setpgid(0, 0);
  if (die_with_parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
      _exit(126);
    }
  }
  reset_signals();
  int null_fd = open("/dev/null", O_RDONLY);
  dup2(null_fd, 0);
  dup2(out_fd, 1);
  dup2(out_fd, 2);
  close_fds_from(3);
  execvp(args[0], args.data());
  const char msg[] = "exec failed\n";
  ssize_t ignored = write(2, msg, sizeof msg - 1);
  (void)ignored;
  _exit(127);
}

// The watchdog: blocks on the pipe; a byte means "disarmed", EOF means the test process is gone.
[[noreturn]] void watchdog_main(int read_fd, pid_t group) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) {
    signal(sig, SIG_IGN);
  }
  if (read_fd != 3) {
    dup2(read_fd, 3);
  }
  close_fds_from(4);
  char c = 0;
  for (;;) {
    ssize_t n = read(3, &c, 1);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n != 1) {
      kill(-group, SIGCONT);
      kill(-group, SIGKILL);
    }
    _exit(0);
  }
}

int decode_status(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

namespace {

// States ('R', 'S', 'T', ...) of the live (non-zombie) members of a process group.
// Orphans are reparented to an init that may never reap them, so kill(-pgid, 0) alone would
// see zombies forever: /proc tells the state.
std::string group_states(pid_t pgid) {
  std::string states;
  if (kill(-pgid, 0) != 0) {
    return states;
  }
  DIR* dir = opendir("/proc");
  if (dir == nullptr) {
    return "?";  // cannot tell: assume alive, the caller's bound still applies
  }
  while (dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream in("/proc/" + name + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto paren = stat.rfind(')');
    char state = 0;
    long ppid = 0, pgrp = 0;
    if (paren != std::string::npos &&
        std::sscanf(stat.c_str() + paren + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 &&
        pgrp == pgid && state != 'Z' && state != 'X') {
      states += state;
    }
  }
  closedir(dir);
  return states;
}

}  // namespace

bool process_group_alive(pid_t pgid) {
  return !group_states(pgid).empty();
}

RunResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  int fds[2];
  if (argv.empty() || pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error("run_command: no argv or pipe failed");
  }
  auto args = c_argv(argv);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error(std::string("run_command: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    exec_child(args, fds[1], true, parent);
  }
  close(fds[1]);
  RunResult result;
  const auto deadline = Clock::now() + timeout;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    int rc = poll(&pfd, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) {
      continue;
    }
    if (rc == 0) {
      continue;  // the deadline check above handles it
    }
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n > 0) {
      result.output.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = result.timed_out ? -1 : decode_status(status);
  return result;
}

ChildProcess::~ChildProcess() {
  stop(std::chrono::seconds(3));
}

void ChildProcess::spawn(const std::vector<std::string>& argv,
                         const std::filesystem::path& log_file) {
  if (pid_ > 0) {
    throw std::runtime_error("ChildProcess::spawn: already running");
  }
  int log_fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int fds[2];
  if (argv.empty() || log_fd < 0 || pipe2(fds, O_CLOEXEC) != 0) {
    if (log_fd >= 0) close(log_fd);
    throw std::runtime_error("ChildProcess::spawn: cannot open log " + log_file.string());
  }
  auto args = c_argv(argv);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    exec_child(args, log_fd, true, parent);
  }
  close(log_fd);
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error(std::string("ChildProcess::spawn: fork: ") + std::strerror(errno));
  }
  setpgid(pid, pid);  // also done in the child: whichever runs first wins the race
  pid_ = pid;
  exit_code_.reset();
  pid_t dog = fork();
  if (dog == 0) {
    watchdog_main(fds[0], pid);
  }
  close(fds[0]);
  if (dog < 0) {
    close(fds[1]);
    stop(std::chrono::milliseconds(500));
    throw std::runtime_error("ChildProcess::spawn: watchdog fork failed");
  }
  watchdog_ = dog;
  watchdog_fd_ = fds[1];
}

void ChildProcess::reap(int status) {
  exit_code_ = decode_status(status);
}

bool ChildProcess::running() {
  if (pid_ <= 0 || exit_code_) {
    return false;
  }
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    reap(status);
    return false;
  }
  return r == 0;
}

void ChildProcess::signal_group(int signo) {
  if (pid_ <= 0 || !process_group_alive(pid_)) {
    return;
  }
  kill(-pid_, signo);
  if (signo != SIGSTOP && signo != SIGCONT) {
    return;
  }
  // Wait (bounded) until every member is stopped / none is, so the caller can rely on it.
  stopped_ = signo == SIGSTOP;
  ever_stopped_ = ever_stopped_ || stopped_;
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while (Clock::now() < deadline) {
    const std::string states = group_states(pid_);
    const bool all_stopped = states.find_first_not_of("Tt") == std::string::npos;
    const bool none_stopped = states.find_first_of("Tt") == std::string::npos;
    if (stopped_ ? all_stopped : none_stopped) {
      return;
    }
    kill(-pid_, signo);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void ChildProcess::wait_group_gone(std::chrono::milliseconds bound) const {
  const auto deadline = Clock::now() + bound;
  while (process_group_alive(pid_)) {
    if (Clock::now() > deadline) {
      kill(-pid_, SIGKILL);
    }
    if (Clock::now() > deadline + std::chrono::seconds(2)) {
      return;  // unkillable (D state); give up rather than hang the test
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void ChildProcess::disarm_watchdog() {
  if (watchdog_fd_ >= 0) {
    ssize_t ignored = write(watchdog_fd_, "x", 1);
    (void)ignored;
    close(watchdog_fd_);
    watchdog_fd_ = -1;
  }
  if (watchdog_ > 0) {
    while (waitpid(watchdog_, nullptr, 0) < 0 && errno == EINTR) {
    }
    watchdog_ = -1;
  }
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) {
    return exit_code_.value_or(-1);
  }
  if (running()) {
    if (stopped_) {
      signal_group(SIGCONT);
    }
    // SIGTERM to the whole group, again every 250 ms: a daemon that keeps one pending-signal
    // slot (Kamailio's main process does) can lose it to its children's SIGCHLDs, and a
    // Kamailio child sometimes misses the SIGTERM its main process relays.
    const auto deadline = Clock::now() + grace;
    auto next_term = Clock::now();
    while (running() && Clock::now() < deadline) {
      if (Clock::now() >= next_term) {
        if (ever_stopped_) kill(-pid_, SIGCONT);
        kill(-pid_, SIGTERM);
        next_term += std::chrono::milliseconds(250);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (running()) {
      if (std::getenv("SIPLINE_HARNESS_DEBUG") != nullptr) {
        std::string cmd =
            "ps -eo pid,pgid,stat,wchan:20,cmd | awk '$2==" + std::to_string(pid_) + "' >&2";
        int ignored = std::system(cmd.c_str());
        (void)ignored;
      }
      kill(-pid_, SIGKILL);
      int status = 0;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      reap(status);
    }
  }
  wait_group_gone(std::chrono::seconds(2));
  disarm_watchdog();
  pid_ = -1;
  stopped_ = false;
  ever_stopped_ = false;
  return exit_code_.value_or(-1);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string file_tail(const std::filesystem::path& path, std::size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(std::move(line));
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += all[i] + "\n";
  }
  return out;
}

}  // namespace sipline::test
