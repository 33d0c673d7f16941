// INVITE client transactions (RFC 3261 §17.1.1, RFC 6026 Accepted) and CANCEL (§9.1) through the
// TransactionLayer, on a virtual clock with the fake transport: exact send times, the ACK for a
// non-2xx inside the transaction, every 2xx up to the user.
#include "txn/invite_client.hpp"

#include "txn_test_util.hpp"

namespace sipline::txn_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using InviteClientTest = LayerTest;

std::string header(const msg::Message& m, msg::HeaderId id) {
  const auto* h = m.find(id);
  return h ? std::string(h->value) : std::string("<absent>");
}

std::vector<std::string> methods(const std::vector<test::SentMessage>& sent) {
  std::vector<std::string> out;
  for (const auto& m : sent)
    out.push_back(m.status_code() ? std::to_string(m.status_code()) : m.method());
  return out;
}

TEST(InviteClientFsm, TimerADoublesWithoutT2Cap) {
  txn::InviteClient c({}, false);
  const txn::Actions s = c.start();
  EXPECT_TRUE(s.send);
  ASSERT_EQ(s.timers.size(), 2u);
  std::vector<std::int64_t> intervals;
  for (int i = 0; i < 5; ++i) {
    const txn::Actions a = c.on_timer(txn::TimerName::kA);
    EXPECT_TRUE(a.send);
    intervals.push_back(a.timers.at(0).delay->count());
  }
  EXPECT_THAT(intervals, ElementsAre(1000, 2000, 4000, 8000, 16000));
  EXPECT_EQ(c.on_timer(txn::TimerName::kB).report, txn::Report::kTimeout);
  EXPECT_EQ(c.state(), txn::InviteClientState::kTerminated);
  EXPECT_FALSE(c.on_timer(txn::TimerName::kA).send);  // a stale A cannot resend
}

TEST(InviteClientFsm, StatesByResponse) {
  struct Row {
    bool reliable;
    int code;
    txn::InviteClientState state;
    bool ack;
  };
  for (const Row& r : {Row{false, 180, txn::InviteClientState::kProceeding, false},
                       Row{false, 200, txn::InviteClientState::kAccepted, false},
                       Row{true, 200, txn::InviteClientState::kAccepted, false},
                       Row{false, 486, txn::InviteClientState::kCompleted, true},
                       Row{true, 486, txn::InviteClientState::kTerminated, true},
                       Row{false, 302, txn::InviteClientState::kCompleted, true}}) {
    txn::InviteClient c({}, r.reliable);
    c.start();
    const txn::Actions a = c.on_response(r.code);
    EXPECT_EQ(a.report, txn::Report::kResponse) << r.code;
    EXPECT_EQ(c.state(), r.state) << r.code;
    EXPECT_EQ(a.send_ack, r.ack) << r.code;
  }
}

