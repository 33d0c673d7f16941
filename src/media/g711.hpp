// G.711 µ-law/A-law through spandsp: a packaged, widely reviewed implementation (the same code
// Asterisk and FreeSWITCH rely on) instead of a private table, and the library that will give
// us the other spandsp pieces (tone detection, PLC) without another dependency.
#pragma once
#include <cstdint>
#include <span>

#include "media/offer_answer.hpp"

namespace sipline::media {

// Encodes `pcm` into `out` (one byte per sample; out.size() >= pcm.size()).
void g711_encode(Codec codec, std::span<const std::int16_t> pcm, std::span<std::uint8_t> out);
// Decodes `in` into `pcm` (pcm.size() >= in.size()).
void g711_decode(Codec codec, std::span<const std::uint8_t> in, std::span<std::int16_t> pcm);

}  // namespace sipline::media
