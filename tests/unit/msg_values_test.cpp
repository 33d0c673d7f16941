// Typed values: URIs, name-addr, Via, Contact, CSeq, auth, Retry-After, Event,
// Subscription-State, token lists; table driven.
#include <gtest/gtest.h>

#include "msg/message.hpp"
#include "msg/values.hpp"
#include "msg_test_util.hpp"

using namespace sipline::msg;
using sipline::msg::testing::crlf;
using Code = ParseErrorCode;

namespace {

Message parse_ok(std::string_view text) {
  auto r = Message::parse(crlf(text));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : describe(r.error().code));
  return r.ok() ? std::move(r).value() : Message();
}

}  // namespace

TEST(Uri, Valid) {
  struct Row {
    const char* text;
    Scheme scheme;
    const char* user;
    const char* password;
    const char* host;
    std::uint16_t port;
    std::size_t params;
    std::size_t headers;
  } rows[] = {
      {"sip:example.com", Scheme::kSip, "", "", "example.com", 0, 0, 0},
      {"SIP:Alice@Example.COM:5060", Scheme::kSip, "Alice", "", "Example.COM", 5060, 0, 0},
      {"sips:bob:secret@[2001:db8::10]:5061;transport=tls", Scheme::kSips, "bob", "secret",
       "[2001:db8::10]", 5061, 1, 0},
      {"sip:[::1]", Scheme::kSip, "", "", "[::1]", 0, 0, 0},
      {"sip:+12125551212@gw.example.com;user=phone", Scheme::kSip, "+12125551212", "",
       "gw.example.com", 0, 1, 0},
      {"sip:a%20b@h;lr;maddr=239.255.255.1;ttl=15", Scheme::kSip, "a%20b", "", "h", 0, 3, 0},
      {"sip:h?subject=project%20x&priority=urgent", Scheme::kSip, "", "", "h", 0, 0, 2},
      {"sip:192.0.2.4:65535", Scheme::kSip, "", "", "192.0.2.4", 65535, 0, 0},
      {"sip:user;par=u%40example.net@example.com", Scheme::kSip, "user;par=u%40example.net", "",
       "example.com", 0, 0, 0},
      {"tel:+358-555-1234567;postd=pp22", Scheme::kTel, "", "", "", 0, 0, 0},
      {"urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", Scheme::kOther, "", "", "", 0, 0, 0},
  };
  for (const Row& r : rows) {
    auto u = parse_uri(r.text);
    ASSERT_TRUE(u.ok()) << r.text << ": " << describe(u.error().code) << " at " << u.error().offset;
    EXPECT_EQ(u->scheme, r.scheme) << r.text;
    EXPECT_EQ(u->user, r.user) << r.text;
    EXPECT_EQ(u->password, r.password) << r.text;
    EXPECT_EQ(u->host, r.host) << r.text;
    EXPECT_EQ(u->port, r.port) << r.text;
    EXPECT_EQ(u->params.size(), r.params) << r.text;
    EXPECT_EQ(u->headers.size(), r.headers) << r.text;
    EXPECT_EQ(u->text, r.text);
  }
  auto u = parse_uri("sip:h;transport=TCP;lr");
  EXPECT_EQ(u->param("Transport"), "TCP");
  EXPECT_NE(find_param(u->params, "lr"), nullptr);
  EXPECT_FALSE(find_param(u->params, "lr")->has_value);
  EXPECT_TRUE(parse_uri("sip:[2001:db8::1]:5060")->is_ipv6());
  auto h = parse_uri("sip:h?subject=project%20x&priority=urgent");
  EXPECT_EQ(h->headers[0].name, "subject");
  EXPECT_EQ(h->headers[0].value, "project%20x");
  EXPECT_EQ(h->headers[1].value, "urgent");
}

