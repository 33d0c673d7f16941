// N RTP sessions on loopback, paired (0<->1, 2<->3, ...), each sending 20 ms G.711 packets for
// a few seconds. Prints CPU and memory per session, send lateness against the absolute
// schedule (median, p99, max) and the fraction of packets received, as one table row.
//   media_bench N SECONDS LOOPS     (LOOPS > 1: sessions spread over that many loop threads)
#include <sys/resource.h>

#include <asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "base/asio_timers.hpp"
#include "media/rtp_session.hpp"

using namespace sipline;
using namespace std::chrono_literals;

namespace {

long rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Loop {
  asio::io_context io;
  base::AsioTimers timers{io};
  std::vector<std::shared_ptr<media::RtpSession>> sessions;
};

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 10;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 5;
  const int loops = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1;
  if (n < 2 || n % 2 || seconds < 1) {
    std::fprintf(stderr, "usage: media_bench N(even) SECONDS [LOOPS]\n");
    return 2;
  }
  media::PortAllocator ports(30000, 30000 + 4 * n + 100);
  const auto loopback = asio::ip::make_address("127.0.0.1");
  auto source = std::make_shared<const media::Samples>(8000, std::int16_t(1000));
  std::vector<std::unique_ptr<Loop>> lp;
  for (int i = 0; i < loops; ++i) lp.push_back(std::make_unique<Loop>());

  const long rss_before = rss_kib();
  std::vector<std::shared_ptr<media::RtpSession>> all;
  for (int i = 0; i < n; ++i) {
    Loop& l = *lp[(i / 2) % loops];  // a pair shares a loop
    media::RtpSessionConfig c;
    c.source = source;
    c.ssrc = static_cast<std::uint32_t>(i + 1);
    auto s = media::RtpSession::open(l.io, l.timers, ports, loopback, c);
    if (!s) {
      std::fprintf(stderr, "session %d: %s\n", i, s.error().c_str());
      return 1;
    }
    l.sessions.push_back(s.value());
    all.push_back(s.value());
  }
  // Calls do not all start in the same millisecond: starts are spread over one packet interval.
  for (auto& l : lp) {
    for (std::size_t i = 0; i < l->sessions.size(); ++i) {
      auto s = l->sessions[i], peer = l->sessions[i ^ 1];
      const auto delay = std::chrono::microseconds(20000 * i / l->sessions.size());
      l->timers.schedule_at(l->timers.now() + delay, [s, peer, loopback] {
        s->start({loopback, peer->port()});
      });
    }
  }
  const double cpu0 = cpu_seconds();
  std::vector<std::thread> threads;
  for (int i = 1; i < loops; ++i)
    threads.emplace_back([&, i] { lp[i]->io.run_for(std::chrono::seconds(seconds)); });
  lp[0]->io.run_for(std::chrono::seconds(seconds));
  for (auto& t : threads) t.join();
  const double cpu = cpu_seconds() - cpu0;
  const long rss_after = rss_kib();

  media::SendJitter jitter;
  std::uint64_t sent = 0, received = 0, junk = 0;
  for (auto& s : all) {
    jitter.merge(s->send_jitter());
    sent += s->counters().packets_sent;
    received += s->counters().packets_received;
    junk += s->counters().junk;
  }
  std::printf("| %4d | %5d | %8.3f | %7.1f | %6ld | %6.3f | %6.3f | %6.3f | %6.2f%% |\n", n, loops,
              100.0 * cpu / seconds / n, 100.0 * cpu / seconds, (rss_after - rss_before) / n,
              jitter.quantile(0.5).count() / 1000.0, jitter.quantile(0.99).count() / 1000.0,
              jitter.max().count() / 1000.0, sent ? 100.0 * received / sent : 0.0);
  for (auto& s : all) s->stop();
  return junk == 0 ? 0 : 1;
}
