// Real sockets behind the Transport seam: UDP, TCP and TLS on standalone Asio, all on one
// io_context (no threads, no locks). Open one with AsioTransport::open(); a bind failure is an
// error value, never an exception. Every failure after that reaches the TransportUser
// asynchronously (never from inside send()).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "msg/message.hpp"
#include "transport/transport.hpp"

namespace asio {
class io_context;
}

namespace sipline::transport {

struct TlsSettings {
  bool verify = true;   // verify the server's certificate chain and its name
  std::string ca_file;  // PEM file of trusted CAs; empty: the system CAs
  // PEM certificate chain the TLS listener serves; empty: the self-signed certificate sipline
  // generates once per process (see transport/tls.hpp generated_identity()).
  std::string cert_file;
  std::string key_file;  // PEM private key of cert_file (empty: read it from cert_file)
};

struct TransportConfig {
  Protocol protocol = Protocol::kUdp;
  // IP literal to bind (IPv6 without brackets). Empty: the wildcard of both families (0.0.0.0
  // and, when the host has IPv6, ::) on the same port.
  std::string bind_address;
  std::uint16_t port = 0;  // local_sip_port (udp/tcp) or local_tls_port (tls); 0: any free port
  std::chrono::milliseconds connect_timeout{5000};  // TCP connect plus TLS handshake
  std::size_t max_queued_bytes = 1024 * 1024;       // per connection, waiting to be written
  // Accepted connections open at once; a connection beyond it is closed at once (counted in
  // connections_refused). Outbound connections never count against it, so peers holding
  // inbound connections cannot keep the transport from reaching its registrar.
  std::size_t max_inbound_connections = 256;
  std::size_t max_outbound_connections = 256;  // distinct remotes sent to; beyond: kSendFailed
  // An accepted connection that reads and writes nothing for this long is closed (counted in
  // connections_idle_closed); zero: never. Outbound connections are never closed for idling.
  std::chrono::milliseconds inbound_idle_timeout{120000};
  // A message begun on a TCP/TLS connection (either direction) must be complete within this,
  // scaled for a body (policy.hpp); else the connection is closed (counted in
  // messages_read_timed_out), like Kamailio's tcp_msg_read_timeout. Zero: never.
  std::chrono::milliseconds message_read_timeout{5000};
  msg::Limits limits;  // bounds on what is parsed
  TlsSettings tls;     // protocol kTls only
  // UDP: SO_RCVBUF asked of the kernel (capped by net.core.rmem_max); 0: the kernel's default.
  // A socket shared by thousands of accounts takes a burst of answers at once.
  int receive_buffer_bytes = 0;
  // UDP: the datagrams sent during one turn of the loop leave together, one sendmmsg per
  // socket at the end of the turn, instead of a sendto each. For a socket many accounts send
  // on (shared-port mode); a socket of one account rarely has two to send at once.
  bool batch_sends = false;
};

// Why open() failed: names the protocol, address and port; `reason` is short and plain
// ("address already in use", "permission denied: ports below 1024 need privilege").
struct BindError {
  Protocol protocol = Protocol::kUdp;
  std::string address;
  std::uint16_t port = 0;
  std::string reason;
  std::string message() const;  // "cannot listen on udp 0.0.0.0:5060: address already in use"
};

// Everything a transport counts; read it any time on the loop.
struct TransportCounters {
  std::uint64_t datagrams_in = 0;   // UDP datagrams read (messages, keep-alives, garbage)
  std::uint64_t datagrams_out = 0;  // UDP datagrams written
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t messages_in = 0;    // SIP messages handed to the TransportUser
  std::uint64_t messages_out = 0;   // send() calls written out in full
  std::uint64_t keepalives_in = 0;  // CRLF pings/pongs and empty datagrams (ignored)
  std::uint64_t pongs_out = 0;      // CRLF answers to CRLFCRLF pings (RFC 5626)
  std::uint64_t pongs_in = 0;       // CRLF pongs on our connections, STUN Binding responses (UDP)
  std::uint64_t stun_in = 0;        // STUN datagrams read (never handed to the SIP parser)
  std::uint64_t malformed_dropped = 0;     // unparsable datagrams/frames, unframeable streams
  std::uint64_t send_failures = 0;         // sends given up (bad target, queue full, write error)
  std::uint64_t connections_opened = 0;    // outbound connections established (TLS: handshaken)
  std::uint64_t connections_accepted = 0;  // inbound connections accepted
  std::uint64_t connections_failed = 0;    // outbound connect/handshake failures or timeouts
  std::uint64_t connections_lost = 0;      // established connections that closed or broke
  std::uint64_t tls_failures = 0;          // TLS handshakes that failed (either side)
  std::uint64_t connections_refused = 0;   // inbound connections closed: max_inbound reached
  std::uint64_t connections_idle_closed = 0;  // inbound connections closed after idling
  std::uint64_t messages_read_timed_out = 0;  // connections closed: a message came too slowly
  std::uint64_t accept_failures = 0;          // accept() errors (EMFILE, ENFILE, ...)
  std::uint64_t unreachable_in = 0;  // ICMP unreachable errors for UDP sends (RFC 3261 §18.4)
};

enum class TraceDirection : std::uint8_t { kSent, kReceived };
// Called for every SIP message written or read (not for keep-alives), with the raw bytes.
using TraceHook = std::function<void(TraceDirection direction, const Address& local,
                                     const Address& remote, std::string_view bytes)>;

// What reaches TransportUser::on_message: `source` is the sender's address (for TCP/TLS the
// connection's far end; send to Target{source} to answer on that connection, RFC 3261
// §18.2.2), `local` the bound UDP socket address or the connection's local endpoint.
// Connections are keyed by remote address and shared by both directions. Inbound connections
// that close are logged and counted, not reported; outbound ones report kConnectionLost and are
// re-opened by the next send().
class AsioTransport : public Transport {
 public:
  // Binds the UDP socket(s) or the TCP/TLS listener(s) and starts reading. A TLS listener
  // serves tls.cert_file, else the generated self-signed certificate.
  static base::Result<std::unique_ptr<AsioTransport>, BindError> open(
      asio::io_context& io, const TransportConfig& config);

  // Who receives messages and errors; may be set (or changed) after open(). Without a user,
  // received messages are counted and dropped.
  virtual void set_user(TransportUser* user) = 0;
  virtual void set_trace(TraceHook hook) = 0;
  virtual const TransportCounters& counters() const = 0;
  virtual Protocol protocol() const = 0;
  // The port actually bound (the one the kernel picked when the config said 0).
  virtual std::uint16_t port() const = 0;
  // Every bound socket / listener address.
  virtual std::vector<Address> bound_addresses() const = 0;
  // Open connections (TCP/TLS, both directions); 0 for UDP.
  virtual std::size_t connection_count() const = 0;
};

}  // namespace sipline::transport