TEST(Uri, Invalid) {
  struct Row {
    const char* text;
    Code code;
    std::size_t offset;
  } rows[] = {
      {"", Code::kBadUri, 0},
      {"example.com", Code::kBadUri, 0},
      {"sip:", Code::kBadUri, 3},
      {"sip:user@", Code::kBadUri, 9},
      {"sip:@host", Code::kBadUri, 4},
      {"sip:host:99999", Code::kBadUri, 9},
      {"sip:host:", Code::kBadUri, 9},
      {"sip:host:5060x", Code::kBadUri, 13},
      {"sip:[::1", Code::kBadUri, 4},
      {"sip:us er@host", Code::kBadUri, 6},
      {"sip:a%zzb@host", Code::kBadUri, 4},
      {"sip:host;;lr", Code::kBadParam, 9},
      {"sip:host;=x", Code::kBadParam, 9},
      {"sip:host?x", Code::kBadUri, 10},
      {"sip:host>", Code::kBadUri, 8},
      {"1sip:host", Code::kBadUri, 0},
      {"mailto:a b", Code::kBadUri, 8},
  };
  for (const Row& r : rows) {
    auto u = parse_uri(r.text);
    ASSERT_FALSE(u.ok()) << r.text;
    EXPECT_EQ(u.error().code, r.code) << r.text << ": " << describe(u.error().code);
    EXPECT_EQ(u.error().offset, r.offset) << r.text;
  }
}

TEST(NameAddr, Forms) {
  struct Row {
    const char* text;
    const char* display;
    const char* uri;
    const char* tag;
    std::size_t uri_params;
    std::size_t params;
  } rows[] = {
      {"\"Bob\" <sip:bob@biloxi.com>;tag=a6c85cf", "Bob", "sip:bob@biloxi.com", "a6c85cf", 0, 1},
      {"Bob <sip:bob@biloxi.com>", "Bob", "sip:bob@biloxi.com", "", 0, 0},
      {"The Operator <sip:op@h>;tag=1", "The Operator", "sip:op@h", "1", 0, 1},
      {"<sip:bob@biloxi.com;transport=tcp>;tag=x;foo", "", "sip:bob@biloxi.com;transport=tcp", "x",
       1, 2},
      // addr-spec without <>: the params after the URI belong to the header (RFC 3261 20.10).
      {"sip:bob@biloxi.com;tag=x;transport=tcp", "", "sip:bob@biloxi.com", "x", 0, 2},
      {"  sip:bob@h  ;  tag = y  ", "", "sip:bob@h", "y", 0, 1},
      {"\"a \\\"quoted\\\" name\" <sip:a@h>", "a \\\"quoted\\\" name", "sip:a@h", "", 0, 0},
      {"\"\" <sip:a@h>", "", "sip:a@h", "", 0, 0},
      {"\"\xe5\xa4\xa7\" <sip:a@h>", "\xe5\xa4\xa7", "sip:a@h", "", 0, 0},
      {"<tel:+1-212-555-1212>;tag=7", "", "tel:+1-212-555-1212", "7", 0, 1},
      {"Anonymous <sip:anonymous@anonymous.invalid>;tag=9", "Anonymous",
       "sip:anonymous@anonymous.invalid", "9", 0, 1},
  };
  for (const Row& r : rows) {
    auto na = parse_name_addr(r.text);
    ASSERT_TRUE(na.ok()) << r.text << ": " << describe(na.error().code) << " at "
                         << na.error().offset;
    EXPECT_EQ(na->display_name, r.display) << r.text;
    EXPECT_EQ(na->uri.text, r.uri) << r.text;
    EXPECT_EQ(na->tag(), r.tag) << r.text;
    EXPECT_EQ(na->uri.params.size(), r.uri_params) << r.text;
    EXPECT_EQ(na->params.size(), r.params) << r.text;
  }
  EXPECT_EQ(unquote("\"a \\\"quoted\\\" name\""), "a \"quoted\" name");
  EXPECT_EQ(quote("a \"b\" \\"), "\"a \\\"b\\\" \\\\\"");
  EXPECT_EQ(unquote(quote("x\"y\\z")), "x\"y\\z");
}

