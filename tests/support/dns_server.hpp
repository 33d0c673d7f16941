// A real DNS server for tests: Debian's dnsmasq on 127.0.0.1 (and ::1 when asked), a free UDP/TCP
// port, serving only the records the test gives it (no upstream, no /etc/hosts; names under
// ".test" it does not hold are NXDOMAIN, anything else REFUSED), every query
// logged so a test can count the look-ups a client made.
//
//   sipline::test::DnsServer dns(dir);
//   dns.srv("_sip._udp.example.test", "a.example.test", 5070, 10, 50).host("a.example.test",
//           "127.0.0.1");
//   dns.start();                      // throws std::runtime_error with the log tail
//   resolver servers: dns.address()   // "127.0.0.1:PORT"
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"

namespace sipline::test {

class DnsServer {
 public:
  // `dir`: where the log goes (the test's temp dir). `ttl_s`: TTL of every record served.
  explicit DnsServer(std::filesystem::path dir, int ttl_s = 300);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  DnsServer& srv(const std::string& name, const std::string& target, std::uint16_t port,
                 int priority, int weight);
  DnsServer& host(const std::string& name, const std::string& address);  // A or AAAA
  DnsServer& naptr(const std::string& name, int order, int preference, const std::string& flags,
                   const std::string& service, const std::string& replacement);
  DnsServer& option(const std::string& dnsmasq_option);  // anything else, "--..."

  void start();  // throws std::runtime_error when it does not come up
  void stop();
  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // How many queries of `type` ("SRV", "A", "AAAA", "NAPTR") for `name` reached the server.
  int queries(std::string_view type, std::string_view name) const;
  std::string log_tail(std::size_t lines = 30) const;

 private:
  std::filesystem::path log_;
  int ttl_s_;
  std::vector<std::string> records_;
  std::uint16_t port_ = 0;
  ChildProcess process_;
};

}  // namespace sipline::test
