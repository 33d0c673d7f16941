#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <cmath>
#include <filesystem>
#include <string>

#include "base/asio_timers.hpp"
#include "media/audio_file.hpp"
#include "media/rtp_packet.hpp"
#include "media/rtp_session.hpp"
#include "support/net.hpp"

using namespace sipline;
using namespace sipline::media;
using namespace std::chrono_literals;

namespace {

std::filesystem::path temp_dir() {
  auto dir =
      std::filesystem::temp_directory_path() / ("sipline-media-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

Samples tone(std::size_t n) {
  Samples s(n);
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<std::int16_t>(6000 * std::sin(2 * M_PI * 440.0 * i / 8000.0));
  return s;
}

void write_file(const std::string& path, int rate, int channels, const Samples& s) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  sf_write_short(f, s.data(), static_cast<sf_count_t>(s.size()));
  sf_close(f);
}

std::string rtp(int pt, std::uint16_t seq, std::uint32_t ts, std::vector<std::uint8_t> payload) {
  std::array<std::uint8_t, 200> buf{};
  const auto n =
      encode_rtp(RtpHeader{false, static_cast<std::uint8_t>(pt), seq, ts, 77}, payload, buf);
  return std::string(reinterpret_cast<const char*>(buf.data()), n);
}

struct Loop {
  asio::io_context io;
  base::AsioTimers timers{io};
  std::uint16_t first = static_cast<std::uint16_t>(test::free_port(test::Protocol::kUdp) & ~1u);
  PortAllocator ports{first, static_cast<std::uint16_t>(first + 40)};
  const asio::ip::address loopback = asio::ip::make_address("127.0.0.1");

  std::shared_ptr<RtpSession> open(RtpSessionConfig c) {
    auto s = RtpSession::open(io, timers, ports, loopback, std::move(c));
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
    return s.ok() ? s.value() : nullptr;
  }
  asio::ip::udp::endpoint at(std::uint16_t port) const { return {loopback, port}; }
  void run_for(std::chrono::milliseconds d) {
    io.restart();
    io.run_for(d);
  }
};

}  // namespace

TEST(RtpLoopback, AudioBothWaysJunkDtmfAndRecording) {
  const auto dir = temp_dir();
  const std::string source_path = (dir / "source.wav").string();
  const Samples source = tone(8000);
  write_file(source_path, 8000, 1, source);
  auto loaded = load_wav(source_path);
  ASSERT_TRUE(loaded.ok()) << loaded.error();

  Loop loop;
  RtpSessionConfig ca;
  ca.source = std::make_shared<const Samples>(std::move(loaded.value()));
  ca.ssrc = 1;
  RtpSessionConfig cb;
  cb.record_path = (dir / "b.wav").string();
  cb.ssrc = 2;
  auto a = loop.open(ca);
  auto b = loop.open(cb);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->port() % 2, 0);
  EXPECT_NE(a->port(), b->port());

  // A starts towards a port nobody listens on: symmetric RTP must turn it to B's packets.
  a->start(loop.at(static_cast<std::uint16_t>(loop.first + 39)));
  b->start(loop.at(a->port()));

  test::UdpSocket injector("127.0.0.1");
  injector.send_to("hello, not RTP", "127.0.0.1", a->port());
  injector.send_to(rtp(99, 1, 0, std::vector<std::uint8_t>(160)), "127.0.0.1", a->port());
  injector.send_to(std::string(8, '\x80'), "127.0.0.1", a->port());
  for (int i = 0; i < 3; ++i)  // one event, its end sent three times (RFC 4733 §2.5.1.4)
    injector.send_to(
        rtp(kTelephoneEventPt, static_cast<std::uint16_t>(500 + i), 4000, {5, 0x8a, 0x03, 0x20}),
        "127.0.0.1", b->port());

  loop.run_for(1000ms);
  a->stop();
  b->stop();
  loop.run_for(50ms);

  EXPECT_GE(a->counters().packets_sent, 45u);
  EXPECT_GE(b->counters().packets_sent, 45u);
  EXPECT_GE(a->counters().packets_received, b->counters().packets_sent * 95 / 100);
  // B's packets from A: all but the few A sent before B's first packet turned it around.
  EXPECT_GE(b->counters().packets_received - 3, a->counters().packets_sent * 95 / 100 - 3);
  EXPECT_EQ(a->remote(), loop.at(b->port()));
  EXPECT_EQ(a->counters().junk, 3u);
  EXPECT_EQ(b->dtmf().count(), 1u);
  EXPECT_EQ(b->dtmf().digits(), "5");
  EXPECT_TRUE(a->counters().first_packet.has_value());
  EXPECT_LT(a->receive_stats().jitter_ms(), 20.0);
  EXPECT_EQ(b->record_error(), "");

