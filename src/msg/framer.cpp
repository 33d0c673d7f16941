// Stream framing (RFC 3261 18.3): finds the header end, reads Content-Length, cuts the frame.
#include "msg/framer.hpp"

#include <cstring>

#include "msg/scan.hpp"

namespace sipline::msg {
namespace {

Frame error_frame(ParseErrorCode code, std::size_t offset) {
  Frame f;
  f.kind = Frame::Kind::kError;
  f.error = ParseError{code, offset};
  return f;
}

Frame simple(Frame::Kind kind, std::size_t size) {
  Frame f;
  f.kind = kind;
  f.size = size;
  return f;
}

Frame keep_alive(std::string_view buf) {
  if (buf.size() >= 4 && buf.substr(0, 4) == "\r\n\r\n") return simple(Frame::Kind::kKeepAlive, 4);
  if (buf == "\r\n\r" || buf == "\r") return simple(Frame::Kind::kNeedMore, 0);
  if (buf.substr(0, 2) == "\r\n") return simple(Frame::Kind::kKeepAlive, 2);
  if (buf[0] == '\n') return simple(Frame::Kind::kKeepAlive, 1);
  return error_frame(ParseErrorCode::kBadFraming, 0);
}

// Content-Length state while scanning header lines; the value may be folded.
struct LengthScan {
  bool found = false;
  bool collecting = false;
  std::uint64_t value = 0;
  std::uint64_t current = 0;
  bool any_digit = false;
  std::size_t value_offset = 0;

  // Consumes value bytes of a Content-Length line; returns an error code or kEmpty for ok.
  ParseErrorCode feed(std::string_view v, std::size_t base, const Limits& lim, std::size_t& off) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      const char c = v[i];
      if (detail::is(c, detail::kLws)) {
        if (any_digit && i + 1 < v.size() && !detail::is(v[i + 1], detail::kLws)) {
          off = base + i + 1;
          return ParseErrorCode::kBadContentLength;  // "12 34"
        }
        continue;
      }
      if (!detail::is(c, detail::kDigit)) {
        off = base + i;
        return ParseErrorCode::kBadContentLength;
      }
      any_digit = true;
      current = current * 10 + static_cast<std::uint64_t>(c - '0');
      if (current > lim.max_content_length) {
        off = base + i;
        return ParseErrorCode::kContentLengthTooLarge;
      }
    }
    return ParseErrorCode::kEmpty;
  }

  // Ends a Content-Length header; returns false when it is empty or disagrees with another.
  bool close() {
    collecting = false;
    if (!any_digit || (found && value != current)) return false;
    found = true;
    value = current;
    return true;
  }
};

}  // namespace

Frame next_frame(std::string_view buf, const Limits& lim) {
  if (buf.empty()) return simple(Frame::Kind::kNeedMore, 0);
  if (buf[0] == '\r' || buf[0] == '\n') return keep_alive(buf);
  if (!detail::is(buf[0], detail::kToken)) return error_frame(ParseErrorCode::kBadFraming, 0);
  const std::size_t hdr_limit =
      buf.size() < lim.max_header_bytes ? buf.size() : lim.max_header_bytes;
  const char* b = buf.data();
  LengthScan cl;
  std::size_t pos = 0;
  std::size_t body_start = 0;
  for (;;) {
    const std::size_t line_window = pos + lim.max_line_bytes + 2;
    const std::size_t wend = line_window < hdr_limit ? line_window : hdr_limit;
    const void* p = wend > pos ? std::memchr(b + pos, '\n', wend - pos) : nullptr;
    if (p == nullptr) {
      if (wend == line_window) return error_frame(ParseErrorCode::kLineTooLong, pos);
      if (buf.size() >= lim.max_header_bytes) {
        return error_frame(ParseErrorCode::kHeaderSectionTooLarge, pos);
      }
      return simple(Frame::Kind::kNeedMore, 0);
    }
    const std::size_t nl = static_cast<std::size_t>(static_cast<const char*>(p) - b);
    const std::size_t ce = (nl > pos && b[nl - 1] == '\r') ? nl - 1 : nl;
    if (ce - pos > lim.max_line_bytes) return error_frame(ParseErrorCode::kLineTooLong, pos);
    const std::string_view line(b + pos, ce - pos);
    const bool continuation = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    if (cl.collecting && !continuation && !cl.close()) {
      return error_frame(ParseErrorCode::kBadContentLength, cl.value_offset);
    }
    if (pos != 0 && line.empty()) {
      body_start = nl + 1;
      break;
    }
    std::size_t value_begin = 0;
    if (continuation && cl.collecting) {
      value_begin = 0;
    } else if (pos != 0 && !continuation) {
      const char c = detail::lower(line[0]);
      if (c != 'c' && c != 'l') {
        pos = nl + 1;
        continue;
      }
      const std::size_t ne = detail::scan(line, 0, detail::kToken);
      if (header_id(line.substr(0, ne)) != HeaderId::kContentLength) {
        pos = nl + 1;
        continue;
      }
      std::size_t i = detail::scan(line, ne, detail::kWsp);
      if (i >= line.size() || line[i] != ':') {
        return error_frame(ParseErrorCode::kBadHeaderLine, pos + i);
      }
      value_begin = i + 1;
      cl.collecting = true;
      cl.current = 0;
      cl.any_digit = false;
      cl.value_offset = pos + value_begin;
    } else {
      pos = nl + 1;
      continue;
    }
    std::size_t off = 0;
    const ParseErrorCode code = cl.feed(line.substr(value_begin), pos + value_begin, lim, off);
    if (code != ParseErrorCode::kEmpty) return error_frame(code, off);
    pos = nl + 1;
  }
  if (!cl.found) return error_frame(ParseErrorCode::kMissingHeader, body_start);
  if (cl.value > buf.size() - body_start)
    return simple(Frame::Kind::kNeedMore, body_start + cl.value);
  return simple(Frame::Kind::kMessage, body_start + cl.value);
}

}  // namespace sipline::msg