TEST(NameAddr, Invalid) {
  struct Row {
    const char* text;
    Code code;
  } rows[] = {
      {"", Code::kBadHeaderValue},
      {"\"unterminated <sip:a@h>", Code::kBadHeaderValue},
      {"\"x\" sip:a@h", Code::kBadHeaderValue},
      {"< sip:a@h>", Code::kBadUri},
      {"<sip:a@h >", Code::kBadUri},
      {"<sip:a@h", Code::kBadUri},
      {"Bell, Alexander <sip:a@h>", Code::kBadUri},
      {"sip:a@h?Route=x", Code::kBadUri},
      {"<sip:a@h>;", Code::kBadParam},
      {"<sip:a@h>;tag=", Code::kBadParam},
      {"<sip:a@h>;tag=\"x", Code::kBadParam},
      {"<sip:a@h> junk", Code::kBadParam},
      {"<sip:a@h>, <sip:b@h>", Code::kBadHeaderValue},
      // The unbracketed-IPv6 reading is via-received's alone; a tag stays a token.
      {"<sip:a@h>;tag=abc:def", Code::kBadParam},
  };
  for (const Row& r : rows) {
    auto na = parse_name_addr(r.text);
    ASSERT_FALSE(na.ok()) << r.text;
    EXPECT_EQ(na.error().code, r.code) << r.text << ": " << describe(na.error().code);
  }
}

TEST(Via, Forms) {
  struct Row {
    const char* text;
    const char* transport;
    const char* host;
    std::uint16_t port;
    const char* branch;
    const char* received;
    bool has_rport;
    std::optional<std::uint16_t> rport;
    const char* maddr;
  } rows[] = {
      {"SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds",
       "UDP",
       "pc33.atlanta.com",
       0,
       "z9hG4bK776asdhds",
       "",
       false,
       {},
       ""},
      {"SIP/2.0/TCP 192.0.2.1:5070;branch=z9hG4bK1;rport",
       "TCP",
       "192.0.2.1",
       5070,
       "z9hG4bK1",
       "",
       true,
       {},
       ""},
      {"SIP/2.0/UDP 192.0.2.1;rport=5061;received=198.51.100.2;branch=z9hG4bK2", "UDP", "192.0.2.1",
       0, "z9hG4bK2", "198.51.100.2", true, 5061, ""},
      {"SIP/2.0/TLS [2001:db8::10]:5061;branch=z9hG4bK3;received=[2001:db8::99]",
       "TLS",
       "[2001:db8::10]",
       5061,
       "z9hG4bK3",
       "[2001:db8::99]",
       false,
       {},
       ""},
      {"SIP/2.0/UDP h;maddr=239.255.255.1;ttl=16;branch=z9hG4bK4",
       "UDP",
       "h",
       0,
       "z9hG4bK4",
       "",
       false,
       {},
       "239.255.255.1"},
      {"sip / 2.0 / ws   df7jal23ls0d.invalid ; branch = z9hG4bK5",
       "ws",
       "df7jal23ls0d.invalid",
       0,
       "z9hG4bK5",
       "",
       false,
       {},
       ""},
      {"SIP/2.0/ UDP h;branch=z9hG4bKb",  // SWS after the last slash only (the fast path)
       "UDP",
       "h",
       0,
       "z9hG4bKb",
       "",
       false,
       {},
       ""},
      {"SIP/2.0/UDP h : 5060;RPORT;Branch=z9hG4bK6",
       "UDP",
       "h",
       5060,
       "z9hG4bK6",
       "",
       true,
       {},
       ""},
  };
  for (const Row& r : rows) {
    auto v = parse_via(r.text);
    ASSERT_TRUE(v.ok()) << r.text << ": " << describe(v.error().code) << " at " << v.error().offset;
    EXPECT_EQ(v->transport, r.transport) << r.text;
    EXPECT_EQ(v->host, r.host) << r.text;
    EXPECT_EQ(v->port, r.port) << r.text;
    EXPECT_EQ(v->branch(), r.branch) << r.text;
    EXPECT_EQ(v->received(), r.received) << r.text;
    EXPECT_EQ(v->has_rport(), r.has_rport) << r.text;
    EXPECT_EQ(v->rport(), r.rport) << r.text;
    EXPECT_EQ(v->maddr(), r.maddr) << r.text;
  }
  EXPECT_EQ(parse_via("SIP/2.0/UDP h;branch=z9hG4bK1")->protocol, "SIP/2.0");
  for (const char* bad :
       {"", "SIP/2.0/UDP", "SIP/2.0/UDP ", "SIP/3.0/UDP h", "HTTP/2.0/UDP h", "SIP/2.0 h",
        "SIP/2.0/UDPh", "SIP/2.0/UDP h:99999", "SIP/2.0/UDP h:", "SIP/2.0/UDP h;",
        "SIP/2.0/UDP h;;branch=1", "SIP/2.0/UDP h;branch=a, SIP/2.0/UDP g"}) {
    EXPECT_FALSE(parse_via(bad).ok()) << bad;
  }
}

