// Non-INVITE client transactions (RFC 3261 §17.1.2) through the TransactionLayer, on a virtual
// clock with the fake transport: exact send times, exactly-once final events, re-entrancy.
#include <memory>

#include "txn_test_util.hpp"

namespace sipline::txn_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using ClientTest = LayerTest;

TEST_F(ClientTest, UdpRetransmitsDoublingToT2UntilTimerFThenTimesOutOnce) {
  start(kUdp, "z9hG4bKa");
  timers_.advance(60s);
  // E: 500, 1000, 2000, 4000, 4000 ... ms between sends; F at 64*T1 = 32 s.
  EXPECT_THAT(sends_to(kUdp),
              ElementsAre(0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500));
  EXPECT_THAT(events_, ElementsAre("32000 timeout"));
  EXPECT_EQ(layer_.counters().client_started, 1u);
  EXPECT_EQ(layer_.counters().retransmissions, 10u);
  EXPECT_EQ(layer_.counters().timeouts, 1u);
  EXPECT_EQ(layer_.client_count(), 0u);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(ClientTest, ProvisionalMovesToProceedingWhereERunsAtT2) {
  start(kUdp, "z9hG4bKa");
  timers_.advance(600ms);
  ASSERT_TRUE(reply("z9hG4bKa", 100));
  timers_.advance(19400ms);  // now 20000
  ASSERT_TRUE(reply("z9hG4bKa", 180));
  ASSERT_TRUE(reply("z9hG4bKa", 200));
  timers_.advance(60s);
  // The E armed in Trying (1000 ms, due at 1500) still fires; every later one is T2.
  EXPECT_THAT(sends_to(kUdp), ElementsAre(0, 500, 1500, 5500, 9500, 13500, 17500));
  EXPECT_THAT(events_, ElementsAre("600 100", "20000 180", "20000 200"));
  EXPECT_EQ(layer_.counters().timeouts, 0u);
}

TEST_F(ClientTest, ProvisionalDoesNotStopTimerF) {
  start(kUdp, "z9hG4bKa");
  ASSERT_TRUE(reply("z9hG4bKa", 100));
  timers_.advance(60s);
  EXPECT_THAT(events_, ElementsAre("0 100", "32000 timeout"));
}

TEST_F(ClientTest, FinalResponseReportedOnceAndRetransmissionsAbsorbedDuringK) {
  start(kUdp, "z9hG4bKa");
  timers_.advance(100ms);
  ASSERT_TRUE(reply("z9hG4bKa", 200));
  timers_.advance(1000ms);
  ASSERT_TRUE(reply("z9hG4bKa", 200));  // retransmitted final: absorbed
  ASSERT_TRUE(reply("z9hG4bKa", 180));  // a late provisional: absorbed too
  EXPECT_THAT(events_, ElementsAre("100 200"));
  EXPECT_EQ(layer_.counters().response_retransmissions, 2u);
  EXPECT_EQ(layer_.counters().stray_responses, 0u);
  EXPECT_EQ(layer_.client_count(), 1u);  // Completed, timer K = T4

  timers_.advance(3999ms);  // 5099 ms: K (armed at 100 for T4 = 5000 ms) not yet
  EXPECT_EQ(layer_.client_count(), 1u);
  // K ends on the next whole second of the clock after T4 (the sweeps of thousands of
  // accounts share a wake-up): at most a second late, never early.
  timers_.advance(1000ms);
  EXPECT_EQ(layer_.client_count(), 0u);
  ASSERT_TRUE(reply("z9hG4bKa", 200));
  EXPECT_EQ(layer_.counters().stray_responses, 1u);
  EXPECT_THAT(sends_to(kUdp), ElementsAre(0));  // no retransmission after the final
  EXPECT_THAT(events_, ElementsAre("100 200"));
  EXPECT_EQ(timers_.pending(), 0u);
}

// Admission reads a response that came only after the request was sent again as congestion.
TEST_F(ClientTest, AResponseSaysWhetherTheRequestHadToBeSentAgain) {
  std::vector<std::string> seen;
  const auto record = [&](const txn::ClientEvent& e) {
    if (const auto* r = std::get_if<txn::ResponseEvent>(&e)) {
      seen.push_back(std::to_string(r->response.status_code()) +
                     (r->retransmitted ? " re-sent" : " first"));
    }
  };
  layer_.send_request(kUdp, "z9hG4bKa", "OPTIONS", request_text("z9hG4bKa", "OPTIONS"), record);
  layer_.send_request(kUdp, "z9hG4bKb", "OPTIONS", request_text("z9hG4bKb", "OPTIONS"), record);
  timers_.advance(400ms);
  ASSERT_TRUE(reply("z9hG4bKa", 200));  // before timer E: sent once
  timers_.advance(200ms);               // E re-sent b at 500 ms
  ASSERT_TRUE(reply("z9hG4bKb", 100));
  ASSERT_TRUE(reply("z9hG4bKb", 200));
  EXPECT_THAT(seen, ElementsAre("200 first", "100 re-sent", "200 re-sent"));
  // Over TCP nothing is re-sent (no timer E): never.
  seen.clear();
  layer_.send_request(kTcp, "z9hG4bKc", "OPTIONS", request_text("z9hG4bKc", "OPTIONS"), record);
  timers_.advance(10s);
  ASSERT_TRUE(reply("z9hG4bKc", 200, "OPTIONS", {Protocol::kTcp, "127.0.0.1", 5070}));
  EXPECT_THAT(seen, ElementsAre("200 first"));
}

TEST_F(ClientTest, ErrorResponsesAreFinalToo) {
  start(kUdp, "z9hG4bKa");
  ASSERT_TRUE(reply("z9hG4bKa", 503));
  timers_.advance(60s);
  EXPECT_THAT(events_, ElementsAre("0 503"));
}

TEST_F(ClientTest, TcpNeverRetransmitsButTimerFStillApplies) {
  start(kTcp, "z9hG4bKa");
  timers_.advance(31999ms);
  EXPECT_THAT(events_, IsEmpty());
  timers_.advance(60s);
  EXPECT_THAT(sends_to(kTcp), ElementsAre(0));
  EXPECT_THAT(events_, ElementsAre("32000 timeout"));
  EXPECT_EQ(layer_.counters().retransmissions, 0u);
}

TEST_F(ClientTest, TcpFinalTerminatesAtOnceBecauseKIsZero) {
  start(kTcp, "z9hG4bKa");
  timers_.advance(10ms);
  ASSERT_TRUE(reply("z9hG4bKa", 200, "OPTIONS", kTcp.remote));
  EXPECT_EQ(layer_.client_count(), 0u);
  EXPECT_EQ(timers_.pending(), 0u);
  ASSERT_TRUE(reply("z9hG4bKa", 200, "OPTIONS", kTcp.remote));
  EXPECT_EQ(layer_.counters().stray_responses, 1u);
  EXPECT_THAT(events_, ElementsAre("10 200"));
}

TEST_F(ClientTest, ResponseWithUnknownBranchIsStray) {
  start(kUdp, "z9hG4bKa");
  ASSERT_TRUE(reply("z9hG4bKother", 200));
  EXPECT_EQ(layer_.counters().stray_responses, 1u);
  EXPECT_THAT(events_, IsEmpty());
}

TEST_F(ClientTest, SameBranchWithOtherCSeqMethodIsStray) {
  start(kUdp, "z9hG4bKa", "OPTIONS");
  ASSERT_TRUE(reply("z9hG4bKa", 200, "REGISTER"));
  EXPECT_EQ(layer_.counters().stray_responses, 1u);
  EXPECT_THAT(events_, IsEmpty());
  ASSERT_TRUE(reply("z9hG4bKa", 200, "OPTIONS"));
  EXPECT_THAT(events_, ElementsAre("0 200"));
}

TEST_F(ClientTest, BranchesWithDifferentMethodsAreSeparateTransactions) {
  start(kUdp, "z9hG4bKa", "REGISTER");
  start(kUdp, "z9hG4bKa", "CANCEL");
  ASSERT_TRUE(reply("z9hG4bKa", 200, "CANCEL"));
  ASSERT_TRUE(reply("z9hG4bKa", 401, "REGISTER"));
  EXPECT_THAT(events_, ElementsAre("0 200", "0 401"));
}

TEST_F(ClientTest, ResponseWithoutUsableViaOrCSeqIsMalformed) {
  start(kUdp, "z9hG4bKa");
  std::string no_via = response_text("z9hG4bKa", 200);
  no_via.erase(no_via.find("Via:"), no_via.find("From:") - no_via.find("Via:"));
  std::string bad_cseq = response_text("z9hG4bKa", 200);
  bad_cseq.replace(bad_cseq.find("CSeq: 7"), 7, "CSeq: x");
  ASSERT_TRUE(transport_.inject(no_via, kPeerUdp));
  ASSERT_TRUE(transport_.inject(bad_cseq, kPeerUdp));
  EXPECT_EQ(layer_.counters().malformed, 2u);
  EXPECT_EQ(layer_.counters().stray_responses, 0u);
  EXPECT_THAT(events_, IsEmpty());
}

TEST_F(ClientTest, TransportErrorFailsPendingTransactionsToThatTargetOnly) {
  start(kUdp, "z9hG4bKa");
  start(kUdp, "z9hG4bKb");
  start(kUdp2, "z9hG4bKc");
  timers_.advance(100ms);
  transport_.inject_error(transport::TransportErrorKind::kSendFailed, kUdp);
  const std::string failed =
      "100 error:" + std::string(transport::to_string(transport::TransportErrorKind::kSendFailed));
  EXPECT_THAT(events_, ElementsAre(failed, failed));
  EXPECT_EQ(layer_.counters().transport_errors, 2u);
  ASSERT_TRUE(reply("z9hG4bKc", 200));
  timers_.advance(60s);
  EXPECT_EQ(events_.size(), 3u);
  EXPECT_EQ(events_.back(), "100 200");
  EXPECT_THAT(sends_to(kUdp), ElementsAre(0, 0));  // their timers died with them
}

TEST_F(ClientTest, TransportErrorLeavesCompletedTransactionsAlone) {
  start(kUdp, "z9hG4bKa");
  ASSERT_TRUE(reply("z9hG4bKa", 200));
  transport_.inject_error(transport::TransportErrorKind::kConnectionLost, kUdp);
  EXPECT_THAT(events_, ElementsAre("0 200"));
}

TEST_F(ClientTest, SendFailureReportedLaterFailsTheTransaction) {
  transport_.fail_sends_to(kTcp, transport::TransportErrorKind::kConnectFailed);
  start(kTcp, "z9hG4bKa");
  EXPECT_THAT(events_, IsEmpty());  // never inside send_request
  timers_.advance(1ms);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].rfind("0 error:", 0), 0u);
  EXPECT_EQ(layer_.client_count(), 0u);
}

