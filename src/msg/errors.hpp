// Parse errors: each names its reason and the byte offset where parsing stopped.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sipline::msg {

enum class ParseErrorCode : std::uint8_t {
  kEmpty,
  kBadStartLine,
  kBadVersion,
  kBadStatusCode,
  kBadMethod,
  kBadRequestUri,
  kBadHeaderLine,   // no colon, bad header name
  kBadHeaderValue,  // a typed value did not parse
  kMissingHeader,   // a typed accessor needed a header that is absent
  kHeaderSectionTooLarge,
  kTooManyHeaders,
  kLineTooLong,
  kContentLengthTooLarge,
  kBadContentLength,
  kBodyTruncated,  // Content-Length larger than the bytes that follow
  kBadUri,
  kBadParam,
  kBadFraming,       // stream: garbage where a message should start
  kDuplicateHeader,  // Message::check(): a single-valued header appears twice
  kMethodMismatch,   // Message::check(): CSeq method differs from the request method
};

struct ParseError {
  ParseErrorCode code;
  std::size_t offset = 0;  // byte offset into the message (or value) where it failed
};

inline bool operator==(const ParseError& a, const ParseError& b) {
  return a.code == b.code && a.offset == b.offset;
}

// A stable, human-readable name for the code ("header section too large").
std::string_view describe(ParseErrorCode code);

}  // namespace sipline::msg
