// MessageWriter, response_to, formatters; parse -> write -> parse round trips.
#include <gtest/gtest.h>

#include "msg/message.hpp"
#include "msg/writer.hpp"
#include "msg_test_util.hpp"

using namespace sipline::msg;
using sipline::msg::testing::crlf;
using sipline::msg::testing::examples_dir;
using sipline::msg::testing::files_in;
using sipline::msg::testing::load_file;
using sipline::msg::testing::rfc4475_dir;

TEST(Writer, BuildsARequest) {
  std::string s = MessageWriter::request("OPTIONS", "sip:a@example.com")
                      .header(HeaderId::kVia, "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1")
                      .header(HeaderId::kMaxForwards, std::uint64_t{70})
                      .header("X-Thing", "yes")
                      .finish("hello", "text/plain");
  EXPECT_EQ(s, crlf("OPTIONS sip:a@example.com SIP/2.0\n"
                    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\n"
                    "Max-Forwards: 70\n"
                    "X-Thing: yes\n"
                    "Content-Type: text/plain\n"
                    "Content-Length: 5\n"
                    "\n") +
                   "hello");
  auto m = Message::parse(s);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->body(), "hello");
  EXPECT_EQ(m->uint_header(HeaderId::kMaxForwards), 70u);
}

TEST(Writer, ResponseToCopiesDialogHeaders) {
  auto req = Message::parse(crlf(
      "INVITE sip:b@example.com SIP/2.0\n"
      "v: SIP/2.0/UDP p.example.com;branch=z9hG4bK2, SIP/2.0/UDP a.example.com;branch=z9hG4bK1\n"
      "Via: SIP/2.0/TCP c.example.com;branch=z9hG4bK0\n"
      "f: <sip:a@example.com>;tag=aa\n"
      "t: <sip:b@example.com>\n"
      "i: cid@x\n"
      "CSeq: 1 INVITE\n"
      "l: 0\n\n"));
  ASSERT_TRUE(req.ok());
  std::string s = response_to(*req, 180, reason_phrase(180), "bb").finish();
  EXPECT_EQ(s, crlf("SIP/2.0 180 Ringing\n"
                    "Via: SIP/2.0/UDP p.example.com;branch=z9hG4bK2, SIP/2.0/UDP "
                    "a.example.com;branch=z9hG4bK1\n"
                    "Via: SIP/2.0/TCP c.example.com;branch=z9hG4bK0\n"
                    "From: <sip:a@example.com>;tag=aa\n"
                    "To: <sip:b@example.com>;tag=bb\n"
                    "Call-ID: cid@x\n"
                    "CSeq: 1 INVITE\n"
                    "Content-Length: 0\n\n"));
  auto resp = Message::parse(s);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->to()->tag(), "bb");
  EXPECT_EQ(resp->vias()->size(), 3u);
  // A To that already has a tag keeps it.
  auto resp2 = Message::parse(response_to(*resp, 200, "OK", "cc").finish());
  ASSERT_TRUE(resp2.ok());
  EXPECT_EQ(resp2->to()->tag(), "bb");
}

TEST(Writer, Formatters) {
  auto u = parse_uri("sips:alice:pw@[2001:db8::1]:5061;transport=tcp;lr?subject=hi&x=%20");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(format_uri(*u), u->text);
  EXPECT_EQ(format_name_addr("Bob \"B\"", "sip:b@h", ";tag=1"),
            "\"Bob \\\"B\\\"\" <sip:b@h>;tag=1");
  EXPECT_EQ(format_name_addr("", "sip:b@h"), "<sip:b@h>");
  Params ps{{"expires", "60", true}, {"lr", "", false}, {"+sip.instance", "<urn:x>", true}};
  EXPECT_EQ(format_params(ps), ";expires=60;lr;+sip.instance=\"<urn:x>\"");
  EXPECT_EQ(reason_phrase(401), "Unauthorized");
  EXPECT_EQ(reason_phrase(299), "");
}

// Round trip: every accepted message serializes to its own bytes, and rebuilding it header by
// header with the writer (names and values as parsed) gives a message that parses the same.
TEST(RoundTrip, ByteForByte) {
  std::vector<std::filesystem::path> all = files_in(examples_dir());
  for (const auto& p : files_in(rfc4475_dir())) all.push_back(p);
  int accepted = 0;
  for (const auto& p : all) {
    const std::string bytes = load_file(p);
    auto m = Message::parse(bytes);
    if (!m.ok()) continue;
    ++accepted;
    EXPECT_EQ(m->serialize(), m->raw()) << p;
    EXPECT_EQ(bytes.substr(0, m->raw().size()), m->raw()) << p;
    auto again = Message::parse(m->serialize());
    ASSERT_TRUE(again.ok()) << p;
    EXPECT_EQ(again->headers().size(), m->headers().size());
  }
  EXPECT_GE(accepted, 6);
}

TEST(RoundTrip, WriterReproducesCanonicalExamples) {
  for (const auto& p : files_in(examples_dir())) {
    const std::string bytes = load_file(p);
    auto m = Message::parse(bytes);
    ASSERT_TRUE(m.ok()) << p;
    MessageWriter w = m->is_request() ? MessageWriter::request(m->method(), m->request_uri())
                                      : MessageWriter::response(m->status_code(), m->reason());
    std::string_view ctype;
    for (const HeaderField& h : m->headers()) {
      if (h.id == HeaderId::kContentLength) continue;
      if (h.id == HeaderId::kContentType) {
        ctype = h.value;
        continue;
      }
      w.header(h.name, h.value);
    }
    EXPECT_EQ(w.finish(m->body(), ctype), bytes) << p;
  }
}
