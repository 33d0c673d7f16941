#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <vector>

#include "base/timers.hpp"
#include "media/g711.hpp"
#include "media/port_allocator.hpp"
#include "media/rtp_packet.hpp"
#include "media/rtp_stats.hpp"

using namespace sipline::media;
using namespace std::chrono_literals;
using sipline::base::TimePoint;

TEST(RtpPacket, EncodeDecodeRoundTrip) {
  RtpHeader h{true, 8, 0xfffe, 0x01020304, 0xdeadbeef};
  std::array<std::uint8_t, 160> payload{};
  payload[0] = 0xd5;
  std::array<std::uint8_t, 200> buf{};
  const auto n = encode_rtp(h, payload, buf);
  ASSERT_EQ(n, 172u);
  EXPECT_EQ(buf[0], 0x80);
  EXPECT_EQ(buf[1], 0x88);
  auto p = decode_rtp(std::span(buf.data(), n));
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->header.marker);
  EXPECT_EQ(p->header.payload_type, 8);
  EXPECT_EQ(p->header.sequence, 0xfffe);
  EXPECT_EQ(p->header.timestamp, 0x01020304u);
  EXPECT_EQ(p->header.ssrc, 0xdeadbeefu);
  EXPECT_EQ(p->payload.size(), 160u);
  EXPECT_EQ(p->payload[0], 0xd5);
  EXPECT_EQ(encode_rtp(h, payload, std::span(buf.data(), 100)), 0u);
}

TEST(RtpPacket, CsrcExtensionAndPaddingAreSkipped) {
  // V=2 P=1 X=1 CC=1, PT 0; one CSRC; extension of one word; 2 payload bytes; 2 padding bytes.
  std::vector<std::uint8_t> d = {0xb1, 0x00, 0, 1, 0, 0, 0, 160, 0, 0, 0, 1,  // fixed header
                                 0,    0,    0, 9,                            // CSRC
                                 0xbe, 0xde, 0, 1, 1, 2, 3, 4,                // extension
                                 0xaa, 0xbb, 0, 2};                           // payload, pad
  auto p = decode_rtp(d);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->payload.size(), 2u);
  EXPECT_EQ(p->payload[0], 0xaa);
}

TEST(RtpPacket, MalformedDatagramsAreErrors) {
  std::vector<std::uint8_t> short_one(11, 0x80);
  EXPECT_EQ(decode_rtp(short_one).error(), RtpError::kTooShort);
  std::vector<std::uint8_t> v1(12, 0x40);
  EXPECT_EQ(decode_rtp(v1).error(), RtpError::kBadVersion);
  std::vector<std::uint8_t> csrc(12, 0);
  csrc[0] = 0x8f;  // 15 CSRCs announced, none present
  EXPECT_EQ(decode_rtp(csrc).error(), RtpError::kBadLength);
  std::vector<std::uint8_t> pad(13, 0);
  pad[0] = 0xa0;
  pad[12] = 50;  // more padding than payload
  EXPECT_EQ(decode_rtp(pad).error(), RtpError::kBadLength);
}

namespace {
const TimePoint kT0 = TimePoint{} + 1h;
}

TEST(ReceiveStats, InOrderStreamHasNoLossAndNoJitter) {
  ReceiveStats s;
  for (int k = 0; k < 100; ++k)
    s.on_packet(static_cast<std::uint16_t>(1000 + k), 160u * k, kT0 + k * 20ms);
  EXPECT_EQ(s.expected(), 99u);  // the first packet is the probation packet
  EXPECT_EQ(s.received(), 99u);
  EXPECT_EQ(s.lost(), 0u);
  EXPECT_DOUBLE_EQ(s.jitter_ms(), 0.0);
}

TEST(ReceiveStats, LossAcrossASequenceWrapIsCounted) {
  ReceiveStats s;
  int sent = 0;
  for (int k = 0; k < 200; ++k) {
    const auto seq = static_cast<std::uint16_t>(65500 + k);  // wraps at k = 36
    if (k > 10 && k % 10 == 0) continue;                     // drop every tenth
    s.on_packet(seq, 160u * k, kT0 + k * 20ms);
    ++sent;
  }
  EXPECT_EQ(s.extended_max(), (1u << 16) + static_cast<std::uint16_t>(65500 + 199));
  EXPECT_EQ(s.lost(), 18u);  // k = 20, 30, ..., 190
}

TEST(ReceiveStats, JitterConvergesToTheArrivalDeviation) {
  ReceiveStats s;
  // Every other packet arrives 4 ms late: |D| = 4 ms each time, so J -> 4 ms (A.8).
  for (int k = 0; k < 2000; ++k)
    s.on_packet(static_cast<std::uint16_t>(k), 160u * k, kT0 + k * 20ms + (k % 2 ? 4ms : 0ms));
  EXPECT_NEAR(s.jitter_ms(), 4.0, 0.2);
}

