#include "support/dns_server.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/net.hpp"
#include "support/process.hpp"

namespace sipline::test {

DnsServer::DnsServer(std::filesystem::path dir, int ttl_s)
    : log_(std::move(dir) / "dnsmasq.log"), ttl_s_(ttl_s) {}

DnsServer::~DnsServer() {
  stop();
}

DnsServer& DnsServer::srv(const std::string& name, const std::string& target, std::uint16_t port,
                          int priority, int weight) {
  records_.push_back("--srv-host=" + name + "," + target + "," + std::to_string(port) + "," +
                     std::to_string(priority) + "," + std::to_string(weight));
  return *this;
}

DnsServer& DnsServer::host(const std::string& name, const std::string& address) {
  records_.push_back("--host-record=" + name + "," + address);
  return *this;
}

DnsServer& DnsServer::naptr(const std::string& name, int order, int preference,
                            const std::string& flags, const std::string& service,
                            const std::string& replacement) {
  records_.push_back("--naptr-record=" + name + "," + std::to_string(order) + "," +
                     std::to_string(preference) + "," + flags + "," + service + ",," + replacement);
  return *this;
}

DnsServer& DnsServer::option(const std::string& dnsmasq_option) {
  records_.push_back(dnsmasq_option);
  return *this;
}

void DnsServer::start() {
  std::string why;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_port(Protocol::kUdpTcp);
    std::vector<std::string> argv = {
        "/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
        "--port=" + std::to_string(port_), "--listen-address=127.0.0.1", "--bind-interfaces",
        "--no-resolv", "--no-hosts", "--log-queries", "--log-facility=-",
        "--pid-file=", "--user=root", "--local-ttl=" + std::to_string(ttl_s_),
        // Authoritative for the RFC 2606 ".test" names: an
        // unknown one is NXDOMAIN, not REFUSED.
        "--local=/test/"};
    argv.insert(argv.end(), records_.begin(), records_.end());
    std::ofstream(log_, std::ios::app) << "--- start on port " << port_ << "\n";
    process_.spawn(argv, log_);
    for (int i = 0; i < 100; ++i) {
      if (!process_.running()) break;
      if (read_file(log_).find("started, version") != std::string::npos) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    why = log_tail();
    process_.stop(std::chrono::seconds(1));
  }
  throw std::runtime_error("dnsmasq did not start:\n" + why);
}

void DnsServer::stop() {
  process_.stop(std::chrono::seconds(2));
}

int DnsServer::queries(std::string_view type, std::string_view name) const {
  const std::string needle = "query[" + std::string(type) + "] " + std::string(name) + " from ";
  const std::string text = read_file(log_);
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string DnsServer::log_tail(std::size_t lines) const {
  return file_tail(log_, lines);
}

}  // namespace sipline::test
