// RFC 4475 (SIP torture tests): each message either parses to the right values, is rejected
// by parse() with the right code, or parses and check() / a typed accessor reports the error,
// as the RFC says an element should handle it.
#include <gtest/gtest.h>

#include <functional>
#include <optional>

#include "msg/framer.hpp"
#include "msg/message.hpp"
#include "msg_test_util.hpp"

using namespace sipline::msg;
using sipline::msg::testing::files_in;
using sipline::msg::testing::load_file;
using sipline::msg::testing::rfc4475_dir;
using Code = ParseErrorCode;

namespace {

struct Case {
  const char* name;
  std::optional<Code> parse_error;  // parse() rejects it with this code
  std::optional<Code> check_error;  // else check() reports this (nullopt: the message is fine)
  std::function<void(const Message&)> values;  // further expectations on parsed values
};

void wsinv(const Message& m) {
  EXPECT_EQ(m.request_uri(), "sip:vivekg@chair-dnrc.example.com;unknownparam");
  EXPECT_EQ(m.to()->tag(), "1918181833n");
  EXPECT_EQ(m.to()->uri.user, "vivekg");
  EXPECT_EQ(m.from()->display_name, "J Rosenberg \\\\\\\"");
  std::string quoted = "\"";  // appended: g++ 12 -O3 warns a false -Wrestrict on "\"" + string
  quoted += m.from()->display_name;
  quoted += '"';
  EXPECT_EQ(unquote(quoted), "J Rosenberg \\\"");
  EXPECT_EQ(m.from()->tag(), "98asjd8");
  EXPECT_EQ(m.uint_header(HeaderId::kMaxForwards), 68u);
  EXPECT_EQ(m.cseq()->seq, 9u);
  EXPECT_EQ(m.cseq()->method, "INVITE");
  auto vias = m.vias();
  ASSERT_TRUE(vias.ok());
  ASSERT_EQ(vias->size(), 3u);
  EXPECT_EQ((*vias)[0].transport, "UDP");
  EXPECT_EQ((*vias)[0].host, "192.0.2.2");
  EXPECT_EQ((*vias)[0].branch(), "390skdjuw");
  EXPECT_EQ((*vias)[1].transport, "TCP");
  EXPECT_EQ((*vias)[1].host, "spindle.example.com");
  EXPECT_EQ((*vias)[1].branch(), "z9hG4bK9ikj8");
  EXPECT_EQ((*vias)[2].host, "192.168.255.111");
  EXPECT_EQ((*vias)[2].branch(), "z9hG4bK30239");
  EXPECT_EQ(m.find(HeaderId::kSubject)->value, "");
  EXPECT_EQ(m.find("newfangledheader")->value, "newfangled value\r\n continued newfangled value");
  EXPECT_EQ(m.find("UnknownHeaderWithUnusualValue")->value, ";;,,;;,;");
  auto route = m.name_addrs(HeaderId::kRoute);
  ASSERT_TRUE(route.ok());
  ASSERT_EQ(route->size(), 1u);
  EXPECT_EQ((*route)[0].uri.param("unknownwith"), "value");
  auto contacts = m.contacts();
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ((*contacts)[0].addr.display_name, "Quoted string \\\"\\\"");
  EXPECT_EQ(find_param((*contacts)[0].addr.params, "newparam")->value, "newvalue");
  EXPECT_FALSE(find_param((*contacts)[0].addr.params, "secondparam")->has_value);
  EXPECT_EQ(find_param((*contacts)[0].addr.params, "q")->value, "0.33");
  EXPECT_EQ(m.body().size(), *m.uint_header(HeaderId::kContentLength));
}

void intmeth(const Message& m) {
  EXPECT_EQ(m.method(), "!interesting-Method0123456789_*+`.%indeed'~");
  auto uri = m.uri();
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_EQ(uri->password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  EXPECT_EQ(uri->host, "example.com");
  EXPECT_EQ(m.top_via()->branch(), "z9hG4bK-.!%66*_+`'~");
  EXPECT_EQ(m.to()->display_name, std::string_view("BEL:\\\x07 NUL:\\\0 DEL:\\\x7f", 20));
  EXPECT_EQ(m.from()->display_name, "token1~` token2'+_ token3*%!.-");
  EXPECT_EQ(m.from()->tag(), "_token~1'+`*%!-.");
  EXPECT_EQ(m.call_id(), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
  EXPECT_EQ(m.cseq()->method, m.method());
  EXPECT_EQ(m.uint_header(HeaderId::kMaxForwards), 255u);
  EXPECT_NE(m.find("extensionHeader-!.%*+_`'~"), nullptr);
}

void esc01(const Message& m) {
  EXPECT_EQ(m.uri()->user, "sips%3Auser%40example.com");
  EXPECT_EQ(m.to()->uri.user, "%75se%72");
  EXPECT_EQ(m.from()->uri.user, "I%20have%20spaces");
  auto c = m.contacts();
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].addr.uri.params.size(), 2u);
  EXPECT_EQ((*c)[0].addr.uri.param("n%61me"), "v%61lue%25%34%31");
}

void escnull(const Message& m) {
  EXPECT_EQ(m.to()->uri.user, "null-%00-null");
  ASSERT_EQ(m.contacts()->size(), 2u);
  EXPECT_EQ((*m.contacts())[1].addr.uri.user, "%00%00");
  EXPECT_EQ(m.uint_header(HeaderId::kContentLength), 0u);
}

void esc02(const Message& m) {
  EXPECT_EQ(m.method(), "RE%47IST%45R");
  EXPECT_EQ(m.to()->display_name, "%Z%45");
  EXPECT_EQ(m.contacts()->size(), 2u);  // "C%6Fntact" is another header
  EXPECT_NE(m.find("C%6Fntact"), nullptr);
  EXPECT_TRUE(m.top_via()->has_rport());
}

void longreq(const Message& m) {
  EXPECT_EQ(m.vias()->size(), 33u);
  EXPECT_EQ(m.vias()->front().host, "sip33.example.com");
  EXPECT_EQ(m.vias()->back().branch().size(), 7u + 15 * 20);
  EXPECT_EQ(m.to()->uri.port, 6000);
  EXPECT_GT(m.to()->display_name.size(), 420u);
  EXPECT_EQ(m.from()->tag().size(), 220u);
  EXPECT_EQ(m.contacts()->size(), 1u);
}

void dblreq(const Message& m) {
  EXPECT_EQ(m.method(), "REGISTER");
  EXPECT_EQ(m.body(), "");
  EXPECT_EQ(m.raw().find("INVITE"), std::string_view::npos);
  EXPECT_EQ(m.contacts()->front().addr.uri.host, "host.example.com");
}

void semiuri(const Message& m) {
  EXPECT_EQ(m.uri()->user, "user;par=u%40example.net");
  EXPECT_EQ(m.uri()->host, "example.com");
  EXPECT_TRUE(m.uri()->params.empty());
  EXPECT_EQ(m.values(HeaderId::kAccept).size(), 6u);
}

void transports(const Message& m) {
  auto v = m.vias();
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->size(), 5u);
  const char* want[] = {"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"};
  for (int i = 0; i < 5; ++i) EXPECT_EQ((*v)[i].transport, want[i]);
  EXPECT_EQ(m.call_id(), "transports.kijh4akdnaqjkwendsasfdj");
}