TEST(ReceiveStats, UntimedPacketsCountButLeaveJitterAlone) {
  ReceiveStats s;
  for (int k = 0; k < 50; ++k) {
    // Packets 20..29 are RFC 4733 events: one timestamp, arriving every 20 ms.
    const bool event = k >= 20 && k < 30;
    s.on_packet(static_cast<std::uint16_t>(k), event ? 160u * 20 : 160u * k, kT0 + k * 20ms,
                !event);
  }
  EXPECT_EQ(s.lost(), 0u);
  EXPECT_DOUBLE_EQ(s.jitter_ms(), 0.0);
}

TEST(ReceiveStats, DuplicatesAndLateReorderDoNotBreakCounting) {
  ReceiveStats s;
  for (int k : {0, 1, 2, 4, 3, 4, 5})
    s.on_packet(static_cast<std::uint16_t>(k), 160u * k, kT0 + k * 20ms);
  EXPECT_EQ(s.extended_max(), 5u);
  EXPECT_EQ(s.lost(), 0u);  // one duplicate makes received > expected: floored at 0
}

TEST(Dtmf, OneDigitPerEventRetransmittedEndsNotCounted) {
  DtmfCounter c;
  auto ev = [](int event, bool end, int duration) {
    return std::array<std::uint8_t, 4>{
        static_cast<std::uint8_t>(event), static_cast<std::uint8_t>((end ? 0x80 : 0) | 10),
        static_cast<std::uint8_t>(duration >> 8), static_cast<std::uint8_t>(duration & 0xff)};
  };
  EXPECT_FALSE(c.on_event(1000, ev(5, false, 160)));
  EXPECT_FALSE(c.on_event(1000, ev(5, false, 320)));
  EXPECT_EQ(c.on_event(1000, ev(5, true, 480)), '5');
  EXPECT_FALSE(c.on_event(1000, ev(5, true, 480)));  // RFC 4733 §2.5.1.4: end sent 3 times
  EXPECT_FALSE(c.on_event(1000, ev(5, true, 480)));
  EXPECT_EQ(c.on_event(3000, ev(11, true, 480)), '#');
  EXPECT_EQ(c.on_event(5000, ev(10, true, 480)), '*');
  EXPECT_FALSE(c.on_event(7000, std::array<std::uint8_t, 4>{}));    // start, no end
  EXPECT_FALSE(c.on_event(7000, std::span<const std::uint8_t>()));  // too short
  EXPECT_EQ(c.count(), 3u);
  EXPECT_EQ(c.digits(), "5#*");
}

TEST(PortAllocator, EvenPortsRoundRobinUntilExhausted) {
  PortAllocator a(16385, 16393);  // even ports with port+1 in range: 16386, 16388, 16390, 16392
  EXPECT_EQ(a.capacity(), 4u);
  EXPECT_EQ(a.allocate(), 16386);
  EXPECT_EQ(a.allocate(), 16388);
  a.release(16386);
  EXPECT_EQ(a.allocate(), 16390);  // not the one just freed
  EXPECT_EQ(a.allocate(), 16392);
  EXPECT_EQ(a.allocate(), 16386);
  EXPECT_EQ(a.allocate(), std::nullopt);
  a.release(16387);  // odd: ignored
  a.release(16000);  // outside: ignored
  EXPECT_EQ(a.in_use(), 4u);
  PortAllocator empty(20000, 20000);
  EXPECT_EQ(empty.allocate(), std::nullopt);
}

TEST(G711, RoundTripIsWithinQuantisationError) {
  std::vector<std::int16_t> pcm;
  for (int i = 0; i < 160; ++i) pcm.push_back(static_cast<std::int16_t>(8000 * std::sin(i / 5.0)));
  for (Codec codec : {Codec::kPcmu, Codec::kPcma}) {
    std::vector<std::uint8_t> enc(pcm.size());
    std::vector<std::int16_t> dec(pcm.size());
    g711_encode(codec, pcm, enc);
    g711_decode(codec, enc, dec);
    for (std::size_t i = 0; i < pcm.size(); ++i) EXPECT_LE(std::abs(pcm[i] - dec[i]), 300) << i;
  }
  std::vector<std::int16_t> zero(1, 0);
  std::vector<std::uint8_t> enc(1);
  g711_encode(Codec::kPcmu, zero, enc);
  EXPECT_EQ(enc[0], 0xff);  // µ-law silence
  g711_encode(Codec::kPcma, zero, enc);
  EXPECT_EQ(enc[0], 0xd5);  // A-law silence
}
