#include "support/scripted_dns.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "support/net.hpp"

namespace sipline::test {

namespace {

constexpr std::uint16_t kA = 1;
constexpr std::uint16_t kAaaa = 28;
constexpr std::uint16_t kSrv = 33;
constexpr std::uint16_t kNaptr = 35;

std::string type_name(std::uint16_t t) {
  switch (t) {
    case kA:
      return "A";
    case kAaaa:
      return "AAAA";
    case kSrv:
      return "SRV";
    case kNaptr:
      return "NAPTR";
    default:
      return std::to_string(t);
  }
}

void put16(std::vector<std::uint8_t>& out, unsigned v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8U));
  out.push_back(static_cast<std::uint8_t>(v & 0xFFU));
}

void put_name(std::vector<std::uint8_t>& out, const std::string& name) {
  std::size_t at = 0;
  while (at < name.size()) {
    std::size_t dot = name.find('.', at);
    if (dot == std::string::npos) dot = name.size();
    if (dot > at) {
      out.push_back(static_cast<std::uint8_t>(dot - at));
      out.insert(out.end(), name.begin() + static_cast<std::ptrdiff_t>(at),
                 name.begin() + static_cast<std::ptrdiff_t>(dot));
    }
    at = dot + 1;
  }
  out.push_back(0);
}

// The question's name (uncompressed, as resolvers send it) and where it ends; false if bad.
bool read_name(const std::uint8_t* m, std::size_t size, std::size_t& at, std::string& name) {
  while (at < size) {
    const std::size_t len = m[at++];
    if (len == 0) return true;
    if (len > 63 || at + len > size) return false;
    if (!name.empty()) name += '.';
    name.append(reinterpret_cast<const char*>(m + at), len);
    at += len;
  }
  return false;
}

bool rdata(const ScriptedDns::Record& r, std::vector<std::uint8_t>& out) {
  if (r.type == "SRV") {
    put16(out, r.priority);
    put16(out, r.weight);
    put16(out, r.port);
    put_name(out, r.target == "." ? std::string() : r.target);
    return true;
  }
  std::uint8_t raw[16] = {};
  const int family = r.type == "AAAA" ? AF_INET6 : AF_INET;
  if (inet_pton(family, r.address.c_str(), raw) != 1) return false;
  out.insert(out.end(), raw, raw + (family == AF_INET6 ? 16 : 4));
  return true;
}

}  // namespace

ScriptedDns::Record ScriptedDns::srv(std::uint16_t priority, std::uint16_t weight,
                                     std::uint16_t port, std::string target) {
  Record r;
  r.type = "SRV";
  r.priority = priority;
  r.weight = weight;
  r.port = port;
  r.target = std::move(target);
  return r;
}

ScriptedDns::Record ScriptedDns::address(std::string ip) {
  Record r;
  r.type = ip.find(':') == std::string::npos ? "A" : "AAAA";
  r.address = std::move(ip);
  return r;
}

ScriptedDns::ScriptedDns(Rule rule) : rule_(std::move(rule)) {
  for (int attempt = 0; attempt < 20 && tcp_ < 0; ++attempt) {
    port_ = free_port(Protocol::kUdpTcp);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    udp_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    tcp_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int on = 1;
    ::setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(udp_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::bind(tcp_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(tcp_, 8) == 0) {
      break;
    }
    ::close(udp_);
    ::close(tcp_);
    udp_ = tcp_ = -1;
  }
  if (tcp_ < 0) throw std::runtime_error("scripted DNS: no free port");
  thread_ = std::thread([this] { serve(); });
}

ScriptedDns::~ScriptedDns() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(udp_);
  ::close(tcp_);
}

void ScriptedDns::set_rule(Rule rule) {
  std::lock_guard lock(mutex_);
  rule_ = std::move(rule);
}

int ScriptedDns::queries(const std::string& type, const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = seen_.find(type + " " + name);
  return it == seen_.end() ? 0 : it->second;
}

