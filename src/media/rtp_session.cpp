#include "media/rtp_session.hpp"

#include <spdlog/spdlog.h>

#include "media/g711.hpp"
#include "media/rtp_packet.hpp"

namespace sipline::media {

namespace {
constexpr auto kPacketInterval = std::chrono::milliseconds(kPtimeMs);
constexpr std::size_t kSamplesPerPacket = kSampleRateHz / 1000 * kPtimeMs;  // 160
}  // namespace

RtpSession::RtpSession(asio::io_context& io, base::TimerService& timers, RtpSessionConfig config)
    : timers_(timers),
      config_(std::move(config)),
      socket_(io),
      sequence_(config_.first_sequence),
      timestamp_(config_.first_timestamp) {}

base::Result<std::shared_ptr<RtpSession>, std::string> RtpSession::open(
    asio::io_context& io, base::TimerService& timers, PortAllocator& ports,
    const asio::ip::address& bind, RtpSessionConfig config) {
  std::shared_ptr<RtpSession> s(new RtpSession(io, timers, std::move(config)));
  std::error_code ec;
  for (std::size_t attempt = 0; attempt < ports.capacity(); ++attempt) {
    auto port = ports.allocate();
    if (!port) break;
    s->socket_.open(bind.is_v6() ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec);
    if (!ec) s->socket_.bind({bind, *port}, ec);
    if (!ec) {
      s->ports_ = &ports;
      s->port_ = *port;
      break;
    }
    s->socket_.close(ec);
    ports.release(*port);  // in use by another process: the round robin moves on
  }
  if (!s->ports_) return base::fail(std::string("no free RTP port in the range"));
  s->socket_.non_blocking(true, ec);
  if (!s->config_.record_path.empty()) {
    auto w = WavWriter::create(s->config_.record_path);
    if (w) {
      s->recording_ = std::move(w.value());
    } else {
      s->record_error_ = w.error();
      spdlog::warn("media: recording disabled: {}", w.error());
    }
  }
  s->receive();
  return s;
}

RtpSession::~RtpSession() {
  stop();
  if (ports_) ports_->release(port_);
}

void RtpSession::stop() {
  running_ = false;
  timers_.cancel(timer_);
  timer_ = 0;
  std::error_code ec;
  socket_.close(ec);
  recording_.reset();
}

void RtpSession::start(const asio::ip::udp::endpoint& remote) {
  remote_ = remote;
  if (running_ || !socket_.is_open()) return;
  running_ = true;
  start_ = timers_.now();
  tick_ = 0;
  send_one();
  schedule_next();
}

void RtpSession::schedule_next() {
  ++tick_;
  const base::TimePoint due = start_ + tick_ * kPacketInterval;
  std::weak_ptr<RtpSession> weak = weak_from_this();
  timer_ = timers_.schedule_at(due, [weak, due] {
    auto self = weak.lock();
    if (!self || !self->running_) return;
    self->send_jitter_.add(
        std::chrono::duration_cast<std::chrono::microseconds>(self->timers_.now() - due));
    self->send_one();
    self->schedule_next();
  });
}

void RtpSession::send_one() {
  std::array<std::int16_t, kSamplesPerPacket> pcm{};
  const Samples* src = config_.source.get();
  if (src && !src->empty()) {
    for (auto& sample : pcm) {
      sample = (*src)[source_pos_];
      source_pos_ = (source_pos_ + 1) % src->size();
    }
  }
  std::array<std::uint8_t, kSamplesPerPacket> payload{};
  g711_encode(config_.codec, pcm, payload);
  RtpHeader h{counters_.packets_sent == 0, static_cast<std::uint8_t>(config_.payload_type),
              sequence_, timestamp_, config_.ssrc};
  ++sequence_;
  timestamp_ += kSamplesPerPacket;  // the timestamp runs on through hold (RFC 3550 §5.1)
  if (!sending_) return;
  std::array<std::uint8_t, kRtpHeaderBytes + kSamplesPerPacket> packet{};
  const std::size_t n = encode_rtp(h, payload, packet);
  std::error_code ec;
  socket_.send_to(asio::buffer(packet.data(), n), remote_, 0, ec);
  if (ec) {
    ++counters_.send_errors;
    return;
  }
  ++counters_.packets_sent;
  counters_.bytes_sent += n;
}

void RtpSession::receive() {
  // Weak: the owner alone keeps the session alive; closing the socket in the destructor cancels
  // the read, whose handler then finds no session and returns.
  std::weak_ptr<RtpSession> weak = weak_from_this();
  socket_.async_receive_from(
      asio::buffer(buffer_), from_, [weak](const std::error_code& ec, std::size_t n) {
        auto self = weak.lock();
        if (!self || ec == asio::error::operation_aborted || !self->socket_.is_open()) return;
        if (!ec) self->on_datagram(n, self->from_);
        self->receive();
      });
}

void RtpSession::on_datagram(std::size_t n, const asio::ip::udp::endpoint& from) {
  auto packet = decode_rtp(std::span<const std::uint8_t>(buffer_.data(), n));
  const bool dtmf = packet && config_.telephone_event_pt &&
                    packet->header.payload_type == *config_.telephone_event_pt;
  if (!packet || (!dtmf && packet->header.payload_type != config_.payload_type)) {
    ++counters_.junk;
    return;
  }
  const auto now = timers_.now();
  if (!counters_.first_packet) counters_.first_packet = now;
  ++counters_.packets_received;
  counters_.bytes_received += n;
  remote_ = from;  // symmetric RTP: answer where the packets come from
  receive_.on_packet(packet->header.sequence, packet->header.timestamp, now, !dtmf);
  if (dtmf) {
    dtmf_.on_event(packet->header.timestamp, packet->payload);
    return;
  }
  if (recording_) {
    std::array<std::int16_t, 1024> pcm{};
    const auto samples = std::min(packet->payload.size(), pcm.size());
    g711_decode(config_.codec, packet->payload.first(samples), pcm);
    recording_->write(std::span<const std::int16_t>(pcm.data(), samples));
  }
}

}  // namespace sipline::media
