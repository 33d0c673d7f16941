#include "media/rtp_stats.hpp"

#include <cstdlib>

namespace sipline::media {

namespace {
constexpr std::uint16_t kMaxDropout = 3000;
constexpr std::uint16_t kMaxMisorder = 100;
constexpr std::uint32_t kSeqMod = 1u << 16;
constexpr int kMinSequential = 2;
}  // namespace

void ReceiveStats::init_seq(std::uint16_t seq) {
  base_seq_ = seq;
  max_seq_ = seq;
  bad_seq_ = kSeqMod + 1;  // so seq == bad_seq is false
  cycles_ = 0;
  received_ = 0;
}

// RFC 3550 A.1, as written there.
bool ReceiveStats::update_seq(std::uint16_t seq) {
  const std::uint16_t udelta = static_cast<std::uint16_t>(seq - max_seq_);
  if (probation_ > 0) {
    if (seq == static_cast<std::uint16_t>(max_seq_ + 1)) {
      --probation_;
      max_seq_ = seq;
      if (probation_ == 0) {
        init_seq(seq);
        ++received_;
        return true;
      }
    } else {
      probation_ = kMinSequential - 1;
      max_seq_ = seq;
    }
    return false;
  }
  if (udelta < kMaxDropout) {
    if (seq < max_seq_) cycles_ += kSeqMod;  // wrapped
    max_seq_ = seq;
  } else if (udelta <= kSeqMod - kMaxMisorder) {
    if (seq == bad_seq_) {
      init_seq(seq);  // two sequential packets after a jump: the source restarted
    } else {
      bad_seq_ = (seq + 1u) & (kSeqMod - 1);
      return false;
    }
  }  // else duplicate or reordered: counted below
  ++received_;
  return true;
}

void ReceiveStats::update_jitter(std::uint32_t rtp_ts, base::TimePoint arrival) {
  if (!epoch_) epoch_ = arrival;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(arrival - *epoch_).count();
  const std::int64_t arrival_units = us * clock_rate_hz_ / 1000000;
  const std::int64_t transit = arrival_units - static_cast<std::int64_t>(rtp_ts);
  if (last_transit_) {
    std::int64_t d = std::llabs(transit - *last_transit_);
    // The 32-bit timestamp wraps; a difference that large is a restart, not jitter.
    if (d < (1ll << 31)) {
      jitter_ += static_cast<std::uint32_t>(d) - ((jitter_ + 8) >> 4);
    }
  }
  last_transit_ = transit;
}

bool ReceiveStats::on_packet(std::uint16_t seq, std::uint32_t rtp_ts, base::TimePoint arrival,
                             bool timed) {
  if (!started_) {
    started_ = true;
    init_seq(seq);
    max_seq_ = static_cast<std::uint16_t>(seq - 1);
    probation_ = kMinSequential;
  }
  if (!update_seq(seq)) return false;
  if (timed) update_jitter(rtp_ts, arrival);
  return true;
}

std::uint64_t ReceiveStats::expected() const {
  if (!started_ || probation_ > 0) return 0;
  return std::uint64_t(extended_max()) - base_seq_ + 1;
}

std::uint64_t ReceiveStats::lost() const {
  const auto e = expected();
  return e > received_ ? e - received_ : 0;
}

char dtmf_digit(int event) {
  static constexpr char kDigits[] = "0123456789*#ABCD";
  return event >= 0 && event < 16 ? kDigits[event] : '?';
}

std::optional<char> DtmfCounter::on_event(std::uint32_t rtp_ts,
                                          std::span<const std::uint8_t> payload) {
  if (payload.size() < 4) return std::nullopt;
  const bool end = payload[1] & 0x80;
  if (!end || last_ended_ts_ == rtp_ts) return std::nullopt;
  last_ended_ts_ = rtp_ts;
  const char d = dtmf_digit(payload[0]);
  add(d);
  return d;
}

void DtmfCounter::add(char digit) {
  ++count_;
  digits_ += digit;
  if (digits_.size() > 64) digits_.erase(0, digits_.size() - 64);
}

}  // namespace sipline::media
