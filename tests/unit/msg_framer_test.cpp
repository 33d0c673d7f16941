// next_frame(): Content-Length framing, keep-alives, partial input, every split offset.
#include <gtest/gtest.h>

#include "msg/framer.hpp"
#include "msg/message.hpp"
#include "msg_test_util.hpp"

using namespace sipline::msg;
using sipline::msg::testing::crlf;
using sipline::msg::testing::examples_dir;
using sipline::msg::testing::files_in;
using sipline::msg::testing::load_file;
using sipline::msg::testing::rfc4475_dir;
using Kind = Frame::Kind;

namespace {

// Feeds every prefix of `bytes`: each shorter than the first frame must say kNeedMore (with
// no size, or the frame's own size once the headers are in); the whole buffer gives the same
// frame as a one-shot call.
void expect_split_invariant(const std::string& bytes, const std::string& label) {
  const Frame whole = next_frame(bytes);
  if (whole.kind != Kind::kMessage) return;
  for (std::size_t k = 0; k < whole.size; ++k) {
    const Frame f = next_frame(std::string_view(bytes).substr(0, k));
    ASSERT_EQ(f.kind, Kind::kNeedMore) << label << " split at " << k;
    if (f.size != 0) {
      ASSERT_EQ(f.size, whole.size) << label << " split at " << k;
    }
  }
  // The rest arrives: the buffer now holds prefix + rest == bytes.
  const Frame again = next_frame(bytes);
  EXPECT_EQ(again.kind, Kind::kMessage);
  EXPECT_EQ(again.size, whole.size);
}

}  // namespace

TEST(Framer, CutsByContentLength) {
  const std::string a = crlf("OPTIONS sip:a@b SIP/2.0\nl: 3\n\nabc");
  const std::string b = crlf("SIP/2.0 200 OK\ncontent-length: 0\n\n");
  const std::string stream = a + "\r\n\r\n" + b + "\r\n";
  std::string_view rest = stream;
  std::vector<std::pair<Kind, std::size_t>> seen;
  while (!rest.empty()) {
    const Frame f = next_frame(rest);
    ASSERT_NE(f.kind, Kind::kError);
    ASSERT_NE(f.kind, Kind::kNeedMore);
    seen.emplace_back(f.kind, f.size);
    rest.remove_prefix(f.size);
  }
  const std::vector<std::pair<Kind, std::size_t>> want = {{Kind::kMessage, a.size()},
                                                          {Kind::kKeepAlive, 4},
                                                          {Kind::kMessage, b.size()},
                                                          {Kind::kKeepAlive, 2}};
  EXPECT_EQ(seen, want);
}

TEST(Framer, NeedMoreNamesTheFrameSizeOnceTheHeadersAreIn) {
  const std::string head = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 10\r\n\r\n";
  EXPECT_EQ(next_frame(head.substr(0, 20)).size, 0u);  // headers not in yet
  const auto f = next_frame(head + "abc");
  EXPECT_EQ(f.kind, Kind::kNeedMore);
  EXPECT_EQ(f.size, head.size() + 10);
}

TEST(Framer, KeepAlivePrefixes) {
  EXPECT_EQ(next_frame("").kind, Kind::kNeedMore);
  EXPECT_EQ(next_frame("\r").kind, Kind::kNeedMore);
  EXPECT_EQ(next_frame("\r\n").kind, Kind::kKeepAlive);
  EXPECT_EQ(next_frame("\r\n\r").kind, Kind::kNeedMore);
  EXPECT_EQ(next_frame("\r\n\r\n").size, 4u);
  EXPECT_EQ(next_frame("\r\nINVITE").size, 2u);
  EXPECT_EQ(next_frame("\rX").kind, Kind::kError);
}

TEST(Framer, Errors) {
  struct Row {
    const char* text;
    ParseErrorCode code;
  } rows[] = {
      {"\x01garbage", ParseErrorCode::kBadFraming},
      {"OPTIONS sip:a SIP/2.0\r\nCall-ID: x\r\n\r\n", ParseErrorCode::kMissingHeader},
      {"OPTIONS sip:a SIP/2.0\r\nl: -1\r\n\r\n", ParseErrorCode::kBadContentLength},
      {"OPTIONS sip:a SIP/2.0\r\nl: 1 2\r\n\r\n", ParseErrorCode::kBadContentLength},
      {"OPTIONS sip:a SIP/2.0\r\nl:\r\n\r\n", ParseErrorCode::kBadContentLength},
      {"OPTIONS sip:a SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\n",
       ParseErrorCode::kBadContentLength},
      {"OPTIONS sip:a SIP/2.0\r\nl: 99999999999\r\n\r\n", ParseErrorCode::kContentLengthTooLarge},
  };
  for (const Row& r : rows) {
    const Frame f = next_frame(r.text);
    EXPECT_EQ(f.kind, Kind::kError) << r.text;
    EXPECT_EQ(f.error.code, r.code) << r.text << ": " << describe(f.error.code);
  }
}

TEST(Framer, FoldedContentLength) {
  const std::string m = "OPTIONS sip:a SIP/2.0\r\nContent-Length:\r\n  2\r\n\r\nab";
  const Frame f = next_frame(m);
  EXPECT_EQ(f.kind, Kind::kMessage);
  EXPECT_EQ(f.size, m.size());
}

TEST(Framer, SplitAtEveryOffsetExamples) {
  for (const auto& p : files_in(examples_dir())) {
    const std::string bytes = load_file(p);
    const Frame f = next_frame(bytes);
    ASSERT_EQ(f.kind, Kind::kMessage) << p;
    EXPECT_EQ(f.size, bytes.size()) << p;
    expect_split_invariant(bytes, p.filename().string());
    auto m = Message::parse(bytes.substr(0, f.size));
    EXPECT_TRUE(m.ok()) << p;
  }
}

TEST(Framer, SplitAtEveryOffsetRfc4475) {
  for (const auto& p : files_in(rfc4475_dir())) {
    expect_split_invariant(load_file(p), p.filename().string());
  }
}
