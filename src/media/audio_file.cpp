#include "media/audio_file.hpp"

#include <sndfile.h>

namespace sipline::media {

base::Result<Samples, std::string> load_wav(const std::string& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) return base::fail(path + ": " + sf_strerror(nullptr));
  const int major = info.format & SF_FORMAT_TYPEMASK, sub = info.format & SF_FORMAT_SUBMASK;
  std::string problem;
  if (major != SF_FORMAT_WAV) {
    problem = "not a WAV file";
  } else if (info.samplerate != kSampleRateHz || info.channels != 1) {
    problem = std::to_string(info.samplerate) + " Hz, " + std::to_string(info.channels) +
              " channel(s); needs 8000 Hz mono";
  } else if (sub != SF_FORMAT_PCM_16 && sub != SF_FORMAT_ULAW && sub != SF_FORMAT_ALAW) {
    problem = "sample format is not 16-bit PCM, mu-law or A-law";
  } else if (info.frames <= 0 || info.frames > 8000 * 3600) {
    problem = "empty or longer than an hour";
  }
  if (!problem.empty()) {
    sf_close(f);
    return base::fail(path + ": " + problem);
  }
  Samples s(static_cast<std::size_t>(info.frames));
  const auto got = sf_read_short(f, s.data(), static_cast<sf_count_t>(s.size()));
  sf_close(f);
  s.resize(static_cast<std::size_t>(got < 0 ? 0 : got));
  if (s.empty()) return base::fail(path + ": no samples could be read");
  return s;
}

base::Result<std::unique_ptr<WavWriter>, std::string> WavWriter::create(const std::string& path) {
  SF_INFO info{};
  info.samplerate = kSampleRateHz;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!f) return base::fail(path + ": " + sf_strerror(nullptr));
  return std::unique_ptr<WavWriter>(new WavWriter(f));
}

WavWriter::~WavWriter() {
  sf_close(static_cast<SNDFILE*>(file_));
}

void WavWriter::write(std::span<const std::int16_t> pcm) {
  const auto n =
      sf_write_short(static_cast<SNDFILE*>(file_), pcm.data(), static_cast<sf_count_t>(pcm.size()));
  if (n > 0) written_ += static_cast<std::uint64_t>(n);
}

}  // namespace sipline::media