TEST(Contact, Forms) {
  auto star = parse_contact(" * ");
  ASSERT_TRUE(star.ok());
  EXPECT_TRUE(star->star);
  auto c = parse_contact(
      "<sip:alice@192.0.2.4:5060;ob>;expires=3600;q=0.7;"
      "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\";reg-id=1");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->star);
  EXPECT_EQ(c->expires(), 3600u);
  EXPECT_EQ(c->instance(), "<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>");
  EXPECT_EQ(find_param(c->addr.params, "reg-id")->value, "1");
  EXPECT_EQ(c->addr.uri.port, 5060);
  auto no_exp = parse_contact("sip:a@h");
  EXPECT_FALSE(no_exp->expires().has_value());
  EXPECT_FALSE(parse_contact("*;expires=0").ok());  // "*" takes no parameters
  EXPECT_FALSE(parse_contact("<sip:a@h>;expires=99999999999")->expires().has_value());
}

TEST(Contact, MessageList) {
  Message m = parse_ok(
      "REGISTER sip:h SIP/2.0\n"
      "Contact: <sip:a@h1>;expires=10, \"B, C\" <sip:b@h2>\n"
      "m: sip:c@h3;expires=0\n"
      "l: 0\n\n");
  auto cs = m.contacts();
  ASSERT_TRUE(cs.ok());
  ASSERT_EQ(cs->size(), 3u);
  EXPECT_EQ((*cs)[1].addr.display_name, "B, C");
  EXPECT_EQ((*cs)[2].expires(), 0u);
  EXPECT_EQ(m.count_values(HeaderId::kContact), 3u);
  Message bad = parse_ok("REGISTER sip:h SIP/2.0\nContact: <sip:a@h1>,\nl: 0\n\n");
  EXPECT_FALSE(bad.contacts().ok());
  EXPECT_EQ(bad.contacts().error().offset, bad.raw().find(",\r\n") + 1);
  Message none = parse_ok("REGISTER sip:h SIP/2.0\nl: 0\n\n");
  EXPECT_TRUE(none.contacts()->empty());
}

TEST(CSeq, Values) {
  EXPECT_EQ(parse_cseq("4711 INVITE")->seq, 4711u);
  EXPECT_EQ(parse_cseq("  0009\r\n  INVITE ")->method, "INVITE");
  EXPECT_EQ(parse_cseq("4294967295 ACK")->seq, 4294967295u);
  for (const char* bad :
       {"", "INVITE", "1", "1INVITE", "4294967296 ACK", "-1 ACK", "1 IN VITE", "1 INV@TE"}) {
    EXPECT_FALSE(parse_cseq(bad).ok()) << bad;
  }
}