void mpart01(const Message& m) {
  EXPECT_EQ(m.body().size(), *m.uint_header(HeaderId::kContentLength));
  EXPECT_NE(m.body().find(std::string_view("\0\xff", 2)), std::string_view::npos);
  EXPECT_EQ(m.find(HeaderId::kContentType)->value, "multipart/mixed;boundary=7a9cbec02ceef655");
}

void unreason(const Message& m) {
  EXPECT_EQ(m.status_code(), 200);
  EXPECT_EQ(m.reason().substr(0, 14), "= 2**3 * 5**2 ");
  EXPECT_EQ(m.to()->tag(), "2229");
}

void noreason(const Message& m) {
  EXPECT_EQ(m.status_code(), 100);
  EXPECT_EQ(m.reason(), "");
}

void badinv01(const Message& m) {
  EXPECT_EQ(m.vias().error().code, Code::kBadParam);
  EXPECT_EQ(m.contacts().error().code, Code::kBadParam);
}

void scalar02(const Message& m) {
  EXPECT_EQ(m.cseq().error().code, Code::kBadHeaderValue);
  EXPECT_FALSE(m.uint_header(HeaderId::kMaxForwards).has_value());
  EXPECT_FALSE(m.uint_header(HeaderId::kExpires).has_value());
  EXPECT_FALSE(m.contacts()->front().expires().has_value());
}

