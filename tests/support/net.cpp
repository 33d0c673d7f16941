#include "support/net.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sipline::test {
namespace {

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family() const { return storage.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

Address make_address(const std::string& host, std::uint16_t port) {
  Address a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    a.length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    a.length = sizeof(sockaddr_in6);
  } else {
    throw std::runtime_error("not a numeric address: " + host);
  }
  return a;
}

Endpoint to_endpoint(const sockaddr_storage& s) {
  char text[INET6_ADDRSTRLEN] = {};
  if (s.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&s);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    return {text, ntohs(v6->sin6_port)};
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(&s);
  inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
  return {text, ntohs(v4->sin_port)};
}

std::uint16_t bound_port(int fd) {
  sockaddr_storage s{};
  socklen_t len = sizeof s;
  getsockname(fd, reinterpret_cast<sockaddr*>(&s), &len);
  return to_endpoint(s).port;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

// Binds a probe socket; returns its fd or -1 when the port is taken.
int probe(int type, std::uint16_t port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  Address a = make_address("127.0.0.1", port);
  if (bind(fd, a.get(), a.length) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool wait_readable(int fd, milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    int rc = poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
    if (rc >= 0 || errno != EINTR) {
      return rc > 0;
    }
  }
}

}  // namespace

std::uint16_t free_port(Protocol protocol) {
  static std::mt19937 rng{std::random_device{}()};
  // Ports this process handed out (and their TLS neighbours): a port is free until the caller
  // binds it, so without this two accounts of one config could be given the same one.
  static std::set<std::uint16_t> given;
  if (given.size() > 4000) given.clear();
  std::uniform_int_distribution<int> pick(20000, 31998);
  for (int attempt = 0; attempt < 500; ++attempt) {
    auto port = static_cast<std::uint16_t>(pick(rng));
    if (given.count(port) != 0 || given.count(static_cast<std::uint16_t>(port + 1)) != 0) continue;
    std::vector<int> held;
    bool ok = true;
    auto need = [&](int type, std::uint16_t p) {
      int fd = ok ? probe(type, p) : -1;
      ok = ok && fd >= 0;
      if (fd >= 0) held.push_back(fd);
    };
    if (protocol != Protocol::kTcp) need(SOCK_DGRAM, port);
    if (protocol != Protocol::kUdp) need(SOCK_STREAM, port);
    if (protocol == Protocol::kSip) need(SOCK_STREAM, static_cast<std::uint16_t>(port + 1));
    for (int fd : held) ::close(fd);
    if (ok) {
      given.insert(port);
      if (protocol == Protocol::kSip) given.insert(static_cast<std::uint16_t>(port + 1));
      return port;
    }
  }
  throw std::runtime_error("free_port: no free port found");
}

bool ipv6_available() {
  int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  Address a = make_address("::1", 0);
  const bool ok = bind(fd, a.get(), a.length) == 0;
  ::close(fd);
  return ok;
}

// ---- UDP ----

UdpSocket::UdpSocket(const std::string& host, std::uint16_t port) {
  Address a = make_address(host, port);
  fd_ = socket(a.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) fail("udp socket");
  if (bind(fd_, a.get(), a.length) != 0) {
    ::close(fd_);
    fd_ = -1;
    fail("udp bind " + host + ":" + std::to_string(port));
  }
  local_port_ = bound_port(fd_);
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept : fd_(other.fd_), local_port_(other.local_port_) {
  other.fd_ = -1;
}

void UdpSocket::send_to(std::string_view data, const std::string& host, std::uint16_t port) {
  Address a = make_address(host, port);
  if (sendto(fd_, data.data(), data.size(), 0, a.get(), a.length) < 0) fail("udp sendto");
}

std::optional<std::string> UdpSocket::recv(milliseconds timeout, Endpoint* from) {
  if (!wait_readable(fd_, timeout)) {
    return std::nullopt;
  }
  std::string buf(65536, '\0');
  sockaddr_storage s{};
  socklen_t len = sizeof s;
  ssize_t n = recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&s), &len);
  if (n < 0) {
    return std::nullopt;
  }
  buf.resize(static_cast<std::size_t>(n));
  if (from != nullptr) *from = to_endpoint(s);
  return buf;
}

// ---- TCP ----

TcpSocket::TcpSocket(int fd) : fd_(fd), local_port_(bound_port(fd)) {}

TcpSocket TcpSocket::connect(const std::string& host, std::uint16_t port, milliseconds timeout) {
  Address a = make_address(host, port);
  int fd = socket(a.family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) fail("tcp socket");
  if (::connect(fd, a.get(), a.length) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    fail("tcp connect " + host + ":" + std::to_string(port));
  }
  pollfd p{fd, POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof err;
  if (poll(&p, 1, static_cast<int>(timeout.count())) != 1 ||
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    ::close(fd);
    errno = err != 0 ? err : ETIMEDOUT;
    fail("tcp connect " + host + ":" + std::to_string(port));
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return TcpSocket(fd);
}

TcpSocket::~TcpSocket() {
  close();
}

TcpSocket::TcpSocket(TcpSocket&& other) noexcept
    : fd_(other.fd_), local_port_(other.local_port_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

void TcpSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void TcpSocket::send(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("tcp send");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::optional<std::string> TcpSocket::recv_some(milliseconds timeout) {
  if (!buffer_.empty()) {
    return std::exchange(buffer_, {});
  }
  if (fd_ < 0 || !wait_readable(fd_, timeout)) {
    return std::nullopt;
  }
  std::string buf(65536, '\0');
  ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
  if (n < 0) {
    return std::string{};  // reset counts as closed
  }
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

std::optional<std::string> TcpSocket::recv_message(milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::size_t skipped = 0;
    if (auto len = sip_message_length(buffer_, &skipped)) {
      std::string msg = buffer_.substr(skipped, *len);
      buffer_.erase(0, skipped + *len);
      return msg;
    }
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || fd_ < 0 || !wait_readable(fd_, left)) {
      return std::nullopt;
    }
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      return std::nullopt;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<std::size_t> sip_message_length(std::string_view stream, std::size_t* skipped) {
  std::size_t start = 0;
  while (start + 1 < stream.size() && stream[start] == '\r' && stream[start + 1] == '\n') {
    start += 2;
  }
  if (skipped != nullptr) *skipped = start;
  std::string_view s = stream.substr(start);
  auto end = s.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  std::size_t content_length = 0;
  std::size_t pos = s.find("\r\n");
  while (pos < end) {
    std::size_t next = s.find("\r\n", pos + 2);
    std::string_view line = s.substr(pos + 2, next - pos - 2);
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "content-length" || name == "l") {
        content_length = std::strtoul(std::string(line.substr(colon + 1)).c_str(), nullptr, 10);
      }
    }
    pos = next;
  }
  std::size_t total = end + 4 + content_length;
  if (s.size() < total) {
    return std::nullopt;
  }
  return total;
}

}  // namespace sipline::test
