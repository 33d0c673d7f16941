// Hard limits: each has its own error code, in Message::parse and in next_frame; a message
// exactly at a limit passes.
#include <gtest/gtest.h>

#include <string>

#include "msg/framer.hpp"
#include "msg/message.hpp"

using namespace sipline::msg;
using Code = ParseErrorCode;

namespace {

// A request with `headers` extra header lines "X-N: <value_len bytes>" and a body.
std::string make(std::size_t headers, std::size_t value_len, std::size_t body_len = 0) {
  std::string s = "OPTIONS sip:a@example.com SIP/2.0\r\n";
  for (std::size_t i = 0; i < headers; ++i) {
    s += "X-" + std::to_string(i) + ": " + std::string(value_len, 'v') + "\r\n";
  }
  s += "Content-Length: " + std::to_string(body_len) + "\r\n\r\n" + std::string(body_len, 'b');
  return s;
}

std::size_t header_section(const std::string& s) {
  return s.find("\r\n\r\n") + 4;
}

struct Case {
  const char* name;
  Limits limits;
  std::string message;
  std::optional<Code> code;  // nullopt: must pass
};

std::vector<Case> cases() {
  std::vector<Case> out;
  Limits l;
  // Header section bytes (start line + headers + empty line).
  const std::string small = make(3, 10);
  l = {};
  l.max_header_bytes = header_section(small);
  out.push_back({"header_bytes_at_limit", l, small, std::nullopt});
  l.max_header_bytes = header_section(small) - 1;
  out.push_back({"header_bytes_over", l, small, Code::kHeaderSectionTooLarge});
  // Header count.
  l = {};
  l.max_headers = 4;  // 3 X- headers + Content-Length
  out.push_back({"headers_at_limit", l, small, std::nullopt});
  l.max_headers = 3;
  out.push_back({"headers_over", l, small, Code::kTooManyHeaders});
  // Line length (without CRLF): "X-0: " + 10 bytes = 15.
  l = {};
  l.max_line_bytes = 33;  // the start line is the longest line (33 bytes)
  out.push_back({"line_at_limit", l, small, std::nullopt});
  l.max_line_bytes = 32;
  out.push_back({"line_over", l, small, Code::kLineTooLong});
  const std::string long_line = make(1, 5000);
  out.push_back({"default_line_over", Limits{}, long_line, Code::kLineTooLong});
  // Content-Length.
  const std::string body = make(1, 1, 100);
  l = {};
  l.max_content_length = 100;
  out.push_back({"content_length_at_limit", l, body, std::nullopt});
  l.max_content_length = 99;
  out.push_back({"content_length_over", l, body, Code::kContentLengthTooLarge});
  std::string huge = make(0, 0);
  huge.replace(huge.find("Content-Length: 0"), 17, "Content-Length: 99999999999999999999999");
  out.push_back({"content_length_huge", Limits{}, huge, Code::kContentLengthTooLarge});
  // Defaults: 200 headers is too many, a 20 KB header section too large.
  out.push_back({"default_headers_over", Limits{}, make(200, 1), Code::kTooManyHeaders});
  out.push_back({"default_bytes_over", Limits{}, make(100, 200), Code::kHeaderSectionTooLarge});
  return out;
}

}  // namespace

TEST(Limits, ParseHasOneCodePerLimit) {
  for (const Case& c : cases()) {
    auto m = Message::parse(c.message, c.limits);
    if (!c.code) {
      EXPECT_TRUE(m.ok()) << c.name << ": " << describe(m.error().code);
      continue;
    }
    ASSERT_FALSE(m.ok()) << c.name;
    EXPECT_EQ(m.error().code, *c.code) << c.name << ": " << describe(m.error().code);
    EXPECT_LE(m.error().offset, c.message.size()) << c.name;
  }
}

TEST(Limits, FramerHasOneCodePerLimit) {
  for (const Case& c : cases()) {
    if (c.code == Code::kTooManyHeaders || (!c.code && c.limits.max_headers != 128)) {
      continue;  // the framer does not count headers; parse() does
    }
    const Frame f = next_frame(c.message, c.limits);
    if (!c.code) {
      EXPECT_EQ(f.kind, Frame::Kind::kMessage) << c.name << ": " << describe(f.error.code);
      EXPECT_EQ(f.size, c.message.size()) << c.name;
      continue;
    }
    EXPECT_EQ(f.kind, Frame::Kind::kError) << c.name;
    EXPECT_EQ(f.error.code, *c.code) << c.name << ": " << describe(f.error.code);
  }
}

TEST(Limits, FramerGivesUpOnEndlessHeaders) {
  // No empty line ever comes: once max_header_bytes are buffered it is an error, before that
  // the framer waits.
  Limits l;
  l.max_header_bytes = 1024;
  std::string s = "OPTIONS sip:a@example.com SIP/2.0\r\n";
  while (s.size() < 1023) s += "X: y\r\n";
  s.resize(1023);
  EXPECT_EQ(next_frame(s, l).kind, Frame::Kind::kNeedMore);
  s += "z";
  const Frame f = next_frame(s, l);
  EXPECT_EQ(f.kind, Frame::Kind::kError);
  EXPECT_EQ(f.error.code, Code::kHeaderSectionTooLarge);
  // A single line without end longer than max_line_bytes is an error right away.
  std::string line = "OPTIONS sip:a@example.com SIP/2.0\r\nX: " + std::string(5000, 'a');
  EXPECT_EQ(next_frame(line).error.code, Code::kLineTooLong);
}

TEST(Limits, EveryErrorNamesItsReason) {
  for (const Case& c : cases()) {
    if (!c.code) continue;
    EXPECT_FALSE(describe(*c.code).empty());
  }
  EXPECT_EQ(describe(Code::kHeaderSectionTooLarge), "header section too large");
  EXPECT_EQ(describe(Code::kTooManyHeaders), "too many headers");
  EXPECT_EQ(describe(Code::kLineTooLong), "line too long");
  EXPECT_EQ(describe(Code::kContentLengthTooLarge), "Content-Length too large");
}
