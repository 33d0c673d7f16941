// RFC 5626 §4.4 flow keep-alive of an outbound account on the virtual clock, and the STUN codec
// against the RFC 5769 test vectors.
#include <gtest/gtest.h>

#include "account_test_util.hpp"
#include "transport/stun.hpp"
#include "usage/flow/flow.hpp"

namespace sipline::account_test {
namespace {

using account::State;
namespace stun = transport::stun;
namespace flow = usage::flow;

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

// RFC 5769 §2.2 and §2.3 (SOFTWARE padded with 0x20, as the FINGERPRINT was computed).
const std::string kIpv4Response =
    bytes({0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
           0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74,
           0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01,
           0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43, 0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99,
           0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b,
           0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96});
const std::string kIpv6Response = bytes(
    {0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
     0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
     0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
     0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
     0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
     0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c});

TEST(Stun, Rfc5769Ipv4ResponseMappedAddressAndFingerprint) {
  ASSERT_TRUE(stun::looks_like_stun(kIpv4Response));
  auto m = stun::parse(kIpv4Response);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, stun::kBindingSuccess);
  EXPECT_TRUE(m->has_fingerprint);
  EXPECT_EQ(m->id[0], 0xb7);
  ASSERT_TRUE(m->mapped);
  EXPECT_EQ(m->mapped->address, "192.0.2.1");
  EXPECT_EQ(m->mapped->port, 32853);
}

TEST(Stun, Rfc5769Ipv6ResponseMappedAddress) {
  auto m = stun::parse(kIpv6Response);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->has_fingerprint);
  ASSERT_TRUE(m->mapped);
  EXPECT_EQ(m->mapped->address, "2001:db8:1234:5678:11:2233:4455:6677");
  EXPECT_EQ(m->mapped->port, 32853);
}

TEST(Stun, BadFingerprintIsDiscarded) {
  std::string bad = kIpv4Response;
  bad.back() ^= 1;
  EXPECT_FALSE(stun::parse(bad));
}

TEST(Stun, BindingRequestHeaderAndFingerprintRoundTrip) {
  const stun::TransactionId id{0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                               0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
  const std::string req = stun::binding_request(id);
  ASSERT_EQ(req.size(), 28u);
  EXPECT_EQ(req.substr(0, 8), bytes({0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42}));
  auto m = stun::parse(req);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, stun::kBindingRequest);
  EXPECT_EQ(m->id, id);
  EXPECT_TRUE(m->has_fingerprint);
  EXPECT_EQ(stun::crc32("123456789"), 0xcbf43926u);  // the CRC-32 check value
}

