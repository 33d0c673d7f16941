#include "transport/transport.hpp"

#include <string>

namespace sipline::transport {

std::string_view to_string(Protocol p) {
  switch (p) {
    case Protocol::kUdp:
      return "udp";
    case Protocol::kTcp:
      return "tcp";
    case Protocol::kTls:
      return "tls";
  }
  return "udp";
}

std::string_view via_name(Protocol p) {
  switch (p) {
    case Protocol::kUdp:
      return "UDP";
    case Protocol::kTcp:
      return "TCP";
    case Protocol::kTls:
      return "TLS";
  }
  return "UDP";
}

std::string to_string(const Address& a) {
  std::string out(to_string(a.protocol));
  out += ':';
  const bool v6 = a.address.find(':') != std::string::npos;
  if (v6) out += '[';
  out += a.address;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(a.port);
  return out;
}

std::string_view to_string(TransportErrorKind k) {
  switch (k) {
    case TransportErrorKind::kSendFailed:
      return "send failed";
    case TransportErrorKind::kConnectFailed:
      return "connect failed";
    case TransportErrorKind::kTlsCertificate:
      return "tls certificate";
    case TransportErrorKind::kTlsHandshake:
      return "tls handshake";
    case TransportErrorKind::kConnectionLost:
      return "connection lost";
    case TransportErrorKind::kUnreachable:
      return "unreachable";
  }
  return "unknown";
}

}  // namespace sipline::transport
