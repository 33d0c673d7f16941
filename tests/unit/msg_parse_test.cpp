// Message::parse, header lookup, values(), copies; the example messages.
#include <gtest/gtest.h>

#include "msg/headers.hpp"
#include "msg/message.hpp"
#include "msg_test_util.hpp"

using namespace sipline::msg;
using sipline::msg::testing::crlf;
using sipline::msg::testing::examples_dir;
using sipline::msg::testing::files_in;
using sipline::msg::testing::load_file;

namespace {

Message parse_ok(std::string_view text) {
  auto r = Message::parse(crlf(text));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : describe(r.error().code)) << " at "
                      << (r.ok() ? 0 : r.error().offset);
  return r.ok() ? std::move(r).value() : Message();
}

const char* kRegister =
    "REGISTER sip:example.com SIP/2.0\n"
    "v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport\n"
    "VIA: SIP/2.0/TCP [2001:db8::10]:5070;branch=z9hG4bKdef, SIP/2.0/UDP h.example.com\n"
    "f: \"Al, B\" <sip:al@example.com>;tag=1234\n"
    "t: sip:al@example.com\n"
    "i: abc@192.0.2.1\n"
    "CSEQ: 7 REGISTER\n"
    "m: <sip:al@192.0.2.1>;expires=60, \"x,y\" <sip:a@b;lr>\n"
    "Contact: *\n"
    "X-Custom: one\n"
    "  two\n"
    "l: 0\n"
    "\n";

}  // namespace

TEST(HeaderId, LongCompactAndCase) {
  struct Row {
    const char* name;
    HeaderId id;
  } rows[] = {
      {"Via", HeaderId::kVia},
      {"v", HeaderId::kVia},
      {"V", HeaderId::kVia},
      {"call-id", HeaderId::kCallId},
      {"i", HeaderId::kCallId},
      {"m", HeaderId::kContact},
      {"e", HeaderId::kContentEncoding},
      {"l", HeaderId::kContentLength},
      {"c", HeaderId::kContentType},
      {"o", HeaderId::kEvent},
      {"f", HeaderId::kFrom},
      {"k", HeaderId::kSupported},
      {"t", HeaderId::kTo},
      {"u", HeaderId::kAllowEvents},
      {"r", HeaderId::kReferTo},
      {"s", HeaderId::kSubject},
      {"WWW-AUTHENTICATE", HeaderId::kWwwAuthenticate},
      {"p-preferred-identity", HeaderId::kPPreferredIdentity},
      {"x", HeaderId::kOther},
      {"X-Foo", HeaderId::kOther},
      {"", HeaderId::kOther},
      {"Contacts", HeaderId::kOther},
  };
  for (const Row& r : rows) EXPECT_EQ(header_id(r.name), r.id) << r.name;
  for (int i = 1; i < static_cast<int>(HeaderId::kCount); ++i) {
    const auto id = static_cast<HeaderId>(i);
    EXPECT_EQ(header_id(header_name(id)), id) << header_name(id);
  }
}

TEST(MessageParse, RequestLineAndHeaders) {
  Message m = parse_ok(kRegister);
  EXPECT_TRUE(m.is_request());
  EXPECT_EQ(m.method(), "REGISTER");
  EXPECT_EQ(m.request_uri(), "sip:example.com");
  EXPECT_EQ(m.version(), "SIP/2.0");
  ASSERT_EQ(m.headers().size(), 10u);
  EXPECT_EQ(m.headers()[0].name, "v");
  EXPECT_EQ(m.headers()[0].id, HeaderId::kVia);
  EXPECT_EQ(m.find(HeaderId::kCallId)->value, "abc@192.0.2.1");
  EXPECT_EQ(m.find("call-id")->value, "abc@192.0.2.1");
  EXPECT_EQ(m.find("x-custom")->value, "one\r\n  two");
  EXPECT_EQ(m.find("X-Missing"), nullptr);
  EXPECT_EQ(m.find(HeaderId::kRoute), nullptr);
  EXPECT_EQ(m.call_id(), "abc@192.0.2.1");
  EXPECT_EQ(m.body(), "");
  EXPECT_EQ(m.headers()[1].offset, m.raw().find("VIA:"));
}

