// pcap output of the SIP trace: each message as one IPv4/IPv6 packet (linktype RAW) with a
// synthesized UDP or TCP header carrying the true addresses and ports, so tshark and Wireshark
// decode it as SIP. Written by hand rather than with libpcap's dumper: the file format is a
// 24-byte header and a 16-byte record header (pcap-savefile(5)), and the library would add a
// runtime dependency to every embedder for it.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

namespace sipline::engine {

struct PacketEnds {
  std::string src_ip;  // IPv4 or IPv6 literal
  std::uint16_t src_port = 0;
  std::string dst_ip;
  std::uint16_t dst_port = 0;
  bool tcp = false;
};

// The pcap file header (microsecond timestamps, snaplen 262144, LINKTYPE_RAW).
std::string pcap_file_header();
// One or more pcap records (TCP payloads over ~64 KiB are split into segments) for `payload`
// sent between `ends`; `tcp_seq` is the sequence number of its first byte (advanced by the
// caller). "" when an address is not an IP literal of one family.
std::string pcap_records(const PacketEnds& ends, std::string_view payload, std::int64_t unix_us,
                         std::uint32_t tcp_seq);

// Keeps the TCP sequence numbers of each direction of each flow, for pcap_records.
class TcpSequences {
 public:
  // The sequence number for `len` bytes more from src to dst; advances it.
  std::uint32_t next(const PacketEnds& ends, std::size_t len);

 private:
  std::map<std::tuple<std::string, std::uint16_t, std::string, std::uint16_t>, std::uint32_t> seq_;
};

}  // namespace sipline::engine
