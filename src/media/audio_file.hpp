// WAV files through libsndfile: the played source (8 kHz mono, 16-bit PCM or G.711; anything
// else is refused with a message naming what was found, never resampled silently) and the
// recording of received audio (8 kHz mono 16-bit PCM, written as it arrives).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace sipline::media {

constexpr int kSampleRateHz = 8000;

using Samples = std::vector<std::int16_t>;
// The whole file as 16-bit samples, or a message for the operator.
base::Result<Samples, std::string> load_wav(const std::string& path);

class WavWriter {
 public:
  static base::Result<std::unique_ptr<WavWriter>, std::string> create(const std::string& path);
  ~WavWriter();
  WavWriter(const WavWriter&) = delete;
  WavWriter& operator=(const WavWriter&) = delete;
  void write(std::span<const std::int16_t> pcm);
  std::uint64_t samples_written() const { return written_; }

 private:
  explicit WavWriter(void* file) : file_(file) {}
  void* file_;  // SNDFILE*
  std::uint64_t written_ = 0;
};

}  // namespace sipline::media
