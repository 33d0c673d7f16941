// RFC 2782 ordering of SRV targets and the TTL reader of DNS answers (transport/srv.hpp).
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "transport/srv.hpp"

namespace sipline::transport {
namespace {

std::vector<std::string> names(const std::vector<SrvRecord>& v) {
  std::vector<std::string> out;
  for (const auto& r : v) out.push_back(r.target);
  return out;
}

TEST(SrvPrefix, FollowsTheTransport) {
  EXPECT_EQ(srv_prefix(Protocol::kUdp), "_sip._udp.");
  EXPECT_EQ(srv_prefix(Protocol::kTcp), "_sip._tcp.");
  EXPECT_EQ(srv_prefix(Protocol::kTls), "_sips._tcp.");
}

TEST(SrvOrder, LowerPriorityFirstWhateverTheWeight) {
  base::SeededRandom random(7);
  auto out =
      order_srv({{20, 1000, 5060, "backup"}, {10, 0, 5060, "main"}, {30, 5, 5060, "last"}}, random);
  EXPECT_EQ(names(out), (std::vector<std::string>{"main", "backup", "last"}));
}

TEST(SrvOrder, DotTargetsAreDropped) {
  base::SeededRandom random(1);
  auto out = order_srv({{10, 0, 0, "."}, {20, 0, 5060, "b"}, {5, 1, 5060, ""}}, random);
  EXPECT_EQ(names(out), (std::vector<std::string>{"b"}));
}

TEST(SrvOrder, EveryRecordAppearsOnceAndTheDrawIsSeeded) {
  const std::vector<SrvRecord> in{
      {10, 1, 1, "a"}, {10, 2, 2, "b"}, {10, 3, 3, "c"}, {20, 0, 4, "d"}};
  base::SeededRandom r1(42);
  base::SeededRandom r2(42);
  auto one = order_srv(in, r1);
  auto two = order_srv(in, r2);
  EXPECT_EQ(one, two);
  ASSERT_EQ(one.size(), 4u);
  EXPECT_EQ(one.back().target, "d");
}

// The first pick of two equal-priority records follows their weights (RFC 2782): 3:1 here.
TEST(SrvOrder, WeightsSpreadTheFirstChoice) {
  base::SeededRandom random(2026);
  std::map<std::string, int> first;
  const int draws = 10000;
  for (int i = 0; i < draws; ++i) {
    ++first[order_srv({{10, 75, 5060, "big"}, {10, 25, 5060, "small"}}, random).front().target];
  }
  EXPECT_NEAR(first["big"], draws * 0.75, draws * 0.03);
  EXPECT_NEAR(first["small"], draws * 0.25, draws * 0.03);
}

// Weight 0 among weighted records is chosen first only rarely (RFC 2782), never never.
TEST(SrvOrder, ZeroWeightIsRareButPossible) {
  base::SeededRandom random(5);
  int zero_first = 0;
  for (int i = 0; i < 5000; ++i) {
    if (order_srv({{1, 0, 1, "zero"}, {1, 100, 1, "hundred"}}, random).front().target == "zero") {
      ++zero_first;
    }
  }
  EXPECT_GT(zero_first, 0);
  EXPECT_LT(zero_first, 250);
}

TEST(SrvOrder, AllZeroWeightsStillOrderEveryone) {
  base::SeededRandom random(3);
  auto out = order_srv({{1, 0, 1, "x"}, {1, 0, 2, "y"}}, random);
  EXPECT_EQ(out.size(), 2u);
}

// A hand-made answer: header, question "a.b" SRV IN, two SRV answers (TTL 300 and 60), the
// second naming the question by a compression pointer.
std::vector<unsigned char> srv_answer() {
  std::vector<unsigned char> m{0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0};
  const unsigned char question[] = {1, 'a', 1, 'b', 0, 0, 33, 0, 1};
  m.insert(m.end(), std::begin(question), std::end(question));
  const unsigned char rr1[] = {1,    'a', 1, 'b', 0,  0, 33, 0,    1,    0, 0,   0x01,
                               0x2C, 0,   9, 0,   10, 0, 5,  0x13, 0xC4, 1, 'x', 0};
  m.insert(m.end(), std::begin(rr1), std::end(rr1));
  const unsigned char rr2[] = {0xC0, 12, 0,  33, 0, 1,    0,    0, 0,   60, 0,
                               9,    0,  20, 0,  5, 0x13, 0xC4, 1, 'y', 0};
  m.insert(m.end(), std::begin(rr2), std::end(rr2));
  return m;
}

TEST(AnswerTtl, SmallestOfTheAnswers) {
  auto m = srv_answer();
  EXPECT_EQ(answer_min_ttl(m.data(), m.size()), 60u);
}

TEST(AnswerTtl, TruncatedOrEmptyIsNoTtl) {
  auto m = srv_answer();
  EXPECT_FALSE(answer_min_ttl(m.data(), m.size() - 3));
  EXPECT_FALSE(answer_min_ttl(m.data(), 11));
  EXPECT_FALSE(answer_min_ttl(nullptr, 0));
  std::vector<unsigned char> no_answer(m.begin(), m.begin() + 21);
  no_answer[7] = 0;  // ANCOUNT 0
  EXPECT_FALSE(answer_min_ttl(no_answer.data(), no_answer.size()));
}

TEST(AnswerTtl, PointerLoopsAndBadLabelsAreRejected) {
  std::vector<unsigned char> m{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x80, 'x', 0, 0, 33, 0, 1};
  EXPECT_FALSE(answer_min_ttl(m.data(), m.size()));
}

// RFC 3263 §4.1: usable NAPTR records by order, then preference; others dropped.
TEST(NaptrOrder, OrderThenPreferenceAndOnlyWhatSiplineSpeaks) {
  const std::vector<NaptrRecord> in{
      {20, 10, "s", "SIP+D2U", "_sip._udp.example.test."},
      {10, 50, "S", "sips+d2t", "_sips._tcp.example.test"},
      {10, 20, "s", "SIP+D2T", "_sip._tcp.example.test"},
      {5, 10, "s", "SIP+D2S", "_sip._sctp.example.test"},    // SCTP: not ours
      {5, 10, "u", "SIP+D2U", "!^.*$!sip:x@example.test!"},  // not an SRV name
      {5, 10, "s", "SIP+D2W", "_sip._ws.example.test"},      // WebSocket: not ours
      {1, 1, "s", "SIP+D2U", "."},                           // no replacement
  };
  const auto out = order_naptr(in, false);
  EXPECT_EQ(out, (std::vector<TransportOffer>{{Protocol::kTcp, "_sip._tcp.example.test"},
                                              {Protocol::kTls, "_sips._tcp.example.test"},
                                              {Protocol::kUdp, "_sip._udp.example.test"}}));
}

TEST(NaptrOrder, SipsUriKeepsOnlySipsOverTcp) {
  const std::vector<NaptrRecord> in{{10, 10, "s", "SIP+D2U", "_sip._udp.a.test"},
                                    {20, 10, "s", "SIPS+D2T", "_sips._tcp.a.test"}};
  EXPECT_EQ(order_naptr(in, true),
            (std::vector<TransportOffer>{{Protocol::kTls, "_sips._tcp.a.test"}}));
  EXPECT_TRUE(order_naptr({{10, 10, "s", "SIP+D2U", "_sip._udp.a.test"}}, true).empty());
}

TEST(NaptrOrder, EqualRecordsKeepTheServersOrder) {
  const std::vector<NaptrRecord> in{{10, 10, "s", "SIP+D2T", "_sip._tcp.b.test"},
                                    {10, 10, "s", "SIP+D2U", "_sip._udp.b.test"}};
  EXPECT_EQ(order_naptr(in, false)[0].protocol, Protocol::kTcp);
}

TEST(SrvFallbacks, UdpTcpTlsForSipAndTlsOnlyForSips) {
  EXPECT_EQ(srv_fallbacks("c.test", false),
            (std::vector<TransportOffer>{{Protocol::kUdp, "_sip._udp.c.test"},
                                         {Protocol::kTcp, "_sip._tcp.c.test"},
                                         {Protocol::kTls, "_sips._tcp.c.test"}}));
  EXPECT_EQ(srv_fallbacks("c.test", true),
            (std::vector<TransportOffer>{{Protocol::kTls, "_sips._tcp.c.test"}}));
}

}  // namespace
}  // namespace sipline::transport