TEST(Auth, EveryDigestParameter) {
  Message m = parse_ok(
      "SIP/2.0 401 Unauthorized\n"
      "WWW-Authenticate: Digest realm=\"atlanta.com\", domain=\"sip:ss1.carrier.com "
      "sip:ss2.carrier.com\",\n"
      "  qop=\"auth,auth-int\", nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", opaque=\"\",\n"
      "  stale=TRUE, algorithm=SHA-256, userhash=true, charset=UTF-8\n"
      "Proxy-Authenticate: Digest realm=\"p\", nonce=\"1\", Basic realm=\"b\"\n"
      "l: 0\n\n");
  auto ch = m.auth(HeaderId::kWwwAuthenticate);
  ASSERT_TRUE(ch.ok()) << describe(ch.error().code) << " at " << ch.error().offset;
  ASSERT_EQ(ch->size(), 1u);
  const AuthValue& a = (*ch)[0];
  EXPECT_EQ(a.scheme, "Digest");
  EXPECT_EQ(a.param("realm"), "atlanta.com");
  EXPECT_EQ(a.list("domain"),
            (std::vector<std::string_view>{"sip:ss1.carrier.com", "sip:ss2.carrier.com"}));
  EXPECT_EQ(a.list("qop"), (std::vector<std::string_view>{"auth", "auth-int"}));
  EXPECT_EQ(a.param("nonce"), "f84f1cec41e6cbe5aea9c8e88d359");
  EXPECT_EQ(a.param("opaque"), "");
  EXPECT_NE(find_param(a.params, "opaque"), nullptr);
  EXPECT_TRUE(a.stale());
  EXPECT_EQ(a.param("algorithm"), "SHA-256");
  EXPECT_EQ(a.param("userhash"), "true");
  EXPECT_EQ(a.param("charset"), "UTF-8");
  auto proxy = m.auth(HeaderId::kProxyAuthenticate);
  ASSERT_TRUE(proxy.ok());
  ASSERT_EQ(proxy->size(), 2u);
  EXPECT_EQ((*proxy)[1].scheme, "Basic");
  EXPECT_EQ((*proxy)[1].param("realm"), "b");

  auto cred = parse_auth(
      "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\","
      " uri=\"sip:bob@biloxi.com\", qop=auth, nc=00000001, cnonce=\"0a4f113b\","
      " response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\","
      " algorithm=MD5, userhash=false");
  ASSERT_TRUE(cred.ok());
  EXPECT_EQ(cred->param("username"), "bob");
  EXPECT_EQ(cred->param("uri"), "sip:bob@biloxi.com");
  EXPECT_EQ(cred->param("qop"), "auth");
  EXPECT_EQ(cred->param("nc"), "00000001");
  EXPECT_EQ(cred->param("cnonce"), "0a4f113b");
  EXPECT_EQ(cred->param("response"), "6629fae49393a05397450978507c4ef1");
  EXPECT_EQ(cred->param("opaque"), "5ccc069c403ebaf9f0171e9517f40e41");
  EXPECT_FALSE(cred->stale());
  auto basic = parse_auth("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  ASSERT_TRUE(basic.ok());
  EXPECT_EQ(basic->params.size(), 1u);
  EXPECT_EQ(basic->params[0].value, "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  for (const char* bad :
       {"", "Digest realm=\"x", "Digest realm=x nonce=y", "Digest =x", "Digest realm=x,, =y"}) {
    EXPECT_FALSE(parse_auth(bad).ok()) << bad;
  }
}

TEST(OtherHeaders, RetryAfterEventStateTokensIdentity) {
  Message m = parse_ok(
      "SIP/2.0 503 Service Unavailable\n"
      "Retry-After: 18000 (in maintenance (really));duration=3600\n"
      "Event: message-summary;id=42\n"
      "Subscription-State: terminated;reason=timeout;retry-after=30\n"
      "Require: 100rel, timer\n"
      "Supported: path,outbound, gruu\n"
      "k: replaces\n"
      "Privacy: id; header\n"
      "P-Preferred-Identity: \"Cullen\" <sip:fluffy@cisco.com>, <tel:+14085264000>\n"
      "Min-Expires: 60\n"
      "Expires: 0\n"
      "Max-Forwards: 70\n"
      "l: 0\n\n");
  auto ra = m.retry_after();
  ASSERT_TRUE(ra.ok());
  EXPECT_EQ(ra->seconds, 18000u);
  EXPECT_EQ(ra->comment, "in maintenance (really)");
  EXPECT_EQ(find_param(ra->params, "duration")->value, "3600");
  EXPECT_EQ(m.uint_header(HeaderId::kRetryAfter), 18000u);
  auto ev = m.event();
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->package, "message-summary");
  EXPECT_EQ(find_param(ev->params, "id")->value, "42");
  auto st = m.subscription_state();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, "terminated");
  EXPECT_EQ(find_param(st->params, "reason")->value, "timeout");
  EXPECT_FALSE(st->expires().has_value());
  EXPECT_EQ(m.tokens(HeaderId::kRequire), (std::vector<std::string_view>{"100rel", "timer"}));
  EXPECT_EQ(m.tokens(HeaderId::kSupported),
            (std::vector<std::string_view>{"path", "outbound", "gruu", "replaces"}));
  EXPECT_EQ(m.tokens(HeaderId::kPrivacy), (std::vector<std::string_view>{"id", "header"}));
  auto ppi = m.name_addrs(HeaderId::kPPreferredIdentity);
  ASSERT_TRUE(ppi.ok());
  ASSERT_EQ(ppi->size(), 2u);
  EXPECT_EQ((*ppi)[0].display_name, "Cullen");
  EXPECT_EQ((*ppi)[1].uri.scheme, Scheme::kTel);
  EXPECT_EQ(m.uint_header(HeaderId::kMinExpires), 60u);
  EXPECT_EQ(m.uint_header(HeaderId::kExpires), 0u);
  EXPECT_EQ(m.uint_header(HeaderId::kMaxForwards), 70u);
  EXPECT_FALSE(m.uint_header(HeaderId::kContentType).has_value());
  EXPECT_EQ(m.event().ok(), true);
  EXPECT_FALSE(parse_retry_after("x").ok());
  EXPECT_FALSE(parse_retry_after("10 (unclosed").ok());
  EXPECT_FALSE(parse_event(";id=1").ok());
  EXPECT_EQ(parse_subscription_state("active;expires=600")->expires(), 600u);
  EXPECT_EQ(parse_uint("4294967295"), 4294967295u);
  EXPECT_FALSE(parse_uint("4294967296").has_value());
  EXPECT_FALSE(parse_uint("").has_value());
  EXPECT_FALSE(parse_uint("+1").has_value());
}

