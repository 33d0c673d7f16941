// The daemon's sip_trace file: every SIP message sent or received by any account, with time,
// direction and addresses. "*.pcap": a capture tshark/Wireshark decode as SIP (pcap_writer.hpp);
// any other name: the text form sngrep/ngrep users know. Created mode 0600 (it holds digest
// responses). One writer for all accounts, on the loop thread.
#pragma once
#include <map>
#include <string>
#include <string_view>

#include "pcap_writer.hpp"
#include "transport/asio_transport.hpp"

namespace sipline::engine {

class SipTrace {
 public:
  SipTrace() = default;
  ~SipTrace();
  SipTrace(const SipTrace&) = delete;
  SipTrace& operator=(const SipTrace&) = delete;

  // Opens `path` (text: appending; pcap: a new capture); false (and `error`) when it cannot.
  bool open(const std::string& path, std::string& error);
  bool is_open() const { return fd_ >= 0; }
  void write(transport::TraceDirection direction, const transport::Address& local,
             const transport::Address& remote, std::string_view bytes);
  // A hook for AsioTransport::set_trace writing to this trace.
  transport::TraceHook hook();

 private:
  // A UDP socket bound to the wildcard reports 0.0.0.0 / :: as its address: the kernel picks
  // the source per packet. The address it picks towards `remote` is what the trace shows.
  std::string real_local_ip(const std::string& local, const std::string& remote);
  void append(std::string_view data);

  int fd_ = -1;
  bool pcap_ = false;
  TcpSequences tcp_seq_;
  std::map<std::string, std::string> route_source_;  // remote IP -> our source IP
};

// The source address the kernel uses to reach `remote_ip` (a connected UDP socket's name, no
// packet sent); "" when there is no route.
std::string route_source_ip(const std::string& remote_ip);

}  // namespace sipline::engine
