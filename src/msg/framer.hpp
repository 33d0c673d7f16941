// Stream framing for TCP/TLS (RFC 3261 §18.3): messages are cut by Content-Length;
// CRLF keep-alives (RFC 5626 §3.5.1 "ping" CRLFCRLF and "pong" CRLF) between messages are
// reported and skipped.
#pragma once
#include <cstddef>
#include <string_view>

#include "msg/errors.hpp"
#include "msg/message.hpp"

namespace sipline::msg {

struct Frame {
  enum class Kind : std::uint8_t {
    kMessage,    // bytes [0, size) are one whole message
    kKeepAlive,  // bytes [0, size) are CRLFs between messages (size 2: pong, 4: ping)
    kNeedMore,   // nothing complete yet; size: the frame's whole size once its headers are in, else
                 // 0
    kError       // the stream cannot be resynchronised; close the connection
  };
  Kind kind = Kind::kNeedMore;
  std::size_t size = 0;
  ParseError error{ParseErrorCode::kBadFraming, 0};
};

// Looks at the start of the buffered stream and says what comes first. Stateless: call it
// again with the remaining bytes after consuming `size`. Never reads past `buffered`.
Frame next_frame(std::string_view buffered, const Limits& limits = {});

}  // namespace sipline::msg
