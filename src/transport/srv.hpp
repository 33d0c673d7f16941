// RFC 3263 §4 / RFC 2782 pure logic, no I/O: which SRV name a transport looks up, the order in
// which SRV targets are tried (priority, then weighted random selection), and the smallest TTL
// of a DNS answer (the cache keeps an answer that long). Seeded randomness: testable.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.hpp"
#include "transport/transport.hpp"

namespace sipline::transport {

struct SrvRecord {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;  // "." (or empty): the service is decidedly not available there
  bool operator==(const SrvRecord&) const = default;
};

// "_sip._udp.", "_sip._tcp.", "_sips._tcp." (RFC 3263 §4.2; TLS is SIPS over TCP).
std::string_view srv_prefix(Protocol p);

// RFC 2782: ascending priority; inside one priority, records are drawn one by one with a
// probability proportional to their weight (weight-0 records first in the running sum, so they
// are picked rarely but never starve). Records whose target is "." are dropped.
std::vector<SrvRecord> order_srv(std::vector<SrvRecord> records, base::Random& random);

// RFC 3403 NAPTR record as RFC 3263 §4.1 reads it (regexp is unused for SIP: "s" records
// name their SRV domain in `replacement`).
struct NaptrRecord {
  std::uint16_t order = 0;
  std::uint16_t preference = 0;
  std::string flags;        // "s" (case-insensitive): the replacement is an SRV name
  std::string service;      // "SIP+D2U", "SIP+D2T", "SIPS+D2T" (case-insensitive)
  std::string replacement;  // "_sip._udp.example.com"
  bool operator==(const NaptrRecord&) const = default;
};

// One transport the server offers: its protocol and the SRV name to look up for it.
struct TransportOffer {
  Protocol protocol = Protocol::kUdp;
  std::string srv_name;
  bool operator==(const TransportOffer&) const = default;
};

// RFC 3263 §4.1: the NAPTR records a client can use, best first. Kept: flag "s", a service
// sipline speaks (SIP+D2U, SIP+D2T, SIPS+D2T; only SIPS+D2T when `sips_only`, a sips: URI) and a
// replacement that is a name (not "."); ordered by order, then preference (RFC 3403 §4.1),
// the server's order kept between equals.
std::vector<TransportOffer> order_naptr(const std::vector<NaptrRecord>& records, bool sips_only);

// RFC 3263 §4.1 without usable NAPTR records: the SRV names to try, the first with records
// chosen. sipline's order: UDP, TCP, then TLS for a sip: URI (UDP first as §4.1 makes it the
// default); only _sips._tcp for a sips: URI.
std::vector<TransportOffer> srv_fallbacks(std::string_view host, bool sips_only);

// The smallest TTL in the answer section of a DNS message (RFC 1035 §4.1); nullopt when the
// message is malformed or has no answer. Compression pointers are followed only to skip names.
std::optional<std::uint32_t> answer_min_ttl(const unsigned char* message, std::size_t size);

}  // namespace sipline::transport