void scalarlg(const Message& m) {
  EXPECT_EQ(m.cseq().error().code, Code::kBadHeaderValue);
  EXPECT_EQ(m.retry_after().error().code, Code::kBadHeaderValue);
  EXPECT_FALSE(m.uint_header(HeaderId::kRetryAfter).has_value());
}

void quotbal(const Message& m) {
  const auto e = m.to().error();
  EXPECT_EQ(e.code, Code::kBadHeaderValue);
  EXPECT_EQ(e.offset, m.raw().find("\"Mr. J."));
}

void baddate(const Message& m) {
  EXPECT_EQ(m.find(HeaderId::kDate)->value.substr(26), "EST");
}

void regbadct(const Message& m) {
  EXPECT_EQ(m.contacts().error().code, Code::kBadUri);
}
void badaspec(const Message& m) {
  EXPECT_EQ(m.to().error().code, Code::kBadUri);
  EXPECT_EQ(m.from()->display_name, "Bell, Alexander");
}
void baddn(const Message& m) {
  EXPECT_FALSE(m.from().ok());
}

void unkscm(const Message& m) {
  EXPECT_EQ(m.uri()->scheme, Scheme::kOther);
  EXPECT_EQ(m.uri()->scheme_text, "nobodyKnowsThisScheme");
}
void novelsc(const Message& m) {
  EXPECT_EQ(m.uri()->scheme_text, "soap.beep");
}
void unksm2(const Message& m) {
  EXPECT_EQ(m.to()->uri.scheme, Scheme::kOther);
  EXPECT_EQ(m.to()->uri.text, "isbn:2983792873");
  EXPECT_EQ(m.from()->uri.scheme_text, "http");
  EXPECT_EQ(m.from()->tag(), "3234233");
  EXPECT_EQ(m.contacts()->front().addr.uri.text, "name:John_Smith");
}
void bext01(const Message& m) {
  EXPECT_EQ(m.tokens(HeaderId::kRequire),
            (std::vector<std::string_view>{"nothingSupportsThis", "nothingSupportsThisEither"}));
  EXPECT_EQ(m.tokens(HeaderId::kProxyRequire).size(), 2u);
}
void regaut01(const Message& m) {
  auto a = m.auth(HeaderId::kAuthorization);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->front().scheme, "NoOneKnowsThisScheme");
  EXPECT_EQ(a->front().param("opaque-data"), "here");
}
void bcast(const Message& m) {
  EXPECT_EQ((*m.vias())[1].host, "255.255.255.255");
}
void zeromf(const Message& m) {
  EXPECT_EQ(m.uint_header(HeaderId::kMaxForwards), 0u);
}
void badbranch(const Message& m) {
  EXPECT_EQ(m.top_via()->branch(), "z9hG4bK");
}
void cparam01(const Message& m) {
  auto contacts = m.contacts();
  ASSERT_TRUE(contacts.ok());
  const Contact& c = contacts->front();
  EXPECT_TRUE(c.addr.uri.params.empty());
  EXPECT_NE(find_param(c.addr.params, "unknownparam"), nullptr);
  EXPECT_EQ(c.addr.uri.user, "+19725552222");
}
void cparam02(const Message& m) {
  auto contacts = m.contacts();
  ASSERT_TRUE(contacts.ok());
  const Contact& c = contacts->front();
  EXPECT_TRUE(c.addr.params.empty());
  EXPECT_NE(find_param(c.addr.uri.params, "unknownparam"), nullptr);
}
void regescrt(const Message& m) {
  auto contacts = m.contacts();
  ASSERT_TRUE(contacts.ok());
  const Uri& u = contacts->front().addr.uri;
  ASSERT_EQ(u.headers.size(), 1u);
  EXPECT_EQ(u.headers[0].name, "Route");
  EXPECT_EQ(u.headers[0].value, "%3Csip:sip.example.com%3E");
}
void inv2543(const Message& m) {
  EXPECT_EQ(m.top_via()->branch(), "");
  EXPECT_EQ(m.from()->tag(), "");
  EXPECT_EQ(m.to()->uri.host, "ss1.example.net");
  EXPECT_EQ(m.to()->params.front().name, "user");  // addr-spec: the param is the header's
  EXPECT_EQ(m.name_addrs(HeaderId::kRecordRoute)->front().uri.param("maddr"), "ss1.example.com");
  EXPECT_EQ(m.body().substr(0, 3), "v=0");
}