TEST_F(ClientTest, CancelStopsEveryCallbackAndTimer) {
  const auto h = start(kUdp, "z9hG4bKa");
  timers_.advance(600ms);
  layer_.cancel(h);
  EXPECT_EQ(timers_.pending(), 0u);
  timers_.advance(60s);
  ASSERT_TRUE(reply("z9hG4bKa", 200));
  EXPECT_THAT(events_, IsEmpty());
  EXPECT_THAT(sends_to(kUdp), ElementsAre(0, 500));
  EXPECT_EQ(layer_.counters().stray_responses, 1u);
  layer_.cancel(h);  // twice, or an unknown handle: no-op
  layer_.cancel(12345);
}

TEST_F(ClientTest, CallbackMayCancelItsOwnTransactionOnAProvisional) {
  std::uint64_t h = 0;
  int calls = 0;
  h = layer_.send_request(kUdp, "z9hG4bKa", "OPTIONS", request_text("z9hG4bKa"),
                          [&](const txn::ClientEvent&) {
                            ++calls;
                            layer_.cancel(h);
                          });
  ASSERT_TRUE(reply("z9hG4bKa", 100));
  ASSERT_TRUE(reply("z9hG4bKa", 200));
  timers_.advance(60s);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(layer_.client_count(), 0u);
}

