// The account's calls on the virtual clock (account::Calls): the incoming policy (server-only
// 403, another user 404, max_calls 486), auto_answer after its delay, CANCEL → 487 into the
// history, and the Request-URI of a call to a bare user. RTP ports are real sockets (not run).
#include <gtest/gtest.h>

#include <asio/io_context.hpp>

#include "account_test_util.hpp"

using namespace sipline;
using namespace sipline::account_test;

namespace {

const transport::Address kStranger{transport::Protocol::kUdp, "127.0.0.66", 5060};

struct CallsFixture : Fixture {
  asio::io_context io;
  media::PortAllocator ports{41000, 41999};
  account::CallMediaEnv env{io, timers, ports, ""};
  // The account's calls hold RTP sockets of `io`: they go before it does (members of this
  // fixture are destroyed before the base's account).
  ~CallsFixture() override { account.reset(); }

  void start_calls() {
    calls_env = &env;
    start();
    transport.take_sent();  // the REGISTER: not what these tests look at
  }
  account::Calls& calls() { return *account->calls(); }

  void invite(const std::string& call_id, const transport::Address& from = kServer,
              const std::string& user = "1001") {
    const std::string sdp =
        "v=0\r\no=- 1 1 IN IP4 127.0.0.9\r\ns=-\r\nc=IN IP4 127.0.0.9\r\nt=0 0\r\n"
        "m=audio 40000 RTP/AVP 8 0\r\n";
    std::string s = "INVITE sip:" + user + "@127.0.0.1:5060 SIP/2.0\r\n" +
                    "Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-" + call_id +
                    "\r\nFrom: <sip:1002@127.0.0.9>;tag=caller\r\nTo: <sip:" + user +
                    "@127.0.0.9>\r\nCall-ID: " + call_id +
                    "\r\nCSeq: 1 INVITE\r\nContact: <sip:1002@127.0.0.9:5060>\r\n"
                    "Content-Type: application/sdp\r\nContent-Length: " +
                    std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
    ASSERT_TRUE(transport.inject(s, from));
  }
  void cancel(const std::string& call_id) {
    std::string s =
        "CANCEL sip:1001@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP "
        "127.0.0.9:5060;branch=z9hG4bK-" +
        call_id +
        "\r\nFrom: <sip:1002@127.0.0.9>;tag=caller\r\nTo: <sip:1001@127.0.0.9>\r\n"
        "Call-ID: " +
        call_id + "\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n";
    ASSERT_TRUE(transport.inject(s, kServer));
  }
  // The status codes of the responses sent since the last look, in order.
  std::vector<int> codes() {
    std::vector<int> out;
    for (const auto& m : transport.take_sent()) {
      if (m.status_code() != 0) out.push_back(m.status_code());
    }
    return out;
  }
};

TEST_F(CallsFixture, AutoAnswerWaitsItsDelay) {
  cfg.auto_answer = true;
  cfg.auto_answer_delay_s = std::chrono::seconds(2);
  start_calls();
  invite("c1");
  EXPECT_EQ(codes(), (std::vector<int>{180}));
  timers.advance(1900ms);
  EXPECT_EQ(codes(), (std::vector<int>{}));  // still ringing
  EXPECT_EQ(calls().records().at(0).state, "incoming");
  timers.advance(200ms);
  EXPECT_EQ(codes(), (std::vector<int>{200}));
  EXPECT_EQ(calls().records().at(0).state, "confirmed");
  EXPECT_TRUE(calls().records().at(0).answered_at.has_value());
}

TEST_F(CallsFixture, IncomingPolicyRefusesBeforeAnyCall) {
  cfg.max_calls = 1;
  cfg.accept_calls_from_server_only = true;
  start_calls();
  invite("from-stranger", kStranger);
  EXPECT_EQ(codes(), (std::vector<int>{403}));
  invite("other-user", kServer, "1009");
  EXPECT_EQ(codes(), (std::vector<int>{404}));
  EXPECT_TRUE(calls().records().empty());
  invite("first");
  EXPECT_EQ(codes(), (std::vector<int>{180}));
  invite("second");
  EXPECT_EQ(codes(), (std::vector<int>{486}));
  EXPECT_EQ(calls().active(), 1u);
  EXPECT_EQ(calls().records().size(), 1u);
}

TEST_F(CallsFixture, CancelEnds487IntoTheHistory) {
  start_calls();
  invite("c1");
  EXPECT_EQ(codes(), (std::vector<int>{180}));
  cancel("c1");
  const auto sent = codes();
  EXPECT_NE(std::find(sent.begin(), sent.end(), 487), sent.end());
  EXPECT_NE(std::find(sent.begin(), sent.end(), 200), sent.end());  // the CANCEL's
  timers.advance(1ms);                                              // the call object goes
  ASSERT_EQ(calls().records().size(), 1u);
  const account::CallRecord r = calls().records()[0];
  EXPECT_EQ(r.state, "ended");
  ASSERT_TRUE(r.outcome.has_value());
  EXPECT_EQ(r.outcome->status_code, 487);
  EXPECT_TRUE(r.outcome->ended_by_remote);
  EXPECT_EQ(calls().active(), 0u);
  EXPECT_EQ(calls().answer(r.id), account::CallAction::kNotNow);
  EXPECT_EQ(calls().answer(r.id + 100), account::CallAction::kUnknown);
}

TEST_F(CallsFixture, BareUserIsCalledAtTheServerAsWritten) {
  cfg.sip_server = {"127.0.0.9", 5080};
  start_calls();
  auto id = calls().dial("1002", false);
  ASSERT_TRUE(id.ok());
  auto sent = transport.take_sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(std::string(sent[0].parse().request_uri()), "sip:1002@127.0.0.9:5080");
  EXPECT_EQ(calls().record(id.value())->state, "calling");
  EXPECT_EQ(account::Calls::target_uri(cfg, "sip:x@y"), "sip:x@y");
  EXPECT_FALSE(calls().dial("", false).ok());
}

}  // namespace
