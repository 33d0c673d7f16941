#include "media/g711.hpp"

// spandsp headers need this order (telephony.h first, then bit_operations.h for top_bit).
// clang-format off
#include <spandsp/telephony.h>
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>
// clang-format on

namespace sipline::media {

void g711_encode(Codec codec, std::span<const std::int16_t> pcm, std::span<std::uint8_t> out) {
  for (std::size_t i = 0; i < pcm.size() && i < out.size(); ++i)
    out[i] = codec == Codec::kPcmu ? linear_to_ulaw(pcm[i]) : linear_to_alaw(pcm[i]);
}

void g711_decode(Codec codec, std::span<const std::uint8_t> in, std::span<std::int16_t> pcm) {
  for (std::size_t i = 0; i < in.size() && i < pcm.size(); ++i)
    pcm[i] = codec == Codec::kPcmu ? ulaw_to_linear(in[i]) : alaw_to_linear(in[i]);
}

}  // namespace sipline::media