TEST_F(InviteClientTest, UdpRetransmitsAtT1DoublingUntilTimerB) {
  start(kUdp, "z9hG4bKi", "INVITE");
  timers_.advance(60s);
  EXPECT_THAT(sends_to(kUdp), ElementsAre(0, 500, 1500, 3500, 7500, 15500, 31500));
  EXPECT_THAT(events_, ElementsAre("32000 timeout"));
  EXPECT_EQ(layer_.client_count(), 0u);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(InviteClientTest, TcpNeverRetransmitsAndTimesOutAtB) {
  start(kTcp, "z9hG4bKi", "INVITE");
  timers_.advance(60s);
  EXPECT_THAT(sends_to(kTcp), ElementsAre(0));
  EXPECT_THAT(events_, ElementsAre("32000 timeout"));
}

TEST_F(InviteClientTest, ProvisionalStopsRetransmissionsAndTimerB) {
  start(kUdp, "z9hG4bKi", "INVITE");
  timers_.advance(700ms);
  reply("z9hG4bKi", 180, "INVITE");
  timers_.advance(120s);  // ringing: the UA core decides how long
  EXPECT_THAT(sends_to(kUdp), ElementsAre(0, 500));
  EXPECT_THAT(events_, ElementsAre("700 180"));
  EXPECT_EQ(layer_.client_count(), 1u);
}

TEST_F(InviteClientTest, NonSuccessFinalIsAckedWithTheSameBranchForEachRetransmission) {
  start(kUdp, "z9hG4bKi", "INVITE");
  timers_.advance(100ms);
  reply("z9hG4bKi", 180, "INVITE");
  timers_.advance(1000ms);
  reply("z9hG4bKi", 486, "INVITE");
  timers_.advance(2000ms);
  reply("z9hG4bKi", 486, "INVITE");  // our ACK was lost: the final again
  EXPECT_THAT(events_, ElementsAre("100 180", "1100 486"));
  const auto sent = transport_.sent();
  ASSERT_THAT(methods(sent), ElementsAre("INVITE", "ACK", "ACK"));
  EXPECT_EQ(sent[1].bytes, sent[2].bytes);
  EXPECT_THAT(transport_.sent_offsets_ms(t0_), ElementsAre(0, 1100, 3100));
  const msg::Message ack = sent[1].parse();
  EXPECT_EQ(ack.request_uri(), "sip:peer@127.0.0.1");
  EXPECT_EQ(ack.top_via()->branch(), "z9hG4bKi");
  EXPECT_EQ(ack.values(msg::HeaderId::kVia).size(), 1u);
  EXPECT_EQ(header(ack, msg::HeaderId::kTo), "<sip:peer@127.0.0.1>;tag=theirs");
  EXPECT_EQ(header(ack, msg::HeaderId::kFrom), "<sip:me@127.0.0.1>;tag=mytag");
  EXPECT_EQ(header(ack, msg::HeaderId::kCSeq), "7 ACK");
  EXPECT_EQ(header(ack, msg::HeaderId::kCallId), "mycall");
  EXPECT_EQ(layer_.counters().ack_retransmissions, 1u);
  // Timer D (32 s): after it, the final is a stray.
  timers_.advance(32s);
  EXPECT_EQ(layer_.client_count(), 0u);
  reply("z9hG4bKi", 486, "INVITE");
  EXPECT_EQ(transport_.sent().size(), 3u);
  EXPECT_EQ(layer_.counters().stray_responses, 1u);
}

TEST_F(InviteClientTest, TcpNonSuccessFinalIsAckedAndTerminatesAtOnce) {
  start(kTcp, "z9hG4bKi", "INVITE");
  reply("z9hG4bKi", 603, "INVITE");
  EXPECT_THAT(methods(transport_.sent()), ElementsAre("INVITE", "ACK"));
  EXPECT_EQ(layer_.client_count(), 0u);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(InviteClientTest, EverySuccessGoesToTheUserUntilTimerMAndTheLayerNeverAcksIt) {
  start(kUdp, "z9hG4bKi", "INVITE");
  timers_.advance(200ms);
  reply("z9hG4bKi", 200, "INVITE");
  timers_.advance(500ms);
  reply("z9hG4bKi", 200, "INVITE");  // retransmitted: the user ACKs it again
  reply("z9hG4bKi", 486, "INVITE");  // not a 2xx in Accepted: dropped
  timers_.advance(10s);
  EXPECT_THAT(sends_to(kUdp), ElementsAre(0));  // no retransmission, no ACK from the layer
  EXPECT_THAT(events_, ElementsAre("200 200", "700 200"));
  timers_.advance(22s);  // M = 64*T1 after the first 2xx
  EXPECT_EQ(layer_.client_count(), 0u);
  reply("z9hG4bKi", 200, "INVITE");
  EXPECT_EQ(events_.size(), 2u);
}

TEST_F(InviteClientTest, CancelCopiesTheInviteAndIsItsOwnTransaction) {
  const std::uint64_t invite = start(kUdp, "z9hG4bKi", "INVITE");
  reply("z9hG4bKi", 180, "INVITE");
  std::vector<std::string> cancel_events;
  const std::uint64_t cancel = layer_.send_cancel(
      invite, [&](const txn::ClientEvent& e) { cancel_events.push_back(describe(e)); });
  ASSERT_NE(cancel, 0u);
  const auto sent = transport_.sent();
  ASSERT_THAT(methods(sent), ElementsAre("INVITE", "CANCEL"));
  const msg::Message c = sent[1].parse();
  EXPECT_EQ(c.request_uri(), "sip:peer@127.0.0.1");
  EXPECT_EQ(c.top_via()->branch(), "z9hG4bKi");
  EXPECT_EQ(header(c, msg::HeaderId::kTo), "<sip:peer@127.0.0.1>");
  EXPECT_EQ(header(c, msg::HeaderId::kCSeq), "7 CANCEL");
  EXPECT_EQ(sent[1].target, kUdp);
  reply("z9hG4bKi", 200, "CANCEL");  // the CANCEL's 200 does not touch the INVITE
  reply("z9hG4bKi", 487, "INVITE");
  EXPECT_THAT(cancel_events, ElementsAre("200"));
  EXPECT_THAT(events_, ElementsAre("0 180", "0 487"));
  EXPECT_THAT(methods(transport_.sent()), ElementsAre("INVITE", "CANCEL", "ACK"));
  EXPECT_EQ(layer_.send_cancel(invite, {}), 0u);  // a final came: nothing to cancel
}

TEST_F(InviteClientTest, TransportErrorFailsThePendingInvite) {
  start(kTcp, "z9hG4bKi", "INVITE");
  transport_.inject_error(transport::TransportErrorKind::kConnectFailed, kTcp);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].substr(0, 8), "0 error:");
  EXPECT_EQ(layer_.client_count(), 0u);
}

}  // namespace
}  // namespace sipline::txn_test