TEST_F(ClientTest, CallbackStartsANewTransactionReentrantly) {
  int finals = 0;
  std::function<void(const txn::ClientEvent&)> again = [&](const txn::ClientEvent& e) {
    events_.push_back(std::to_string(now_ms()) + " " + describe(e));
    if (++finals < 3) {
      const std::string branch = "z9hG4bKr" + std::to_string(finals);
      layer_.send_request(kUdp, branch, "OPTIONS", request_text(branch), again);
    }
  };
  layer_.send_request(kUdp, "z9hG4bKr0", "OPTIONS", request_text("z9hG4bKr0"), again);
  timers_.advance(40s);                  // r0 times out at 32 s and starts r1
  ASSERT_TRUE(reply("z9hG4bKr1", 200));  // r1's callback starts r2 from inside on_message
  timers_.advance(40s);
  EXPECT_THAT(events_, ElementsAre("32000 timeout", "40000 200", "72000 timeout"));
  EXPECT_EQ(layer_.counters().client_started, 3u);
  EXPECT_EQ(layer_.client_count(), 0u);
}

TEST_F(ClientTest, CallbackMayDestroyTheLayer) {
  auto layer =
      std::make_unique<txn::TransactionLayer>(timers_, transport_, txn::TimerConfig{}, &random_);
  transport_.set_user(layer.get());
  int calls = 0;
  auto destroy = [&](const txn::ClientEvent&) {
    ++calls;
    layer.reset();
    transport_.set_user(nullptr);
  };
  layer->send_request(kUdp, "z9hG4bKa", "OPTIONS", request_text("z9hG4bKa"), destroy);
  layer->send_request(kUdp, "z9hG4bKb", "OPTIONS", request_text("z9hG4bKb"), destroy);
  timers_.advance(100ms);
  transport_.inject_error(transport::TransportErrorKind::kSendFailed, kUdp);  // fails both
  EXPECT_EQ(calls, 1);  // the first callback destroyed the layer: the second never runs
  EXPECT_EQ(timers_.pending(), 0u);
  timers_.advance(60s);
  EXPECT_EQ(calls, 1);
}

