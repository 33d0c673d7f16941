// Receive-side statistics of one RTP source (RFC 3550 appendix A.1, A.3, A.8) and the RFC 4733
// telephone-event digit counter. Pure: arrival times are given, so tests use a virtual clock.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/timers.hpp"

namespace sipline::media {

// Sequence tracking (A.1) with loss (A.3) and interarrival jitter (A.8).
class ReceiveStats {
 public:
  explicit ReceiveStats(int clock_rate_hz = 8000) : clock_rate_hz_(clock_rate_hz) {}
  // One packet's sequence number and timestamp at its arrival time. Returns false when the
  // packet is rejected by the sequence check (probation, or a large jump not yet confirmed).
  // `timed` false (RFC 4733 events: their timestamp is the event's start, repeated) leaves the
  // jitter estimate alone.
  bool on_packet(std::uint16_t seq, std::uint32_t rtp_ts, base::TimePoint arrival,
                 bool timed = true);

  std::uint64_t received() const { return received_; }
  // Extended highest sequence number received (cycles << 16 | max_seq).
  std::uint32_t extended_max() const { return cycles_ + max_seq_; }
  std::uint64_t expected() const;
  // Cumulative lost packets (expected - received; negative with duplicates, floored at 0).
  std::uint64_t lost() const;
  double jitter_ms() const { return jitter_ / 16.0 * 1000.0 / clock_rate_hz_; }

 private:
  void init_seq(std::uint16_t seq);
  bool update_seq(std::uint16_t seq);
  void update_jitter(std::uint32_t rtp_ts, base::TimePoint arrival);

  int clock_rate_hz_;
  bool started_ = false;
  std::uint16_t max_seq_ = 0;
  std::uint32_t cycles_ = 0;
  std::uint32_t base_seq_ = 0;
  std::uint32_t bad_seq_ = 0;
  int probation_ = 0;
  std::uint64_t received_ = 0;
  // A.8: jitter scaled by 16 in timestamp units; transit of the previous packet.
  std::uint32_t jitter_ = 0;
  std::optional<std::int64_t> last_transit_;
  std::optional<base::TimePoint> epoch_;
};

// RFC 4733 events: one digit per event (identified by its RTP timestamp), counted on the first
// packet with the end bit; retransmitted end packets are not counted again.
class DtmfCounter {
 public:
  // Feeds one telephone-event payload; returns the digit when this packet completes an event.
  std::optional<char> on_event(std::uint32_t rtp_ts, std::span<const std::uint8_t> payload);
  // A digit signalled another way (SIP INFO application/dtmf-relay), counted the same.
  void add(char digit);
  std::uint64_t count() const { return count_; }
  const std::string& digits() const { return digits_; }

 private:
  std::optional<std::uint32_t> last_ended_ts_;
  std::uint64_t count_ = 0;
  std::string digits_;  // the last 64 digits
};

char dtmf_digit(int event);  // 0-9 * # A-D, '?' for others

}  // namespace sipline::media
