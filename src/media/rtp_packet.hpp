// RTP (RFC 3550 §5.1) fixed header: decode from a datagram, encode into a buffer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.hpp"

namespace sipline::media {

constexpr std::size_t kRtpHeaderBytes = 12;

struct RtpHeader {
  bool marker = false;
  std::uint8_t payload_type = 0;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
};

enum class RtpError { kTooShort, kBadVersion, kBadLength };
std::string_view to_string(RtpError e);

struct RtpPacket {
  RtpHeader header;
  std::span<const std::uint8_t> payload;  // after CSRCs and extension, before padding
};

// Decodes a datagram (no allocation; the payload points into `data`).
base::Result<RtpPacket, RtpError> decode_rtp(std::span<const std::uint8_t> data);
// Writes the 12-byte header (version 2, no CSRC, no extension) then the payload; returns the
// bytes written, 0 when `out` is too small.
std::size_t encode_rtp(const RtpHeader& h, std::span<const std::uint8_t> payload,
                       std::span<std::uint8_t> out);

}  // namespace sipline::media
