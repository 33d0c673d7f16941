#include "pcap_writer.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace sipline::engine {

namespace {

constexpr std::uint32_t kLinktypeRaw = 101;
constexpr std::size_t kMaxSegment = 65000;  // fits an IPv4 total length with headers

void put16(std::string& out, std::uint16_t v) {  // network byte order
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v & 0xffff));
}
void put32_host(std::string& out, std::uint32_t v) {  // pcap headers: the writer's byte order
  out.append(reinterpret_cast<const char*>(&v), 4);
}

// The Internet checksum (RFC 1071) over `data`, starting from `sum`.
std::uint32_t sum16(std::string_view data, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < data.size(); i += 2) {
    sum += (static_cast<std::uint8_t>(data[i]) << 8) | static_cast<std::uint8_t>(data[i + 1]);
  }
  if (data.size() % 2 != 0) sum += static_cast<std::uint8_t>(data.back()) << 8;
  return sum;
}
std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

struct Ips {
  bool v6 = false;
  std::string src, dst;  // raw bytes, 4 or 16
};

bool ips_of(const PacketEnds& e, Ips& out) {
  std::array<unsigned char, 16> a{}, b{};
  if (inet_pton(AF_INET, e.src_ip.c_str(), a.data()) == 1 &&
      inet_pton(AF_INET, e.dst_ip.c_str(), b.data()) == 1) {
    out = {false, std::string(reinterpret_cast<char*>(a.data()), 4),
           std::string(reinterpret_cast<char*>(b.data()), 4)};
    return true;
  }
  if (inet_pton(AF_INET6, e.src_ip.c_str(), a.data()) == 1 &&
      inet_pton(AF_INET6, e.dst_ip.c_str(), b.data()) == 1) {
    out = {true, std::string(reinterpret_cast<char*>(a.data()), 16),
           std::string(reinterpret_cast<char*>(b.data()), 16)};
    return true;
  }
  return false;
}

// The UDP or TCP header and payload, with its checksum over the pseudo-header.
std::string transport_segment(const PacketEnds& e, const Ips& ips, std::string_view payload,
                              std::uint32_t seq) {
  std::string seg;
  put16(seg, e.src_port);
  put16(seg, e.dst_port);
  const std::uint8_t proto = e.tcp ? 6 : 17;
  if (e.tcp) {
    put32(seg, seq);
    put32(seg, 0);                 // ack
    put16(seg, (5 << 12) | 0x18);  // data offset 5 words, PSH|ACK
    put16(seg, 65535);             // window
    put16(seg, 0);                 // checksum, below
    put16(seg, 0);                 // urgent
  } else {
    put16(seg, static_cast<std::uint16_t>(8 + payload.size()));
    put16(seg, 0);
  }
  seg.append(payload);
  std::string pseudo = ips.src + ips.dst;
  if (ips.v6) {
    put32(pseudo, static_cast<std::uint32_t>(seg.size()));
    put32(pseudo, proto);
  } else {
    pseudo.push_back(0);
    pseudo.push_back(static_cast<char>(proto));
    put16(pseudo, static_cast<std::uint16_t>(seg.size()));
  }
  std::uint16_t check = fold(sum16(seg, sum16(pseudo)));
  if (!e.tcp && check == 0) check = 0xffff;
  const std::size_t at = e.tcp ? 16 : 6;
  seg[at] = static_cast<char>(check >> 8);
  seg[at + 1] = static_cast<char>(check & 0xff);
  return seg;
}

std::string ip_packet(const PacketEnds& e, const Ips& ips, std::string_view segment) {
  std::string ip;
  const std::uint8_t proto = e.tcp ? 6 : 17;
  if (ips.v6) {
    put32(ip, 6u << 28);
    put16(ip, static_cast<std::uint16_t>(segment.size()));
    ip.push_back(static_cast<char>(proto));
    ip.push_back(64);  // hop limit
  } else {
    ip.push_back(0x45);
    ip.push_back(0);
    put16(ip, static_cast<std::uint16_t>(20 + segment.size()));
    put32(ip, 0x4000);  // id 0, don't fragment
    ip.push_back(64);
    ip.push_back(static_cast<char>(proto));
    put16(ip, 0);
  }
  ip += ips.src + ips.dst;
  if (!ips.v6) {
    const std::uint16_t check = fold(sum16(ip));
    ip[10] = static_cast<char>(check >> 8);
    ip[11] = static_cast<char>(check & 0xff);
  }
  return ip.append(segment);
}

}  // namespace

std::string pcap_file_header() {
  std::string h;
  put32_host(h, 0xa1b2c3d4);  // microsecond timestamps
  const std::uint16_t version[2] = {2, 4};
  h.append(reinterpret_cast<const char*>(version), 4);
  put32_host(h, 0);  // thiszone
  put32_host(h, 0);  // sigfigs
  put32_host(h, 262144);
  put32_host(h, kLinktypeRaw);
  return h;
}

std::string pcap_records(const PacketEnds& ends, std::string_view payload, std::int64_t unix_us,
                         std::uint32_t tcp_seq) {
  Ips ips;
  if (!ips_of(ends, ips)) return "";
  std::string out;
  do {
    const std::string_view part = payload.substr(0, ends.tcp ? kMaxSegment : payload.size());
    payload.remove_prefix(part.size());
    const std::string packet = ip_packet(ends, ips, transport_segment(ends, ips, part, tcp_seq));
    tcp_seq += static_cast<std::uint32_t>(part.size());
    put32_host(out, static_cast<std::uint32_t>(unix_us / 1000000));
    put32_host(out, static_cast<std::uint32_t>(unix_us % 1000000));
    put32_host(out, static_cast<std::uint32_t>(packet.size()));
    put32_host(out, static_cast<std::uint32_t>(packet.size()));
    out += packet;
  } while (!payload.empty());
  return out;
}

std::uint32_t TcpSequences::next(const PacketEnds& e, std::size_t len) {
  auto& seq = seq_[{e.src_ip, e.src_port, e.dst_ip, e.dst_port}];
  const std::uint32_t at = seq == 0 ? 1 : seq;
  seq = at + static_cast<std::uint32_t>(len);
  return at;
}

}  // namespace sipline::engine
