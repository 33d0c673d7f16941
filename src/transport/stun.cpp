#include "transport/stun.hpp"

#include <arpa/inet.h>

namespace sipline::transport::stun {

namespace {

constexpr std::uint16_t kMappedAddress = 0x0001;
constexpr std::uint16_t kXorMappedAddress = 0x0020;
constexpr std::uint16_t kFingerprint = 0x8028;
constexpr std::uint32_t kFingerprintXor = 0x5354554e;

std::uint16_t u16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(b[at]) << 8) |
                                    static_cast<std::uint8_t>(b[at + 1]));
}

std::uint32_t u32(std::string_view b, std::size_t at) {
  return (std::uint32_t{u16(b, at)} << 16) | u16(b, at + 2);
}

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

void put32(std::string& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v & 0xffff));
}

// The address of a (XOR-)MAPPED-ADDRESS value; `mask` is what each byte is XORed with (the
// cookie and the transaction id, or zeros).
std::optional<Address> read_address(std::string_view value, const std::uint8_t* mask,
                                    Protocol protocol) {
  if (value.size() < 8) return std::nullopt;
  const std::uint8_t family = static_cast<std::uint8_t>(value[1]);
  const std::size_t size = family == 0x01 ? 4 : family == 0x02 ? 16 : 0;
  if (size == 0 || value.size() < 4 + size) return std::nullopt;
  const auto port = static_cast<std::uint16_t>(u16(value, 2) ^ ((mask[0] << 8) | mask[1]));
  std::uint8_t ip[16];
  for (std::size_t i = 0; i < size; ++i) {
    ip[i] = static_cast<std::uint8_t>(static_cast<std::uint8_t>(value[4 + i]) ^ mask[i]);
  }
  char text[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(size == 4 ? AF_INET : AF_INET6, ip, text, sizeof text) == nullptr) {
    return std::nullopt;
  }
  return Address{protocol, text, port};
}

}  // namespace

std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (char c : bytes) {
    crc ^= static_cast<std::uint8_t>(c);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

bool looks_like_stun(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) return false;
  if ((static_cast<std::uint8_t>(bytes[0]) & 0xc0) != 0) return false;
  if (u32(bytes, 4) != kMagicCookie) return false;
  const std::uint16_t length = u16(bytes, 2);
  return length % 4 == 0 && kHeaderSize + length == bytes.size();
}

std::string binding_request(const TransactionId& id) {
  std::string out;
  out.reserve(kHeaderSize + 8);
  put16(out, kBindingRequest);
  put16(out, 8);  // the FINGERPRINT attribute that follows
  put32(out, kMagicCookie);
  out.append(reinterpret_cast<const char*>(id.data()), id.size());
  // §15.5: the CRC covers the header (its length already counting FINGERPRINT) up to here.
  const std::uint32_t fingerprint = crc32(out) ^ kFingerprintXor;
  put16(out, kFingerprint);
  put16(out, 4);
  put32(out, fingerprint);
  return out;
}

std::optional<Message> parse(std::string_view bytes, Protocol protocol) {
  if (!looks_like_stun(bytes)) return std::nullopt;
  Message m;
  m.type = u16(bytes, 0);
  for (std::size_t i = 0; i < m.id.size(); ++i) m.id[i] = static_cast<std::uint8_t>(bytes[8 + i]);
  std::uint8_t xor_mask[16];
  for (int i = 0; i < 4; ++i) xor_mask[i] = static_cast<std::uint8_t>(bytes[4 + i]);
  for (std::size_t i = 0; i < 12; ++i) xor_mask[4 + i] = m.id[i];
  const std::uint8_t zeros[16] = {};
  std::optional<Address> plain;
  std::size_t at = kHeaderSize;
  while (at + 4 <= bytes.size()) {
    const std::uint16_t type = u16(bytes, at);
    const std::uint16_t length = u16(bytes, at + 2);
    if (at + 4 + length > bytes.size()) return std::nullopt;
    const std::string_view value = bytes.substr(at + 4, length);
    if (type == kXorMappedAddress && !m.mapped) {
      m.mapped = read_address(value, xor_mask, protocol);
    } else if (type == kMappedAddress && !plain) {
      plain = read_address(value, zeros, protocol);
    } else if (type == kFingerprint) {
      if (length != 4 || u32(value, 0) != (crc32(bytes.substr(0, at)) ^ kFingerprintXor)) {
        return std::nullopt;
      }
      m.has_fingerprint = true;
      break;  // §15.5: always the last attribute
    }
    at += 4 + ((length + 3u) & ~3u);
  }
  if (!m.mapped) m.mapped = std::move(plain);
  return m;
}

}  // namespace sipline::transport::stun