TEST(Stun, SipIsNeverStun) {
  EXPECT_FALSE(stun::looks_like_stun("REGISTER sip:x SIP/2.0\r\n\r\n"));
  EXPECT_FALSE(stun::looks_like_stun("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(stun::looks_like_stun(kIpv4Response.substr(0, 40)));  // length disagrees
}

TEST(FlowInterval, DrawsStayInTheRfcRanges) {
  for (double u : {0.0, 0.25, 0.5, 0.999999}) {
    const auto f = flow::keepalive_interval(flow::Kind::kStun, 25u, u);
    EXPECT_GE(f, 20000ms);
    EXPECT_LE(f, 25000ms);
    const auto tcp = flow::keepalive_interval(flow::Kind::kCrlf, std::nullopt, u);
    EXPECT_GE(tcp, 95000ms);
    EXPECT_LE(tcp, 120000ms);
    const auto udp = flow::keepalive_interval(flow::Kind::kStun, std::nullopt, u);
    EXPECT_GE(udp, 24000ms);
    EXPECT_LE(udp, 29000ms);
  }
  EXPECT_EQ(flow::keepalive_interval(flow::Kind::kCrlf, 10u, 0.0), 8000ms);
  EXPECT_EQ(flow::keepalive_interval(flow::Kind::kCrlf, 10u, 0.5), 9000ms);
  EXPECT_EQ(flow::keepalive_interval(flow::Kind::kCrlf, 0u, 0.5), 1000ms);  // never a loop
}

constexpr const char* kInstance = "<urn:uuid:f81d4fae-7dec-41d0-a765-00a0c91e6bf6>";
const transport::Address kTcpServer{transport::Protocol::kTcp, "127.0.0.9", 5060};

struct FlowFixture : Fixture {
  // Registers with `extra` headers in the 2xx; returns once registered.
  void register_outbound(std::vector<std::string> extra) {
    outbound_instance = kInstance;
    start();
    answer(next_request(), 200, std::move(extra), 3600);
    ASSERT_EQ(state(), State::kRegistered);
  }
  // Runs until something is sent; returns it (the keep-alive or a REGISTER).
  test::SentMessage wait_send(Duration limit = 1000s) { return wait_request(limit); }
  std::string stun_id(const test::SentMessage& ping) { return ping.bytes.substr(8, 12); }
  void stun_answer(const test::SentMessage& ping, const std::string& ip, std::uint16_t port) {
    account->on_pong(
        {ping.target, stun_id(ping), transport::Address{transport::Protocol::kUdp, ip, port}});
  }
};

TEST_F(FlowFixture, UdpSendsStunAtFlowTimerAndPongInTimeKeepsTheFlow) {
  register_outbound({"Require: outbound", "Flow-Timer: 20"});  // jitter 0.5: 18 s
  auto s = account->snapshot();
  EXPECT_EQ(s.flow_keepalive, "stun");
  EXPECT_EQ(s.flow_interval, 18000ms);
  auto ping = wait_send();
  EXPECT_DOUBLE_EQ(at_s(ping), 18.0);
  EXPECT_TRUE(stun::looks_like_stun(ping.bytes));
  stun_answer(ping, "192.0.2.1", 40000);
  auto next = wait_send();
  EXPECT_DOUBLE_EQ(at_s(next), 36.0);
  EXPECT_TRUE(stun::looks_like_stun(next.bytes));  // not a REGISTER: the flow lives
  stun_answer(next, "192.0.2.1", 40000);
  EXPECT_EQ(account->snapshot().flow_failures, 0u);
  EXPECT_EQ(account->snapshot().last_pong_age, 0ms);
}

TEST_F(FlowFixture, NoPongIn10sWithRequireOutboundReregistersAtOnce) {
  cfg.transport = config::Transport::tcp;
  outbound_instance = kInstance;
  transport.set_user(&txn);
  account = std::make_unique<account::Account>(
      1, cfg, account::Stack{txn, transport, timers, random, jitter, nullptr, nullptr},
      transport::Target{kTcpServer, "127.0.0.9"}, previous_contacts);
  account->set_outbound_instance(kInstance);
  t0 = timers.now();
  account->start();
  auto r = next_request();
  auto m = r.parse();
  auto w = msg::response_to(m, 200, "OK", "srvtag");
  auto c = m.find(msg::HeaderId::kContact);
  w.header(msg::HeaderId::kContact, std::string(c->value) + ";expires=3600");
  w.header("Require", "outbound");
  ASSERT_TRUE(transport.inject(w.finish(), kTcpServer));
  ASSERT_EQ(state(), State::kRegistered);
  EXPECT_EQ(account->snapshot().flow_keepalive, "crlf");
  auto ping = wait_send();
  EXPECT_EQ(ping.bytes, "\r\n\r\n");
  EXPECT_DOUBLE_EQ(at_s(ping), 107.5);  // 95 + 0.5 * 25
  auto reg = wait_send();
  EXPECT_EQ(reg.method(), "REGISTER");
  EXPECT_DOUBLE_EQ(at_s(reg), 117.5);  // the pong deadline: at once
  ASSERT_EQ(transport.resets().size(), 1u);
  EXPECT_EQ(transport.resets()[0].remote, kTcpServer);
  EXPECT_EQ(account->snapshot().flow_failures, 1u);
}

TEST_F(FlowFixture, CrlfPongInTimeKeepsTheFlow) {
  cfg.transport = config::Transport::tcp;
  transport.set_user(&txn);
  account = std::make_unique<account::Account>(
      1, cfg, account::Stack{txn, transport, timers, random, jitter, nullptr, nullptr},
      transport::Target{kTcpServer, "127.0.0.9"}, previous_contacts);
  account->set_outbound_instance(kInstance);
  t0 = timers.now();
  account->start();
  auto r = next_request();
  auto m = r.parse();
  auto w = msg::response_to(m, 200, "OK", "srvtag");
  auto c = m.find(msg::HeaderId::kContact);
  w.header(msg::HeaderId::kContact, std::string(c->value) + ";expires=3600");
  w.header("Require", "outbound");
  w.header("Flow-Timer", "30");
  ASSERT_TRUE(transport.inject(w.finish(), kTcpServer));
  auto ping = wait_send();
  EXPECT_EQ(ping.bytes, "\r\n\r\n");
  timers.advance(1s);
  account->on_pong({ping.target, {}, std::nullopt});
  auto next = wait_send();
  EXPECT_EQ(next.bytes, "\r\n\r\n");
  EXPECT_TRUE(transport.resets().empty());
  EXPECT_EQ(account->snapshot().flow_failures, 0u);
}

TEST_F(FlowFixture, WithoutRequireOutboundAMissingPongIsNoFailure) {
  register_outbound({"Flow-Timer: 20"});
  auto ping = wait_send();
  EXPECT_TRUE(stun::looks_like_stun(ping.bytes));
  auto next = wait_send();  // 18 s later, still a ping, no REGISTER at 28 s
  EXPECT_TRUE(stun::looks_like_stun(next.bytes));
  EXPECT_DOUBLE_EQ(at_s(next), 36.0);
  EXPECT_EQ(account->snapshot().flow_failures, 0u);
}

TEST_F(FlowFixture, StunMappedAddressChangeIsAFlowFailure) {
  register_outbound({"Require: outbound", "Flow-Timer: 20"});
  auto ping = wait_send();
  stun_answer(ping, "192.0.2.1", 40000);
  auto next = wait_send();
  stun_answer(next, "192.0.2.1", 40001);  // the NAT rebound us
  auto reg = next_request();
  EXPECT_EQ(reg.method(), "REGISTER");
  EXPECT_DOUBLE_EQ(at_s(reg), 36.0);
  EXPECT_EQ(account->snapshot().flow_failures, 1u);
}

TEST_F(FlowFixture, AStunAnswerToAnotherTransactionIsIgnored) {
  register_outbound({"Require: outbound", "Flow-Timer: 20"});
  auto ping = wait_send();
  account->on_pong({ping.target, std::string(12, 'x'), std::nullopt});
  auto reg = wait_send();
  EXPECT_EQ(reg.method(), "REGISTER");
  EXPECT_DOUBLE_EQ(at_s(reg), 28.0);
}

}  // namespace
}  // namespace sipline::account_test