const Case kCases[] = {
    {"wsinv", {}, {}, wsinv},
    {"intmeth", {}, {}, intmeth},
    {"esc01", {}, {}, esc01},
    {"escnull", {}, {}, escnull},
    {"esc02", {}, {}, esc02},
    {"lwsdisp", {}, {}, [](const Message& m) { EXPECT_EQ(m.from()->display_name, "caller"); }},
    {"longreq", {}, {}, longreq},
    {"dblreq", {}, {}, dblreq},
    {"semiuri", {}, {}, semiuri},
    {"transports", {}, {}, transports},
    {"mpart01", {}, {}, mpart01},
    {"unreason", {}, {}, unreason},
    {"noreason", {}, {}, noreason},
    {"badinv01", {}, Code::kBadParam, badinv01},
    {"clerr", Code::kBodyTruncated, {}, nullptr},
    {"ncl", Code::kBadContentLength, {}, nullptr},
    {"scalar02", {}, Code::kBadHeaderValue, scalar02},
    {"scalarlg", {}, Code::kBadHeaderValue, scalarlg},
    {"quotbal", {}, Code::kBadHeaderValue, quotbal},
    {"ltgtruri", Code::kBadRequestUri, {}, nullptr},
    {"lwsruri", Code::kBadRequestUri, {}, nullptr},
    {"lwsstart", Code::kBadStartLine, {}, nullptr},
    {"trws", Code::kBadStartLine, {}, nullptr},
    {"escruri", Code::kBadRequestUri, {}, nullptr},
    {"baddate", {}, {}, baddate},
    {"regbadct", {}, Code::kBadUri, regbadct},
    {"badaspec", {}, Code::kBadUri, badaspec},
    {"baddn", {}, Code::kBadUri, baddn},
    {"badvers", Code::kBadVersion, {}, nullptr},
    {"mismatch01", {}, Code::kMethodMismatch, nullptr},
    {"mismatch02", {}, Code::kMethodMismatch, nullptr},
    {"bigcode", Code::kBadStatusCode, {}, nullptr},
    {"badbranch", {}, {}, badbranch},
    {"insuf", {}, Code::kMissingHeader, nullptr},
    {"unkscm", {}, {}, unkscm},
    {"novelsc", {}, {}, novelsc},
    {"unksm2", {}, {}, unksm2},
    {"bext01", {}, {}, bext01},
    {"invut", {}, {}, nullptr},
    {"regaut01", {}, {}, regaut01},
    {"multi01", {}, Code::kDuplicateHeader, nullptr},
    {"mcl01", Code::kBadContentLength, {}, nullptr},
    {"bcast", {}, {}, bcast},
    {"zeromf", {}, {}, zeromf},
    {"cparam01", {}, {}, cparam01},
    {"cparam02", {}, {}, cparam02},
    {"regescrt", {}, {}, regescrt},
    {"sdp01", {}, {}, nullptr},
    {"inv2543", {}, {}, inv2543},
};

