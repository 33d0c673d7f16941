// INVITE server transactions (RFC 3261 §17.2.1, RFC 6026 Accepted), ACK matching and CANCEL
// (§9.2) through the TransactionLayer, on a virtual clock with the fake transport.
#include <optional>

#include "msg/writer.hpp"
#include "txn_test_util.hpp"

namespace sipline::txn_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class InviteServerTest : public LayerTest {
 protected:
  InviteServerTest() {
    layer_.set_request_handler("INVITE",
                               [this](const msg::Message& r, const Address&, txn::Respond respond) {
                                 invite_ = r;
                                 respond_ = std::move(respond);
                               });
    layer_.set_request_handler("ACK", [this](const msg::Message& r, const Address&, txn::Respond) {
      acks_.push_back(std::string(r.top_via()->branch()));
    });
  }
  void answer(int code) {
    (*respond_)(msg::response_to(*invite_, code, "Whatever", "mine").finish());
  }
  Req ack(std::string branch = "z9hG4bKpeer1") const {
    Req r;
    r.method = "ACK";
    r.branch = std::move(branch);
    r.to_tag = "mine";
    return r;
  }
  std::vector<int> codes() const {
    std::vector<int> out;
    for (const auto& m : transport_.sent()) out.push_back(m.status_code());
    return out;
  }
  static Req invite() {
    Req r;
    r.method = "INVITE";
    return r;
  }

  std::optional<msg::Message> invite_;
  std::optional<txn::Respond> respond_;
  std::vector<std::string> acks_;
};

TEST_F(InviteServerTest, TryingAfter200msWhenTheUserHasNotAnswered) {
  ASSERT_TRUE(transport_.inject(invite().text(), kPeerUdp));
  ASSERT_TRUE(respond_.has_value());
  timers_.advance(199ms);
  EXPECT_THAT(transport_.sent(), IsEmpty());
  timers_.advance(1ms);
  ASSERT_THAT(codes(), ElementsAre(100));
  EXPECT_TRUE(transport_.sent()[0].parse().to()->tag().empty());  // §8.2.6.1: no To tag
  timers_.advance(300ms);
  ASSERT_TRUE(transport_.inject(invite().text(), kPeerUdp));  // retransmitted: the 100 again
  EXPECT_THAT(transport_.sent_offsets_ms(t0_), ElementsAre(200, 500));
}

TEST_F(InviteServerTest, NoTryingWhenTheUserRingsFirst) {
  ASSERT_TRUE(transport_.inject(invite().text(), kPeerUdp));
  timers_.advance(50ms);
  answer(180);
  timers_.advance(10s);
  ASSERT_TRUE(transport_.inject(invite().text(), kPeerUdp));  // the last provisional again
  EXPECT_THAT(codes(), ElementsAre(180, 180));
}

TEST_F(InviteServerTest, UdpNonSuccessRetransmittedByTimerGUntilTheAckWhichIsAbsorbed) {
  ASSERT_TRUE(transport_.inject(invite().text(), kPeerUdp));
  answer(486);
  timers_.advance(8000ms);
  ASSERT_TRUE(transport_.inject(ack().text(), kPeerUdp));
  EXPECT_THAT(transport_.sent_offsets_ms(t0_), ElementsAre(0, 500, 1500, 3500, 7500));
  timers_.advance(20s);
  EXPECT_EQ(transport_.sent().size(), 5u);
  EXPECT_THAT(acks_, IsEmpty());  // the transaction's own ACK never reaches the user
  EXPECT_EQ(layer_.counters().acks_absorbed, 1u);
  EXPECT_EQ(layer_.server_count(), 0u);
}