TEST(MessageParse, ValuesSplitAtTopLevelCommas) {
  Message m = parse_ok(kRegister);
  auto vias = m.values(HeaderId::kVia);
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(vias[1], "SIP/2.0/TCP [2001:db8::10]:5070;branch=z9hG4bKdef");
  EXPECT_EQ(vias[2], "SIP/2.0/UDP h.example.com");
  auto contacts = m.values(HeaderId::kContact);
  ASSERT_EQ(contacts.size(), 3u);
  EXPECT_EQ(contacts[1], "\"x,y\" <sip:a@b;lr>");
  EXPECT_EQ(contacts[2], "*");
  EXPECT_EQ(m.count_values(HeaderId::kContact), 3u);
  EXPECT_EQ(m.values(HeaderId::kFrom).size(), 1u);  // the comma is quoted
}

TEST(MessageParse, TypedAccessors) {
  Message m = parse_ok(kRegister);
  auto via = m.top_via();
  ASSERT_TRUE(via.ok());
  EXPECT_EQ(via->branch(), "z9hG4bKabc");
  EXPECT_EQ(via->host, "192.0.2.1");
  EXPECT_EQ(via->port, 5060);
  EXPECT_TRUE(via->has_rport());
  EXPECT_FALSE(via->rport().has_value());
  auto vias = m.vias();
  ASSERT_TRUE(vias.ok());
  ASSERT_EQ(vias->size(), 3u);
  EXPECT_EQ((*vias)[1].host, "[2001:db8::10]");
  EXPECT_EQ((*vias)[1].port, 5070);
  EXPECT_EQ((*vias)[1].transport, "TCP");
  auto from = m.from();
  ASSERT_TRUE(from.ok());
  EXPECT_EQ(from->display_name, "Al, B");
  EXPECT_EQ(from->tag(), "1234");
  EXPECT_EQ(from->uri.user, "al");
  auto to = m.to();
  ASSERT_TRUE(to.ok());
  EXPECT_EQ(to->uri.host, "example.com");
  EXPECT_EQ(to->tag(), "");
  auto cseq = m.cseq();
  ASSERT_TRUE(cseq.ok());
  EXPECT_EQ(cseq->seq, 7u);
  EXPECT_EQ(cseq->method, "REGISTER");
  auto contacts = m.contacts();
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 3u);
  EXPECT_EQ((*contacts)[0].expires(), 60u);
  EXPECT_EQ((*contacts)[1].addr.display_name, "x,y");
  EXPECT_EQ((*contacts)[1].addr.uri.param("lr"), "");
  EXPECT_NE(find_param((*contacts)[1].addr.uri.params, "LR"), nullptr);
  EXPECT_TRUE((*contacts)[2].star);
  EXPECT_EQ(m.uint_header(HeaderId::kContentLength), 0u);
  EXPECT_FALSE(m.check().has_value());
}

TEST(MessageParse, Response) {
  Message m = parse_ok(
      "SIP/2.0 180 Ringing\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nContent-Length: 4\n\nabcd");
  EXPECT_TRUE(m.is_response());
  EXPECT_EQ(m.status_code(), 180);
  EXPECT_EQ(m.reason(), "Ringing");
  EXPECT_EQ(m.body(), "abcd");
}

TEST(MessageParse, DatagramWithoutContentLengthTakesTheRest) {
  Message m = parse_ok("MESSAGE sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h\n\nhello");
  EXPECT_EQ(m.body(), "hello");
}

TEST(MessageParse, ExtraBytesAfterTheBodyAreDiscarded) {
  Message m = parse_ok("OPTIONS sip:a@b SIP/2.0\nl: 2\n\nabEXTRA");
  EXPECT_EQ(m.body(), "ab");
  EXPECT_EQ(m.raw().size(), m.raw().find("\r\n\r\n") + 4 + 2);
}