  // The recording holds A's tone from its first received packet on (G.711 round trip).
  auto recorded = load_wav(cb.record_path);
  ASSERT_TRUE(recorded.ok()) << recorded.error();
  const Samples& r = recorded.value();
  ASSERT_GE(r.size(), 160u * 40);
  // Find the source offset the recording starts at (A may have sent a packet or two before
  // turning to B), then compare sample by sample.
  std::size_t offset = 0;
  for (std::size_t k = 0; k < 5; ++k) {
    if (std::abs(r[0] - source[(k * 160) % source.size()]) < 300 &&
        std::abs(r[50] - source[(k * 160 + 50) % source.size()]) < 300) {
      offset = k * 160;
      break;
    }
  }
  std::size_t bad = 0;
  for (std::size_t i = 0; i < 160 * 40; ++i)
    if (std::abs(r[i] - source[(offset + i) % source.size()]) > 300) ++bad;
  EXPECT_EQ(bad, 0u);
  std::filesystem::remove_all(dir);
}

TEST(RtpLoopback, WavFormatsOtherThan8kMonoAreRefused) {
  const auto dir = temp_dir();
  const std::string wide = (dir / "wide.wav").string();
  write_file(wide, 16000, 1, tone(1600));
  auto r = load_wav(wide);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("16000 Hz"), std::string::npos) << r.error();
  const std::string stereo = (dir / "stereo.wav").string();
  write_file(stereo, 8000, 2, tone(1600));
  EXPECT_FALSE(load_wav(stereo).ok());
  EXPECT_FALSE(load_wav((dir / "missing.wav").string()).ok());
  std::filesystem::remove_all(dir);
}

TEST(RtpLoopback, PortRangeExhaustionIsAnError) {
  Loop loop;
  PortAllocator one(loop.first, static_cast<std::uint16_t>(loop.first + 1));
  auto s1 = RtpSession::open(loop.io, loop.timers, one, loop.loopback, {});
  ASSERT_TRUE(s1.ok());
  auto s2 = RtpSession::open(loop.io, loop.timers, one, loop.loopback, {});
  EXPECT_FALSE(s2.ok());
  s1.value().reset();  // the owner drops it: its port is free at once
  EXPECT_EQ(one.in_use(), 0u);
}

// Pacing on the virtual clock: start + k * 20 ms exactly, sequence and timestamp step by one
// packet, and hold keeps the timestamp running while nothing is sent.
TEST(RtpLoopback, PacingFollowsTheAbsoluteScheduleOnAVirtualClock) {
  asio::io_context io;
  base::VirtualTimers timers;
  const auto first = static_cast<std::uint16_t>(test::free_port(test::Protocol::kUdp) & ~1u);
  PortAllocator ports(first, static_cast<std::uint16_t>(first + 20));
  RtpSessionConfig c;
  c.first_sequence = 65530;  // wraps during the test
  c.first_timestamp = 1000;
  auto s = RtpSession::open(io, timers, ports, asio::ip::make_address("127.0.0.1"), c);
  ASSERT_TRUE(s.ok()) << s.error();
  test::UdpSocket peer("127.0.0.1");
  s.value()->start({asio::ip::make_address("127.0.0.1"), peer.local_port()});
  timers.advance(std::chrono::milliseconds(1000));
  EXPECT_EQ(s.value()->counters().packets_sent, 51u);  // k = 0 .. 50
  for (std::uint32_t k = 0; k < 51; ++k) {
    auto d = peer.recv(std::chrono::milliseconds(500));
    ASSERT_TRUE(d) << k;
    auto p = decode_rtp(std::span(reinterpret_cast<const std::uint8_t*>(d->data()), d->size()));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->header.sequence, static_cast<std::uint16_t>(65530 + k));
    EXPECT_EQ(p->header.timestamp, 1000 + 160 * k);
    EXPECT_EQ(p->header.marker, k == 0);
    EXPECT_EQ(p->payload.size(), 160u);
  }
  EXPECT_EQ(s.value()->send_jitter().count(), 50u);
  EXPECT_EQ(s.value()->send_jitter().max().count(), 0);

  s.value()->set_sending(false);
  timers.advance(std::chrono::milliseconds(100));
  EXPECT_EQ(s.value()->counters().packets_sent, 51u);
  s.value()->set_sending(true);
  timers.advance(std::chrono::milliseconds(20));
  auto d = peer.recv(std::chrono::milliseconds(500));
  ASSERT_TRUE(d);
  auto p = decode_rtp(std::span(reinterpret_cast<const std::uint8_t*>(d->data()), d->size()));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->header.timestamp, 1000u + 160u * 56u);  // five held packets were not sent
  s.value()->stop();
  EXPECT_EQ(timers.pending(), 0u);
}