TEST_F(ClientTest, TimerChangeAppliesToNewTransactionsOnly) {
  start(kUdp, "z9hG4bKold");
  layer_.set_timer_config({.t1 = 100ms, .t2 = 400ms, .t4 = 1000ms});
  EXPECT_EQ(layer_.timer_config().t1, 100ms);
  start(kUdp2, "z9hG4bKnew");
  timers_.advance(60s);
  EXPECT_THAT(sends_to(kUdp),
              ElementsAre(0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500));
  // New: E 100, 200, 400, 400 ...; F at 6400.
  EXPECT_THAT(sends_to(kUdp2), ElementsAre(0, 100, 300, 700, 1100, 1500, 1900, 2300, 2700, 3100,
                                           3500, 3900, 4300, 4700, 5100, 5500, 5900, 6300));
  EXPECT_THAT(events_, ElementsAre("6400 timeout", "32000 timeout"));
}

TEST_F(ClientTest, FinalAtTheSameInstantAsTimerENeverRetransmitsAfterward) {
  start(kUdp, "z9hG4bKa");
  timers_.advance(500ms);  // E fires at 500
  ASSERT_TRUE(reply("z9hG4bKa", 200));
  timers_.advance(60s);
  EXPECT_THAT(sends_to(kUdp), ElementsAre(0, 500));
  EXPECT_THAT(events_, ElementsAre("500 200"));
}

// A transaction waiting for its answer holds one timer of the service (E and F share it), and
// once answered none but the layer's sweep of completed keys: the 32 s timeout does not linger.
TEST_F(ClientTest, AWaitingTransactionHoldsOneTimerAndItsTimeoutGoesWithTheAnswer) {
  start(kUdp, "z9hG4bKa");
  EXPECT_EQ(timers_.pending(), 1u);
  timers_.advance(500ms);  // E fired, armed again
  EXPECT_EQ(timers_.pending(), 1u);
  ASSERT_TRUE(reply("z9hG4bKa", 200));
  // Completed (timer K) keeps only the key, with its expiry: no timer at all.
  EXPECT_EQ(timers_.pending(), 0u);
  EXPECT_EQ(layer_.client_count(), 1u);
  timers_.advance(4s);
  ASSERT_TRUE(reply("z9hG4bKa", 200));  // within T4: absorbed
  EXPECT_EQ(layer_.counters().response_retransmissions, 1u);
  timers_.advance(2s);
  EXPECT_EQ(layer_.client_count(), 0u);  // expired
  ASSERT_TRUE(reply("z9hG4bKa", 200));   // past T4: a stray
  EXPECT_EQ(layer_.counters().stray_responses, 1u);
  EXPECT_EQ(layer_.counters().response_retransmissions, 1u);
}

// With T2 = T1, E comes every T1 and its 64th firing falls on F's deadline: F, armed first,
// fires first (as two separate timers would), so the request is not sent a 65th time.
TEST_F(ClientTest, TimerFArmedFirstWinsATieWithTimerE) {
  layer_.set_timer_config({.t1 = 500ms, .t2 = 500ms, .t4 = 5000ms});
  start(kUdp, "z9hG4bKtie");
  timers_.advance(60s);
  const auto sends = sends_to(kUdp);
  ASSERT_EQ(sends.size(), 64u);  // 0, 500, ..., 31500
  EXPECT_EQ(sends.back(), 31500);
  EXPECT_THAT(events_, ElementsAre("32000 timeout"));
}

}  // namespace
}  // namespace sipline::txn_test