class Rfc4475 : public ::testing::TestWithParam<Case> {};

TEST_P(Rfc4475, ParsesAsTheRfcSays) {
  const Case& c = GetParam();
  const std::string bytes = load_file(rfc4475_dir() / (std::string(c.name) + ".sip"));
  ASSERT_FALSE(bytes.empty()) << c.name;
  auto m = Message::parse(bytes);
  if (c.parse_error) {
    ASSERT_FALSE(m.ok()) << c.name;
    EXPECT_EQ(m.error().code, *c.parse_error) << describe(m.error().code);
    EXPECT_LE(m.error().offset, bytes.size());
    return;
  }
  ASSERT_TRUE(m.ok()) << describe(m.error().code) << " at " << m.error().offset;
  const auto problem = m->check();
  if (c.check_error) {
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->code, *c.check_error) << describe(problem->code);
    EXPECT_LE(problem->offset, m->raw().size());
  } else {
    EXPECT_FALSE(problem.has_value()) << describe(problem->code) << " at " << problem->offset;
  }
  EXPECT_EQ(m->serialize(), m->raw());
  if (c.values) c.values(*m);
}

INSTANTIATE_TEST_SUITE_P(Messages, Rfc4475, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

TEST(Rfc4475Files, EveryFileHasACase) {
  for (const auto& p : files_in(rfc4475_dir())) {
    const std::string stem = p.stem().string();
    bool found = false;
    for (const Case& c : kCases) found = found || stem == c.name;
    EXPECT_TRUE(found) << stem;
  }
}

// On a stream the same messages frame as RFC 3261 18.3 says.
TEST(Rfc4475Files, Framing) {
  struct Row {
    const char* name;
    Frame::Kind kind;
    std::optional<Code> code;
  } rows[] = {
      {"inv2543", Frame::Kind::kError, Code::kMissingHeader},  // no Content-Length
      {"ncl", Frame::Kind::kError, Code::kBadContentLength},
      {"mcl01", Frame::Kind::kError, Code::kBadContentLength},
      {"clerr", Frame::Kind::kNeedMore, {}},
      {"dblreq", Frame::Kind::kMessage, {}},
      {"wsinv", Frame::Kind::kMessage, {}},
  };
  for (const Row& r : rows) {
    const Frame f = next_frame(load_file(rfc4475_dir() / (std::string(r.name) + ".sip")));
    EXPECT_EQ(f.kind, r.kind) << r.name;
    if (r.code) {
      EXPECT_EQ(f.error.code, *r.code) << r.name;
    }
  }
  // dblreq on a stream: REGISTER, a CRLF keep-alive, then the INVITE.
  const std::string s = load_file(rfc4475_dir() / "dblreq.sip");
  std::string_view rest = s;
  Frame f = next_frame(rest);
  ASSERT_EQ(f.kind, Frame::Kind::kMessage);
  EXPECT_EQ(Message::parse(std::string(rest.substr(0, f.size)))->method(), "REGISTER");
  rest.remove_prefix(f.size);
  f = next_frame(rest);
  EXPECT_EQ(f.kind, Frame::Kind::kKeepAlive);
  EXPECT_EQ(f.size, 2u);
  rest.remove_prefix(f.size);
  f = next_frame(rest);
  ASSERT_EQ(f.kind, Frame::Kind::kMessage);
  EXPECT_EQ(f.size, rest.size());
  EXPECT_EQ(Message::parse(std::string(rest))->method(), "INVITE");
}

}  // namespace