TEST(MessageParse, LeadingCrlfIgnored) {
  auto r = Message::parse("\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method(), "OPTIONS");
}

TEST(MessageParse, BareLfLineEnds) {
  auto r = Message::parse("OPTIONS sip:a@b SIP/2.0\nCall-ID: x\nl: 0\n\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->call_id(), "x");
}

TEST(MessageParse, CopiesAndMovesKeepViewsValid) {
  // Short enough for the small-string buffer: moves copy the bytes and must re-point views.
  auto r = Message::parse("A a:b SIP/2.0\n\n");
  ASSERT_TRUE(r.ok());
  Message a = std::move(r).value();
  Message b = a;
  Message c = std::move(a);
  a = b;
  for (const Message* m : {&a, &b, &c}) {
    EXPECT_EQ(m->method(), "A");
    EXPECT_EQ(m->request_uri(), "a:b");
    EXPECT_GE(m->method().data(), m->raw().data());
    EXPECT_LT(m->method().data(), m->raw().data() + m->raw().size());
  }
  Message big = parse_ok(kRegister);
  Message big2 = big;
  EXPECT_EQ(big2.find(HeaderId::kCallId)->value.data(),
            big2.raw().data() + big2.raw().find("abc@"));
  EXPECT_EQ(big2.serialize(), big2.raw());
}

TEST(MessageParse, Errors) {
  struct Row {
    const char* text;
    ParseErrorCode code;
    std::size_t offset;
  } rows[] = {
      {"", ParseErrorCode::kEmpty, 0},
      {"\r\n\r\n", ParseErrorCode::kEmpty, 0},
      {"OPTIONS\r\n\r\n", ParseErrorCode::kBadStartLine, 7},
      {"OPT(IONS sip:a SIP/2.0\r\n\r\n", ParseErrorCode::kBadMethod, 3},
      {"OPTIONS sip:a SIP/3.0\r\n\r\n", ParseErrorCode::kBadVersion, 14},
      {"OPTIONS sip:a HTTP/1.1\r\n\r\n", ParseErrorCode::kBadStartLine, 14},
      {"SIP/2.0 20 OK\r\n\r\n", ParseErrorCode::kBadStatusCode, 8},
      {"SIP/2.0 2000 OK\r\n\r\n", ParseErrorCode::kBadStatusCode, 8},
      {"SIP/2.0 099 OK\r\n\r\n", ParseErrorCode::kBadStatusCode, 8},
      {"SIP/1.0 200 OK\r\n\r\n", ParseErrorCode::kBadVersion, 0},
      {"OPTIONS <sip:a> SIP/2.0\r\n\r\n", ParseErrorCode::kBadRequestUri, 8},
      {"OPTIONS sip:a\r\nl: 0\r\n\r\n", ParseErrorCode::kBadStartLine, 13},
      {"OPTIONS sip:a SIP/2.0\r\nNoColon\r\n\r\n", ParseErrorCode::kBadHeaderLine, 30},
      {"OPTIONS sip:a SIP/2.0\r\n: v\r\n\r\n", ParseErrorCode::kBadHeaderLine, 23},
      {"OPTIONS sip:a SIP/2.0\r\n folded\r\n\r\n", ParseErrorCode::kBadHeaderLine, 23},
      {"OPTIONS sip:a SIP/2.0\r\nCall-ID: x\r\n", ParseErrorCode::kBadHeaderLine, 35},
      {"OPTIONS sip:a SIP/2.0\r\nl: x\r\n\r\n", ParseErrorCode::kBadContentLength, 26},
      {"OPTIONS sip:a SIP/2.0\r\nl: 5\r\n\r\nab", ParseErrorCode::kBodyTruncated, 33},
      {"OPTIONS sip:a SIP/2.0\r\nl: 1\r\nl: 2\r\n\r\nab", ParseErrorCode::kBadContentLength, 29},
  };
  for (const Row& r : rows) {
    auto m = Message::parse(r.text);
    ASSERT_FALSE(m.ok()) << r.text;
    EXPECT_EQ(m.error().code, r.code) << r.text << ": " << describe(m.error().code);
    EXPECT_EQ(m.error().offset, r.offset) << r.text;
  }
}

TEST(Describe, EveryCodeHasAName) {
  for (int i = 0; i <= static_cast<int>(ParseErrorCode::kMethodMismatch); ++i) {
    const auto d = describe(static_cast<ParseErrorCode>(i));
    EXPECT_FALSE(d.empty());
    EXPECT_NE(d, "unknown error");
  }
}

TEST(Examples, ParseCheckAndRoundTrip) {
  const auto files = files_in(examples_dir());
  ASSERT_EQ(files.size(), 6u);
  for (const auto& f : files) {
    const std::string bytes = load_file(f);
    auto m = Message::parse(bytes);
    ASSERT_TRUE(m.ok()) << f << ": " << describe(m.error().code) << " at " << m.error().offset;
    EXPECT_FALSE(m->check().has_value()) << f;
    EXPECT_EQ(m->serialize(), bytes) << f;
    EXPECT_TRUE(m->top_via().ok()) << f;
    EXPECT_TRUE(m->from().ok()) << f;
    EXPECT_FALSE(m->from()->tag().empty()) << f;
  }
}

TEST(Examples, TypicalValues) {
  auto reg = Message::parse(load_file(examples_dir() / "register_auth.sip"));
  ASSERT_TRUE(reg.ok());
  auto creds = reg->auth(HeaderId::kAuthorization);
  ASSERT_TRUE(creds.ok());
  ASSERT_EQ(creds->size(), 1u);
  EXPECT_EQ((*creds)[0].param("username"), "1001");
  EXPECT_EQ((*creds)[0].param("nc"), "00000001");
  auto ok = Message::parse(load_file(examples_dir() / "200_register_contacts.sip"));
  ASSERT_TRUE(ok.ok());
  auto contacts = ok->contacts();
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 3u);
  EXPECT_EQ((*contacts)[0].instance(), "<urn:uuid:00000000-0000-1000-8000-00a0de4f2c11>");
  EXPECT_EQ((*contacts)[1].expires(), 1800u);
  EXPECT_EQ((*contacts)[2].addr.uri.host, "[2001:db8::10]");
  EXPECT_TRUE((*contacts)[2].addr.uri.is_ipv6());
  auto inv = Message::parse(load_file(examples_dir() / "invite_sdp.sip"));
  ASSERT_TRUE(inv.ok());
  auto rr = inv->name_addrs(HeaderId::kRecordRoute);
  ASSERT_TRUE(rr.ok());
  ASSERT_EQ(rr->size(), 2u);
  EXPECT_EQ((*rr)[0].uri.param("ftag"), "b0d4c9f1");
  EXPECT_EQ(inv->body().substr(0, 4), "v=0\r");
  auto notify = Message::parse(load_file(examples_dir() / "notify_message_summary.sip"));
  ASSERT_TRUE(notify.ok());
  EXPECT_EQ(notify->event()->package, "message-summary");
  EXPECT_EQ(notify->subscription_state()->state, "active");
  EXPECT_EQ(notify->subscription_state()->expires(), 3542u);
}

// Found by fuzz_parser: a valueless "expires" must not turn into a wild error offset.
TEST(MessageCheck, ErrorOffsetsStayInsideTheMessage) {
  auto m = Message::parse(crlf(
      "REGISTER sip:h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:a@h>;tag=1\n"
      "To: <sip:a@h>\nCall-ID: c\nCSeq: 1 REGISTER\nContact: <sip:a@h>;expires;q=1\nl: 0\n\n"));
  ASSERT_TRUE(m.ok());
  const auto e = m->check();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, ParseErrorCode::kBadParam);
  EXPECT_EQ(e->offset, m->raw().find("expires;"));
}
