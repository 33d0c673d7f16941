// The transport seam: what the transaction layer and usages see of UDP/TCP/TLS. Real sockets
// (asio_transport.hpp) and the tests' fake transport both implement it. No Asio types here.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/shared_text.hpp"
#include "msg/message.hpp"

namespace sipline::transport {

enum class Protocol : std::uint8_t { kUdp, kTcp, kTls };
std::string_view to_string(Protocol p);  // "udp" / "tcp" / "tls"
std::string_view via_name(Protocol p);   // "UDP" / "TCP" / "TLS"

// A remote or local transport address. `address` is an IP literal (IPv6 without brackets).
struct Address {
  Protocol protocol = Protocol::kUdp;
  std::string address;
  std::uint16_t port = 0;
  bool operator==(const Address&) const = default;
};
std::string to_string(const Address& a);  // "udp:127.0.0.1:5060", "tls:[::1]:5061"

// Where a request goes: the address, and for TLS the name its certificate must carry.
struct Target {
  Address remote;
  // SNI and host-name check; empty: check the IP address. Shared text: a fleet's targets share
  // their server's name (8 bytes in every Target, where a string was 32).
  base::SharedText tls_server_name;
  bool operator==(const Target&) const = default;
};

enum class TransportErrorKind : std::uint8_t {
  kSendFailed,      // the datagram/bytes could not be written
  kConnectFailed,   // TCP/TLS connect refused or timed out
  kTlsCertificate,  // TLS handshake failed on certificate verification
  kTlsHandshake,    // TLS handshake failed otherwise
  kConnectionLost,  // an established connection closed or broke
  kUnreachable,     // UDP: ICMP host/network/port/protocol unreachable came back (RFC 3261 §18.4)
};
std::string_view to_string(TransportErrorKind k);

struct TransportError {
  TransportErrorKind kind;
  Target target;
  std::string detail;  // the OS / OpenSSL reason, for logs
};

// RFC 5626 §4.4: the answer to a flow keep-alive we sent. Over TCP/TLS a CRLF pong read on our
// connection to `target`; over UDP a STUN Binding success response from `target` (its
// transaction id, and the address it saw us at: XOR-MAPPED-ADDRESS).
struct Pong {
  Target target;
  std::string stun_transaction;   // the 12-byte transaction id; "" for a CRLF pong
  std::optional<Address> mapped;  // STUN only, when the response carried one
};

// Who receives what the transport reads. A malformed message never reaches here: the transport
// counts it and drops it (datagram) or closes the connection (stream it cannot resynchronise).
class TransportUser {
 public:
  virtual ~TransportUser() = default;
  virtual void on_message(msg::Message message, const Address& source, const Address& local) = 0;
  virtual void on_transport_error(const TransportError& error) = 0;
  // A keep-alive pong (RFC 5626 §4.4); most users ignore them.
  virtual void on_pong(const Pong& /*pong*/) {}
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Queues `bytes` for `target`; for TCP/TLS opens (or reuses) the one connection to it.
  // Keep-alives go the same way: a CRLFCRLF ping (TCP/TLS) or a STUN Binding request (UDP,
  // from the same socket SIP uses), neither counted nor traced as a message.
  // Failures are reported later, asynchronously, through TransportUser::on_transport_error.
  virtual void send(const Target& target, std::string bytes) = 0;
  // The local address requests to `target` leave from (Via sent-by and Contact): the bound
  // address/port for UDP, the listener's port for TCP/TLS. Never a wildcard: a transport bound
  // to 0.0.0.0 / :: names the route's source address, and `address` is empty when none is
  // known toward `target` (a send() to it then fails with kSendFailed, "no usable source
  // address toward ...").
  virtual Address local_address(const Target& target) const = 0;
  // Closes the connection to `target` (TCP/TLS) so the next send opens a new one.
  virtual void reset(const Target& target) = 0;
};

}  // namespace sipline::transport
