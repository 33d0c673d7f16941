// One RTP session (RFC 3550) on the single loop: a UDP socket on an even port of the allocator's
// range (RTCP's port + 1 stays reserved, RTCP is not sent), 20 ms G.711 packets paced on an
// absolute schedule (start + k * 20 ms, so lateness never accumulates), from a looped source or
// silence; symmetric RTP; received audio decoded into an optional WAV recording; RFC 4733 events
// counted; junk datagrams counted and dropped. Knows nothing of SIP.
#pragma once
#include <array>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <memory>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "base/timers.hpp"
#include "media/audio_file.hpp"
#include "media/offer_answer.hpp"
#include "media/port_allocator.hpp"
#include "media/rtp_stats.hpp"
#include "media/send_jitter.hpp"

namespace sipline::media {

struct RtpSessionConfig {
  Codec codec = Codec::kPcmu;
  int payload_type = kPcmuPt;                                 // sent and accepted
  std::optional<int> telephone_event_pt = kTelephoneEventPt;  // accepted as DTMF
  std::shared_ptr<const Samples> source;                      // looped; null: silence
  std::string record_path;                                    // empty: no recording
  std::uint32_t ssrc = 0;
  std::uint16_t first_sequence = 0;
  std::uint32_t first_timestamp = 0;
};

struct RtpCounters {
  std::uint64_t packets_sent = 0, bytes_sent = 0, send_errors = 0;
  std::uint64_t packets_received = 0, bytes_received = 0;
  std::uint64_t junk = 0;  // not RTP v2, unknown payload type, too short
  std::optional<base::TimePoint> first_packet;
};

class RtpSession : public std::enable_shared_from_this<RtpSession> {
 public:
  // Binds the first free even port of `ports` on `bind` (tries each port once).
  static base::Result<std::shared_ptr<RtpSession>, std::string> open(asio::io_context& io,
                                                                     base::TimerService& timers,
                                                                     PortAllocator& ports,
                                                                     const asio::ip::address& bind,
                                                                     RtpSessionConfig config);
  ~RtpSession();
  RtpSession(const RtpSession&) = delete;
  RtpSession& operator=(const RtpSession&) = delete;

  std::uint16_t port() const { return port_; }
  // Where to send until packets arrive (then to their source). Starts the 20 ms pacing.
  void start(const asio::ip::udp::endpoint& remote);
  // The codec the answer chose (before start(); the session opens before the answer is known).
  void set_codec(Codec codec, int payload_type, std::optional<int> telephone_event_pt) {
    config_.codec = codec;
    config_.payload_type = payload_type;
    config_.telephone_event_pt = telephone_event_pt;
  }
  // Hold and resume: pacing continues on schedule, packets are just not sent.
  void set_sending(bool on) { sending_ = on; }
  // Closes the socket and stops pacing; the recording is closed. Idempotent.
  void stop();

  const RtpCounters& counters() const { return counters_; }
  const ReceiveStats& receive_stats() const { return receive_; }
  const DtmfCounter& dtmf() const { return dtmf_; }
  DtmfCounter& dtmf() { return dtmf_; }
  const SendJitter& send_jitter() const { return send_jitter_; }
  asio::ip::udp::endpoint remote() const { return remote_; }
  std::string record_error() const { return record_error_; }

 private:
  RtpSession(asio::io_context& io, base::TimerService& timers, RtpSessionConfig config);
  void receive();
  void on_datagram(std::size_t n, const asio::ip::udp::endpoint& from);
  void schedule_next();
  void send_one();

  base::TimerService& timers_;
  RtpSessionConfig config_;
  asio::ip::udp::socket socket_;
  PortAllocator* ports_ = nullptr;
  std::uint16_t port_ = 0;
  asio::ip::udp::endpoint remote_, from_;
  bool running_ = false, sending_ = true;
  base::TimePoint start_;
  std::uint64_t tick_ = 0;
  base::TimerId timer_ = 0;
  std::size_t source_pos_ = 0;
  std::uint16_t sequence_;
  std::uint32_t timestamp_;
  RtpCounters counters_;
  ReceiveStats receive_;
  DtmfCounter dtmf_;
  SendJitter send_jitter_;
  std::unique_ptr<WavWriter> recording_;
  std::string record_error_;
  std::array<std::uint8_t, 2048> buffer_{};
};

}  // namespace sipline::media
