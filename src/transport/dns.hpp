// RFC 3263 §4 server location with c-ares, on the caller's Asio loop. select_transport (transport
// = "auto"): NAPTR, then SRV, chooses the transport (§4.1). resolve_targets: a name without a port
// (not an IP literal) is looked up as SRV (_sip._udp / _sip._tcp / _sips._tcp by protocol), its
// targets ordered by priority and RFC 2782 weight, then each target's A/AAAA; no SRV record:
// the name's own A/AAAA at the default port (also when the SRV question fails: SERVFAIL, no
// answer); an explicit port: A/AAAA only.
//
// c-ares runs on the loop itself: its sockets are watched by Asio (posix::stream_descriptor
// wait_read / wait_write, registered through ARES_OPT_SOCK_STATE_CB) and its retry timeouts by
// one steady_timer, so nothing blocks and no thread or hand-off is needed.
//
// One resolver per engine: answers are cached for their TTL and concurrent questions for the
// same name share one query, so 1000 accounts on one domain make one look-up.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.hpp"
#include "base/result.hpp"
#include "transport/srv.hpp"
#include "transport/transport.hpp"

namespace asio {
class io_context;
}

namespace sipline::transport {

enum class Family : std::uint8_t { kAny, kV4, kV6 };

struct DnsOptions {
  // "ip" or "ip:port" / "[ipv6]:port"; empty: the system's (/etc/resolv.conf).
  std::vector<std::string> servers;
  int timeout_ms = 2000;  // per try (c-ares doubles it for later tries)
  int tries = 2;
  std::uint32_t negative_ttl_s = 30;  // NXDOMAIN / no records are remembered this long
  std::uint32_t max_ttl_s = 86400;
};

struct DnsCounters {
  std::uint64_t queries = 0;     // questions sent to the DNS (SRV and address look-ups)
  std::uint64_t cache_hits = 0;  // questions answered from the cache or joined to one in flight
  std::uint64_t failures = 0;    // questions that ended in an error (not "no such record")
};

class DnsResolver {
 public:
  // The targets in the order to try them, or a plain reason ("SRV _sip._udp.example.com:
  // SERVFAIL"). Never empty on success.
  using TargetsCallback = std::function<void(base::Result<std::vector<Target>, std::string>)>;

  static base::Result<std::unique_ptr<DnsResolver>, std::string> create(asio::io_context& io,
                                                                        const DnsOptions& options);
  ~DnsResolver();  // pending look-ups are cancelled: their callbacks never run
  DnsResolver(const DnsResolver&) = delete;
  DnsResolver& operator=(const DnsResolver&) = delete;

  // Always answers later on the loop, never from inside the call. `random` orders SRV targets
  // of equal priority (each account its own seeded one, so weights spread accounts). Each
  // target's tls_server_name is the name asked for (RFC 5922 §4: the domain, not the SRV target).
  // `srv_name`: the SRV name a NAPTR record named (select_transport); "": the protocol's
  // "_sip._udp.HOST" and so on.
  void resolve_targets(std::string_view host_port, Protocol protocol, Family family,
                       base::Random& random, TargetsCallback callback,
                       const std::string& srv_name = {});

  // RFC 3263 §4.1, for `transport = "auto"`: the transport to use and its SRV name. An IP
  // literal or an explicit port: UDP (TLS when `sips_only`). A name: its NAPTR records
  // (order_naptr), else the SRV names of srv_fallbacks, the first with records chosen; no
  // records at all: UDP (TLS) with no SRV name. A DNS failure (SERVFAIL, timeout, a malformed
  // answer) is an error, not a silent UDP. Answers later on the loop.
  using TransportCallback = std::function<void(base::Result<TransportOffer, std::string>)>;
  void select_transport(std::string_view host_port, bool sips_only, TransportCallback callback);

  const DnsCounters& counters() const;

 private:
  struct Impl;
  explicit DnsResolver(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// Whether `host_port` is located through SRV: a name (not an IP literal) without a port.
bool uses_srv(std::string_view host_port);

}  // namespace sipline::transport
