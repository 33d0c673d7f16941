// systemd integration of `sipline run`: READY=1 on $NOTIFY_SOCKET only once the HTTP side
// answers (every account's socket is bound before), WATCHDOG=1 when $WATCHDOG_USEC asks,
// STOPPING=1 on SIGTERM. The test is the service manager: a unix datagram socket of its own.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "e2e_support.hpp"

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;

class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~NotifySocket() {
    ::close(fd_);
    std::filesystem::remove(path_);
  }
  bool bound() const { return bound_; }
  // The next datagram, "" when none came within `timeout`.
  std::string receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return "";
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool bound_ = false;
};

TEST(DaemonNotify, ReadyOnlyWhenHttpAnswersThenWatchdogAndStopping) {
  test::Kamailio kam;
  kam.start();
  TempDir tmp;
  NotifySocket notify(tmp.path() / "notify.sock");
  ASSERT_TRUE(notify.bound());
  ::setenv("NOTIFY_SOCKET", (tmp.path() / "notify.sock").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "200000", 1);  // WATCHDOG=1 every 100 ms
  Daemon d(tmp.path());
  d.write_config({account_for(kam, Transport::kUdp, "1000")});

  std::atomic<bool> ready{false}, http_answered_at_ready{false};
  std::thread manager([&] {
    for (auto until = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < until;) {
      const std::string got = notify.receive(100ms);
      if (got.find("READY=1") == std::string::npos) continue;
      http_answered_at_ready = d.accounts().has_value();  // at once, no retry
      ready = true;
      return;
    }
  });
  const auto started = d.start();
  manager.join();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ASSERT_TRUE(started);
  ASSERT_TRUE(ready) << "no READY=1 within 10 s";
  EXPECT_TRUE(http_answered_at_ready) << "READY=1 came before the HTTP side answered";
  EXPECT_EQ(notify.receive(2000ms), "WATCHDOG=1");
  EXPECT_EQ(d.terminate(), 0);
  std::string got = "-";  // the datagrams wait in the socket: WATCHDOG=1 ..., STOPPING=1
  while (!got.empty() && got != "STOPPING=1") got = notify.receive(100ms);
  EXPECT_EQ(got, "STOPPING=1");
}

}  // namespace
}  // namespace sipline::e2e
