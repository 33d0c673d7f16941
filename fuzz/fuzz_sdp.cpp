// libFuzzer target: untrusted SDP bodies through the parser and offer/answer. Nothing may crash;
// whatever parses writes back to text that parses to the same text again, and our answer to it
// parses as well.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_require.hpp"
#include "media/offer_answer.hpp"
#include "media/sdp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipline::media;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto sd = parse_sdp(text);
  if (!sd) {
    require(sd.error().offset <= size);
    return 0;
  }
  // The writer may add a t= line: re-read without the input limits.
  const SdpLimits roomy{1 << 20, 1 << 16, 1 << 10, 1 << 10};
  const std::string once = write_sdp(sd.value());
  auto again = parse_sdp(once, roomy);
  require(again.ok());
  require(write_sdp(again.value()) == once);

  LocalMedia local;
  local.address = Connection{false, "127.0.0.1"};
  local.port = 20000;
  if (auto answer = answer_offer(sd.value(), local)) {
    auto parsed = parse_sdp(write_sdp(answer->sdp), roomy);
    require(parsed.ok());
    require(read_answer(parsed.value()).ok());
  }
  (void)read_answer(sd.value());
  return 0;
}
