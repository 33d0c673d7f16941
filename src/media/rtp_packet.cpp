#include "media/rtp_packet.hpp"

#include <cstring>

namespace sipline::media {

std::string_view to_string(RtpError e) {
  switch (e) {
    case RtpError::kTooShort:
      return "too short";
    case RtpError::kBadVersion:
      return "not RTP version 2";
    case RtpError::kBadLength:
      return "bad CSRC/extension/padding length";
  }
  return "?";
}

base::Result<RtpPacket, RtpError> decode_rtp(std::span<const std::uint8_t> d) {
  if (d.size() < kRtpHeaderBytes) return base::fail(RtpError::kTooShort);
  if ((d[0] >> 6) != 2) return base::fail(RtpError::kBadVersion);
  const bool padding = d[0] & 0x20, extension = d[0] & 0x10;
  std::size_t offset = kRtpHeaderBytes + 4u * (d[0] & 0x0f);
  RtpPacket p;
  p.header.marker = d[1] & 0x80;
  p.header.payload_type = d[1] & 0x7f;
  p.header.sequence = static_cast<std::uint16_t>(d[2] << 8 | d[3]);
  p.header.timestamp =
      std::uint32_t(d[4]) << 24 | std::uint32_t(d[5]) << 16 | std::uint32_t(d[6]) << 8 | d[7];
  p.header.ssrc =
      std::uint32_t(d[8]) << 24 | std::uint32_t(d[9]) << 16 | std::uint32_t(d[10]) << 8 | d[11];
  if (extension) {
    if (d.size() < offset + 4) return base::fail(RtpError::kBadLength);
    offset += 4 + 4u * (d[offset + 2] << 8 | d[offset + 3]);
  }
  if (d.size() < offset) return base::fail(RtpError::kBadLength);
  std::size_t end = d.size();
  if (padding) {
    const std::size_t pad = d.back();
    if (pad == 0 || end - offset < pad) return base::fail(RtpError::kBadLength);
    end -= pad;
  }
  p.payload = d.subspan(offset, end - offset);
  return p;
}

std::size_t encode_rtp(const RtpHeader& h, std::span<const std::uint8_t> payload,
                       std::span<std::uint8_t> out) {
  if (out.size() < kRtpHeaderBytes + payload.size()) return 0;
  out[0] = 0x80;
  out[1] = static_cast<std::uint8_t>((h.marker ? 0x80 : 0) | (h.payload_type & 0x7f));
  out[2] = h.sequence >> 8;
  out[3] = h.sequence & 0xff;
  for (int i = 0; i < 4; ++i) {
    out[4 + i] = static_cast<std::uint8_t>(h.timestamp >> (24 - 8 * i));
    out[8 + i] = static_cast<std::uint8_t>(h.ssrc >> (24 - 8 * i));
  }
  if (!payload.empty()) std::memcpy(out.data() + kRtpHeaderBytes, payload.data(), payload.size());
  return kRtpHeaderBytes + payload.size();
}

}  // namespace sipline::media
