// RFC 5389 STUN, only what RFC 5626 §4.4.2 flow keep-alives over UDP need: writing a Binding
// request (20-byte header and FINGERPRINT), telling a STUN datagram from a SIP one, and reading a
// Binding success response's XOR-MAPPED-ADDRESS (MAPPED-ADDRESS from an RFC 3489 server). No
// packaged codec fits (libnice and libre bring whole stacks); this is the ~150 lines needed.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "transport/transport.hpp"

namespace sipline::transport::stun {

constexpr std::uint32_t kMagicCookie = 0x2112A442;
constexpr std::uint16_t kBindingRequest = 0x0001;
constexpr std::uint16_t kBindingSuccess = 0x0101;
constexpr std::size_t kHeaderSize = 20;

using TransactionId = std::array<std::uint8_t, 12>;

// RFC 5389 §6 / RFC 5626 §5.4 demultiplexing: at least a header, the first two bits 0, the magic
// cookie at bytes 4..7 and a length (a multiple of 4) that covers the rest exactly. A SIP
// message never starts with a byte below 0x40.
bool looks_like_stun(std::string_view bytes);

// A Binding request with `id`, carrying only FINGERPRINT (§15.5).
std::string binding_request(const TransactionId& id);

struct Message {
  std::uint16_t type = 0;  // kBindingRequest, kBindingSuccess, ...
  TransactionId id{};
  // XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS) as an Address of `protocol`; nullopt when absent.
  std::optional<Address> mapped;
  bool has_fingerprint = false;
};

// Parses a datagram looks_like_stun() accepted; nullopt when an attribute overruns the message
// or a FINGERPRINT is present but wrong (§7.3: such a message is discarded).
std::optional<Message> parse(std::string_view bytes, Protocol protocol = Protocol::kUdp);

// CRC-32 (ISO HDLC, as zlib) — FINGERPRINT is this XOR 0x5354554e.
std::uint32_t crc32(std::string_view bytes);

}  // namespace sipline::transport::stun
