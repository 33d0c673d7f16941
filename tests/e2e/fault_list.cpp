// The faults of issue 12, each applied inside the campaign's own network namespace.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "fault_campaign.hpp"
#include "support/process.hpp"

namespace sipline::e2e {

using namespace std::chrono_literals;

namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// 10,000 datagrams of junk (binary, truncated SIP, oversized) spread over the UDP accounts.
void send_junk(const std::vector<std::uint16_t>& ports) {
  if (ports.empty()) return;
  const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  std::string junk[] = {std::string(1200, '\xff'), "REGISTER sip:x SIP/2.0\r\nVia: broken\r\n\r\n",
                        "SIP/2.0 200 OK\r\nContent-Length: 99999\r\n\r\n", std::string(9000, 'A')};
  for (int i = 0; i < 10000; ++i) {
    const auto to = loopback(ports[static_cast<std::size_t>(i) % ports.size()]);
    const auto& bytes = junk[i % 4];
    ::sendto(s, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    if (i % 500 == 499) std::this_thread::sleep_for(5ms);  // a flood, not a socket-buffer test
  }
  ::close(s);
}

// Connections to the TCP accounts' listeners that send a message one byte per tick.
struct SlowStreams {
  std::vector<int> fds;
  void open(const std::vector<std::uint16_t>& ports, int per_port) {
    for (auto port : ports) {
      for (int i = 0; i < per_port; ++i) {
        const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const auto to = loopback(port);
        if (::connect(s, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0) {
          fds.push_back(s);
        } else {
          ::close(s);
        }
      }
    }
  }
  void tick() {
    for (int s : fds) ::send(s, "R", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  void close() {
    for (int s : fds) ::close(s);
    fds.clear();
  }
};

void reset_connections(const test::Kamailio& kam) {
  for (const std::string dir : {"dport", "sport"}) {
    test::run_command({"ss", "-K", "(", dir, "=", ":" + std::to_string(kam.tcp_port()), "or", dir,
                       "=", ":" + std::to_string(kam.tls_port()), ")"},
                      5s);
  }
}

}  // namespace

Fault Campaign::registrar_restart(std::string name, std::chrono::milliseconds bound,
                                  std::string note) {
  return {std::move(name),
          1s,
          [](Campaign& c) {
            ::kill(-c.kamailio().pid(), SIGKILL);
            c.kamailio().stop();  // reaps it
          },
          [](Campaign& c) { c.kamailio().start(); },
          nullptr,
          bound,
          std::move(note)};
}

std::vector<Fault> Campaign::standard_faults() {
  const auto retry = retry_bound();
  const std::string kam_port = std::to_string(kamailio().udp_port());
  auto none = [](Campaign&) {};
  auto flush = [](Campaign& c) { c.nft_flush(); };
  auto slow = std::make_shared<SlowStreams>();
  std::vector<Fault> faults;
  faults.push_back(
      {"udp loss 30% (input drop), 8 s", 8s,
       [](Campaign& c) { c.nft_rule("in", "meta l4proto udp numgen random mod 100 < 30 drop"); },
       flush, nullptr, retry, ""});
  faults.push_back({"udp send errors 30% (output drop), 8 s", 8s,
                    [kam_port](Campaign& c) {
                      c.nft_rule("out", "udp dport " + kam_port +
                                            " numgen random mod 100 < 30 drop");  // EPERM
                    },
                    flush, nullptr, retry, ""});
  faults.push_back({"registrar freeze (SIGSTOP group), 8 s", 8s,
                    [](Campaign& c) { c.kamailio().freeze(); },
                    [](Campaign& c) { c.kamailio().thaw(); }, nullptr, retry, ""});
  faults.back().sample_during_hold = false;  // kamcmd would hang on it
  faults.push_back(registrar_restart("registrar SIGKILL + restart", refresh_bound(),
                                     "UDP back at the next refresh: defect 8"));
  faults.push_back(
      {"503 storm, 6 s", 6s, [](Campaign& c) { c.kamailio().set_switch("register_code", 503); },
       [](Campaign& c) { c.kamailio().set_switch("register_code", 0); }, nullptr, retry, ""});
  faults.push_back({"connection resets (ss -K)", 0s,
                    [](Campaign& c) { reset_connections(c.kamailio()); }, none, nullptr, retry,
                    ""});
  faults.push_back({"10,000 junk datagrams", 0s,
                    [](Campaign& c) { send_junk(c.ports_of(Transport::kUdp)); }, none, nullptr,
                    retry, ""});
  faults.push_back({"slow streams (4 per TCP account), 7 s", 7s,
                    [slow](Campaign& c) { slow->open(c.ports_of(Transport::kTcp), 4); },
                    [slow](Campaign&) { slow->close(); }, [slow](Campaign&) { slow->tick(); },
                    retry, ""});
  return faults;
}

}  // namespace sipline::e2e
