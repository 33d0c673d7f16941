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

// The smallest TTL in the answer section of a DNS message (RFC 1035 §4.1); nullopt when the
// message is malformed or has no answer. Compression pointers are followed only to skip names.
std::optional<std::uint32_t> answer_min_ttl(const unsigned char* message, std::size_t size);

}  // namespace sipline::transport