// One poll over the UDP socket, the TCP listener and every open TCP client, so a client kept
// open by the resolver never holds up the UDP questions.
void ScriptedDns::serve() {
  struct Client {
    int fd;
    std::vector<std::uint8_t> in;
  };
  std::vector<Client> clients;
  while (!stop_) {
    std::vector<pollfd> fds = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
    for (const auto& c : clients) fds.push_back({c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
    if ((fds[0].revents & POLLIN) != 0) {
      std::uint8_t buf[1500];
      sockaddr_storage from{};
      socklen_t from_len = sizeof from;
      const ssize_t n =
          ::recvfrom(udp_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n > 0) {
        auto out = answer(buf, static_cast<std::size_t>(n), false);
        if (!out.empty()) {
          ::sendto(udp_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
        }
      }
    }
    if ((fds[1].revents & POLLIN) != 0) {
      const int fd = ::accept4(tcp_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) clients.push_back({fd, {}});
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      Client& c = clients[i - 2];
      if (!serve_tcp(c.fd, c.in)) {
        ::close(c.fd);
        c.fd = -1;
      }
    }
    std::erase_if(clients, [](const Client& c) { return c.fd < 0; });
  }
  for (const auto& c : clients) ::close(c.fd);
}

// RFC 1035 §4.2.2: each message behind a two-byte length. False when the client is gone.
bool ScriptedDns::serve_tcp(int fd, std::vector<std::uint8_t>& in) {
  std::uint8_t buf[4096];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return false;
  in.insert(in.end(), buf, buf + n);
  while (in.size() >= 2) {
    const std::size_t len = (static_cast<std::size_t>(in[0]) << 8U) | in[1];
    if (in.size() < 2 + len) break;
    auto out = answer(in.data() + 2, len, true);
    in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(2 + len));
    if (out.empty()) continue;
    std::vector<std::uint8_t> framed;
    put16(framed, static_cast<unsigned>(out.size()));
    framed.insert(framed.end(), out.begin(), out.end());
    if (::send(fd, framed.data(), framed.size(), MSG_NOSIGNAL) < 0) return false;
  }
  return true;
}

std::vector<std::uint8_t> ScriptedDns::answer(const std::uint8_t* query, std::size_t size,
                                              bool tcp) {
  if (size < 12) return {};
  std::size_t at = 12;
  Question q;
  q.tcp = tcp;
  if (!read_name(query, size, at, q.name) || at + 4 > size) return {};
  const unsigned qtype = (static_cast<unsigned>(query[at]) << 8U) | query[at + 1];
  const std::size_t question_end = at + 4;
  q.type = type_name(static_cast<std::uint16_t>(qtype));
  Reply reply;
  {
    std::lock_guard lock(mutex_);
    ++seen_[q.type + " " + q.name];
    reply = rule_(q);
  }
  if (reply.kind == Kind::kSilent) return {};
  std::vector<std::uint8_t> out(query, query + 2);  // the id
  if (reply.kind == Kind::kGarbage) {
    for (const char c : std::string("\x81\x80this is not DNS")) {
      out.push_back(static_cast<std::uint8_t>(c));
    }
    return out;
  }
  const bool truncated = reply.kind == Kind::kTruncated && !tcp;
  unsigned flags = 0x8400U | ((query[2] & 0x01U) << 8U) | 0x80U;  // QR, AA, RD echoed, RA
  if (truncated) flags |= 0x0200U;
  switch (reply.kind) {
    case Kind::kServfail:
      flags |= 2U;
      break;
    case Kind::kNxdomain:
      flags |= 3U;
      break;
    case Kind::kRefused:
      flags |= 5U;
      break;
    default:
      break;
  }
  std::vector<std::vector<std::uint8_t>> records;
  const bool with_records = reply.kind == Kind::kAnswer || (reply.kind == Kind::kTruncated && tcp);
  for (const auto& r : with_records ? reply.records : std::vector<Record>{}) {
    if (r.type != q.type) continue;
    std::vector<std::uint8_t> rr = {0xC0, 0x0C};  // the question's name
    put16(rr, qtype);
    put16(rr, 1);  // IN
    put16(rr, 0);
    put16(rr, 60);  // TTL
    std::vector<std::uint8_t> data;
    if (!rdata(r, data)) continue;
    put16(rr, static_cast<unsigned>(data.size()));
    rr.insert(rr.end(), data.begin(), data.end());
    records.push_back(std::move(rr));
  }
  put16(out, flags);
  put16(out, 1);
  put16(out, static_cast<unsigned>(records.size()));
  put16(out, 0);
  put16(out, 0);
  out.insert(out.end(), query + 12, query + question_end);
  for (const auto& rr : records) out.insert(out.end(), rr.begin(), rr.end());
  return out;
}

}  // namespace sipline::test
