// libFuzzer target: untrusted bytes as a TCP stream through next_frame(). Frames must make
// progress and stay in bounds, keep-alives are 1, 2 or 4 bytes, every prefix of a message
// frame says kNeedMore (naming the frame's size once its headers are in), and a message frame goes
// through Message::parse without crashing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_require.hpp"
#include "msg/framer.hpp"
#include "msg/message.hpp"

using namespace sipline::msg;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string stream(reinterpret_cast<const char*>(data), size);
  Limits limits;
  if (size > 0 && (data[0] & 1)) {  // sometimes tight limits, so they are hit too
    limits.max_header_bytes = 256;
    limits.max_line_bytes = 64;
    limits.max_content_length = 128;
  }
  std::string_view rest = stream;
  for (int frames = 0; frames < 64 && !rest.empty(); ++frames) {
    const Frame f = next_frame(rest, limits);
    switch (f.kind) {
      case Frame::Kind::kNeedMore:
        // 0 until the headers are in, then the whole frame's size: more than is buffered.
        require(f.size == 0 || f.size > rest.size());
        return 0;
      case Frame::Kind::kError:
        require(f.error.offset <= rest.size() && !describe(f.error.code).empty());
        return 0;
      case Frame::Kind::kKeepAlive:
        require(f.size == 1 || f.size == 2 || f.size == 4);
        require(f.size <= rest.size());
        break;
      case Frame::Kind::kMessage: {
        require(f.size > 0 && f.size <= rest.size());
        // Split points taken from the data: the prefix is never complete.
        for (std::size_t i = 0; i < 8; ++i) {
          const std::size_t k =
              i < size ? (static_cast<std::size_t>(data[i]) * 257 + i) % f.size : i % f.size;
          const Frame p = next_frame(rest.substr(0, k), limits);
          require(p.kind == Frame::Kind::kNeedMore);
          require(p.size == 0 || p.size == f.size);
        }
        require(next_frame(rest.substr(0, f.size), limits).size == f.size);
        auto m = Message::parse(std::string(rest.substr(0, f.size)), limits);
        if (m) require(m->serialize() == m->raw());
        break;
      }
    }
    rest.remove_prefix(f.size);
  }
  return 0;
}
