#include "sip_trace.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

namespace sipline::engine {

namespace {
bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}
bool is_wildcard(std::string_view ip) {
  return ip.empty() || ip == "0.0.0.0" || ip == "::";
}
}  // namespace

std::string route_source_ip(const std::string& remote_ip) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, remote_ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(9);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, remote_ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(9);
    len = sizeof *v6;
  } else {
    return "";
  }
  const int fd = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  std::string out;
  sockaddr_storage name{};
  socklen_t name_len = sizeof name;
  char text[INET6_ADDRSTRLEN] = {};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&name), &name_len) == 0) {
    const void* addr =
        name.ss_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&name)->sin_addr)
            : &reinterpret_cast<sockaddr_in6*>(&name)->sin6_addr;
    if (inet_ntop(name.ss_family, addr, text, sizeof text) != nullptr) out = text;
  }
  ::close(fd);
  return out;
}

SipTrace::~SipTrace() {
  if (fd_ >= 0) ::close(fd_);
}

bool SipTrace::open(const std::string& path, std::string& error) {
  pcap_ = ends_with(path, ".pcap");
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (pcap_ ? O_TRUNC : O_APPEND);
  fd_ = ::open(path.c_str(), flags, 0600);
  if (fd_ < 0) {
    error = "sip_trace: cannot open " + path + " for writing: " + std::strerror(errno);
    return false;
  }
  ::fchmod(fd_, 0600);  // an older, wider file is narrowed: it will hold digest responses
  if (pcap_) append(pcap_file_header());
  return true;
}

void SipTrace::append(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a full disk loses trace lines, never the loop
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string SipTrace::real_local_ip(const std::string& local, const std::string& remote) {
  if (!is_wildcard(local)) return local;
  auto it = route_source_.find(remote);
  if (it == route_source_.end()) it = route_source_.emplace(remote, route_source_ip(remote)).first;
  return it->second.empty() ? local : it->second;
}

void SipTrace::write(transport::TraceDirection direction, const transport::Address& local,
                     const transport::Address& remote, std::string_view bytes) {
  if (fd_ < 0) return;
  transport::Address here = local;
  here.address = real_local_ip(local.address, remote.address);
  const bool sent = direction == transport::TraceDirection::kSent;
  const transport::Address& from = sent ? here : remote;
  const transport::Address& to = sent ? remote : here;
  const auto now = std::chrono::system_clock::now();
  const auto unix_us =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  if (pcap_) {
    PacketEnds ends{from.address, from.port, to.address, to.port,
                    remote.protocol != transport::Protocol::kUdp};
    const std::uint32_t seq = ends.tcp ? tcp_seq_.next(ends, bytes.size()) : 0;
    append(pcap_records(ends, bytes, unix_us, seq));
    return;
  }
  const std::time_t secs = static_cast<std::time_t>(unix_us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string line = std::string(stamp) + "." +
                     std::to_string(1000000 + unix_us % 1000000).substr(1) + "Z " +
                     (sent ? "sent " : "recv ") + std::to_string(bytes.size()) + " bytes " +
                     transport::to_string(from) + " -> " + transport::to_string(to) + "\n";
  line.append(bytes).append("\n\n");
  append(line);
}

transport::TraceHook SipTrace::hook() {
  return [this](transport::TraceDirection d, const transport::Address& local,
                const transport::Address& remote,
                std::string_view bytes) { write(d, local, remote, bytes); };
}

}  // namespace sipline::engine