TEST_F(InviteServerTest, TimerGIsCappedAtT2AndTimerHGivesUp) {
  ASSERT_TRUE(transport_.inject(invite().text(), kPeerUdp));
  answer(603);
  timers_.advance(40s);
  EXPECT_THAT(transport_.sent_offsets_ms(t0_),
              ElementsAre(0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500));
  EXPECT_EQ(layer_.counters().ack_timeouts, 1u);
  EXPECT_EQ(layer_.server_count(), 0u);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(InviteServerTest, UdpTimerIKeepsAbsorbingAcksForT4) {
  ASSERT_TRUE(transport_.inject(invite().text(), kPeerUdp));
  answer(486);
  ASSERT_TRUE(transport_.inject(ack().text(), kPeerUdp));
  timers_.advance(4999ms);
  ASSERT_TRUE(transport_.inject(ack().text(), kPeerUdp));
  EXPECT_EQ(layer_.counters().acks_absorbed, 2u);
  EXPECT_EQ(layer_.server_count(), 1u);
  timers_.advance(1ms);
  EXPECT_EQ(layer_.server_count(), 0u);
}

TEST_F(InviteServerTest, TcpNonSuccessIsNeverRetransmittedAndTheAckEndsIt) {
  Req r = invite();
  r.transport = "TCP";
  const Address peer{Protocol::kTcp, "127.0.0.1", 5070};
  ASSERT_TRUE(transport_.inject(r.text(), peer));
  answer(486);
  timers_.advance(10s);
  EXPECT_THAT(codes(), ElementsAre(486));
  Req a = ack();
  a.transport = "TCP";
  ASSERT_TRUE(transport_.inject(a.text(), peer));
  EXPECT_EQ(layer_.server_count(), 0u);
  EXPECT_THAT(acks_, IsEmpty());
}

TEST_F(InviteServerTest, SuccessIsRetransmittedByTheUserAndItsAckGoesToTheUser) {
  ASSERT_TRUE(transport_.inject(invite().text(), kPeerUdp));
  answer(200);
  timers_.advance(500ms);
  answer(200);                                                // the user's retransmission
  ASSERT_TRUE(transport_.inject(invite().text(), kPeerUdp));  // absorbed in Accepted
  answer(486);                                                // not a 2xx: dropped
  ASSERT_TRUE(transport_.inject(ack("z9hG4bKnewbranch").text(), kPeerUdp));
  EXPECT_THAT(codes(), ElementsAre(200, 200));
  EXPECT_THAT(acks_, ElementsAre("z9hG4bKnewbranch"));
  timers_.advance(31499ms);  // timer L = 64*T1 after the first 2xx
  EXPECT_EQ(layer_.server_count(), 1u);
  timers_.advance(1ms);
  EXPECT_EQ(layer_.server_count(), 0u);
  answer(200);  // too late: the transaction is gone
  EXPECT_EQ(transport_.sent().size(), 2u);
}

TEST_F(InviteServerTest, CancelGets200AndGoesToTheUserWhoAnswersTheInvite487) {
  std::vector<std::string> cancels;
  layer_.set_request_handler("CANCEL", [&](const msg::Message& r, const Address&, txn::Respond) {
    cancels.push_back(std::string(r.call_id()));
    answer(487);
  });
  ASSERT_TRUE(transport_.inject(invite().text(), kPeerUdp));
  answer(180);
  Req cancel = invite();
  cancel.method = "CANCEL";
  ASSERT_TRUE(transport_.inject(cancel.text(), kPeerUdp));
  EXPECT_THAT(cancels, ElementsAre("call-1@peer"));
  ASSERT_THAT(codes(), ElementsAre(180, 200, 487));
  EXPECT_EQ(transport_.sent()[1].parse().cseq()->method, "CANCEL");
  EXPECT_EQ(transport_.sent()[2].parse().cseq()->method, "INVITE");
  ASSERT_TRUE(transport_.inject(ack().text(), kPeerUdp));
  EXPECT_EQ(layer_.counters().acks_absorbed, 1u);
  // A CANCEL after the final: 200, nothing else (§9.2).
  ASSERT_TRUE(transport_.inject(cancel.text(), kPeerUdp));  // retransmission: the 200 again
  EXPECT_THAT(codes(), ElementsAre(180, 200, 487, 200));
  EXPECT_EQ(cancels.size(), 1u);
}

TEST_F(InviteServerTest, CancelMatchingNoInviteGets481) {
  ASSERT_TRUE(transport_.inject(invite().text(), kPeerUdp));
  Req cancel = invite();
  cancel.method = "CANCEL";
  cancel.branch = "z9hG4bKother";
  ASSERT_TRUE(transport_.inject(cancel.text(), kPeerUdp));
  EXPECT_THAT(codes(), ElementsAre(481));
}

}  // namespace
}  // namespace sipline::txn_test
