// Plain blocking sockets for tests, every wait bounded by a timeout. Loopback only.
// These are an independent oracle: they do not use sipline's transport or msg layers.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipline::test {

using std::chrono::milliseconds;

// What must be free on 127.0.0.1 for the returned port p:
//   kUdp: UDP p; kTcp: TCP p; kUdpTcp: UDP and TCP p; kSip: UDP+TCP p and TCP p+1 (for TLS).
enum class Protocol : std::uint8_t { kUdp, kTcp, kUdpTcp, kSip };

// A port that was free when probed (chosen at random in 20000..31999, below the ephemeral
// range, so client sockets of other tests do not take it in between). Throws
// std::runtime_error if none is found after many tries.
std::uint16_t free_port(Protocol protocol = Protocol::kUdpTcp);

// True when a UDP socket can be bound to [::1] (the host has IPv6 on loopback).
bool ipv6_available();

struct Endpoint {
  std::string host;  // numeric address ("127.0.0.1", "::1")
  std::uint16_t port = 0;
};

// A bound UDP socket (IPv4 or IPv6 by the host's form).
class UdpSocket {
 public:
  explicit UdpSocket(const std::string& host = "127.0.0.1", std::uint16_t port = 0);
  ~UdpSocket();
  UdpSocket(UdpSocket&& other) noexcept;
  UdpSocket& operator=(UdpSocket&&) = delete;
  UdpSocket(const UdpSocket&) = delete;

  std::uint16_t local_port() const { return local_port_; }
  void send_to(std::string_view data, const std::string& host, std::uint16_t port);
  // One datagram, or nullopt when nothing arrives within `timeout`.
  std::optional<std::string> recv(milliseconds timeout, Endpoint* from = nullptr);
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::uint16_t local_port_ = 0;
};

// A connected TCP socket.
class TcpSocket {
 public:
  // Throws std::runtime_error when the connection is not established within `timeout`.
  static TcpSocket connect(const std::string& host, std::uint16_t port,
                           milliseconds timeout = milliseconds(3000));
  ~TcpSocket();
  TcpSocket(TcpSocket&& other) noexcept;
  TcpSocket& operator=(TcpSocket&&) = delete;
  TcpSocket(const TcpSocket&) = delete;

  std::uint16_t local_port() const { return local_port_; }
  void send(std::string_view data);  // all of it; throws on error
  // Whatever bytes arrive first: nullopt on timeout, "" when the peer closed.
  std::optional<std::string> recv_some(milliseconds timeout);
  // One SIP message cut by Content-Length (an independent minimal framer; CRLF keep-alives
  // before it are skipped). Bytes after it stay buffered for the next call. nullopt on timeout
  // or close.
  std::optional<std::string> recv_message(milliseconds timeout);
  void close();
  int fd() const { return fd_; }

 private:
  explicit TcpSocket(int fd);
  int fd_ = -1;
  std::uint16_t local_port_ = 0;
  std::string buffer_;
};

// Length of the first complete SIP message at the start of `stream` (after skipping leading
// CRLFs, whose count goes to *skipped), or nullopt when more bytes are needed. A message
// without Content-Length ends at its header section.
std::optional<std::size_t> sip_message_length(std::string_view stream, std::size_t* skipped);

}  // namespace sipline::test