TEST(Accessors, AbsentHeaders) {
  Message m = parse_ok("OPTIONS sip:h SIP/2.0\nl: 0\n\n");
  EXPECT_EQ(m.top_via().error().code, Code::kMissingHeader);
  EXPECT_EQ(m.from().error().code, Code::kMissingHeader);
  EXPECT_EQ(m.to().error().code, Code::kMissingHeader);
  EXPECT_EQ(m.cseq().error().code, Code::kMissingHeader);
  EXPECT_EQ(m.event().error().code, Code::kMissingHeader);
  EXPECT_EQ(m.retry_after().error().code, Code::kMissingHeader);
  EXPECT_EQ(m.call_id(), "");
  EXPECT_TRUE(m.vias()->empty());
  EXPECT_TRUE(m.auth(HeaderId::kAuthorization)->empty());
  EXPECT_TRUE(m.tokens(HeaderId::kRequire).empty());
  EXPECT_FALSE(m.uint_header(HeaderId::kExpires).has_value());
  EXPECT_EQ(m.uri()->host, "h");
  EXPECT_EQ(m.check()->code, Code::kMissingHeader);
}

TEST(Accessors, ErrorOffsetsPointIntoTheMessage) {
  Message m = parse_ok(
      "OPTIONS sip:h SIP/2.0\nVia: SIP/2.0/UDP h;branch=1;;\nFrom: <sip:a@h>;tag\nl: 0\n\n");
  const auto e = m.top_via().error();
  EXPECT_EQ(e.code, Code::kBadParam);
  EXPECT_EQ(e.offset, m.raw().find(";;") + 1);
  EXPECT_TRUE(m.from().ok());
  EXPECT_FALSE(find_param(m.from()->params, "tag")->has_value);
}

// via-received may be an unbracketed IPv6 address (RFC 3261 25.1: IPv4address / IPv6address).
TEST(Via, ReceivedIpv6Unbracketed) {
  struct Row {
    const char* text;
    const char* received;
  } rows[] = {
      {"SIP/2.0/UDP [::1]:5070;branch=z9hG4bK7;received=::1;rport=5070", "::1"},
      {"SIP/2.0/TCP h;received=2001:db8::9;branch=z9hG4bK8", "2001:db8::9"},
      {"SIP/2.0/UDP h;received=::ffff:192.0.2.1;branch=z9hG4bK9", "::ffff:192.0.2.1"},
      {"SIP/2.0/UDP h;received=[2001:db8::9];branch=z9hG4bKa", "[2001:db8::9]"},
      {"SIP/2.0/UDP [::1]:5060;rport=5060;received=192.0.2.1;branch=z9hG4bKa", "192.0.2.1"},
  };
  for (const Row& r : rows) {
    auto v = parse_via(r.text);
    ASSERT_TRUE(v.ok()) << r.text << ": " << describe(v.error().code) << " at " << v.error().offset;
    EXPECT_EQ(v->received(), r.received) << r.text;
    EXPECT_FALSE(v->branch().empty()) << r.text;
  }
  EXPECT_EQ(parse_via("SIP/2.0/UDP [::1]:5070;branch=z9hG4bK7;received=::1;rport=5070")->rport(),
            5070);
}
