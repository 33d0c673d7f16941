// The account's calls on the virtual clock (account::Calls): the incoming policy (server-only
// 403, another user 404, max_calls 486), auto_answer after its delay, CANCEL → 487 into the
// history, and the Request-URI of a call to a bare user. In the dialog: hold by re-INVITE,
// UPDATE, INFO dtmf-relay, OPTIONS. RTP ports are real sockets (not run).
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
  account::Calls& calls() { return *account->open_calls(); }

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

// A fleet's accounts mostly never call: their call state is made by the first request of a
// call (or by placing one), and the engine's hooks see calls made that late.
TEST_F(CallsFixture, CallsAreMadeByTheFirstCallAndReportThroughTheEngineHooks) {
  std::vector<std::string> changes;
  std::vector<int> ended;
  env.on_change = [&](const account::Account& a, const account::CallRecord& now,
                      const std::string& before) {
    EXPECT_EQ(&a, account.get());
    changes.push_back(before + ">" + now.state);
  };
  env.on_ended = [&](const account::CallRecord& r) { ended.push_back(r.outcome->status_code); };
  start_calls();
  EXPECT_EQ(account->calls(), nullptr);
  invite("c1");
  ASSERT_NE(account->calls(), nullptr);
  EXPECT_EQ(codes(), (std::vector<int>{180}));
  ASSERT_EQ(calls().records().size(), 1u);
  const std::uint64_t id = calls().records().at(0).id;
  EXPECT_EQ(calls().hangup(id, true), account::CallAction::kOk);
  EXPECT_EQ(codes(), (std::vector<int>{603}));
  EXPECT_EQ(changes, (std::vector<std::string>{">incoming", "incoming>ended"}));
  EXPECT_EQ(ended, (std::vector<int>{603}));
}

TEST_F(CallsFixture, AStrayByeIsRefusedWithoutAnyCall) {
  start_calls();
  std::string bye =
      "BYE sip:1001@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-b1\r\n"
      "From: <sip:1002@127.0.0.9>;tag=a\r\nTo: <sip:1001@127.0.0.9>;tag=b\r\nCall-ID: none\r\n"
      "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
  ASSERT_TRUE(transport.inject(bye, kServer));
  EXPECT_EQ(codes(), (std::vector<int>{481}));
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

// In the dialog through the account's handlers: a re-INVITE putting the call on hold gets 200
// recvonly and the record says held; UPDATE reaches the call (not the layer's 405); INFO
// dtmf-relay counts a digit; OPTIONS keeps our To tag; a re-INVITE for no dialog gets 481.
TEST_F(CallsFixture, InDialogRequestsReachTheCall) {
  cfg.auto_answer = true;
  cfg.auto_answer_delay_s = std::chrono::seconds(0);
  start_calls();
  invite("c1");
  timers.advance(1ms);
  std::string tag;
  for (const auto& m : transport.take_sent()) {
    if (m.status_code() == 200) tag = std::string(m.parse().to()->tag());
  }
  ASSERT_FALSE(tag.empty());
  std::uint32_t cseq = 1;
  // Sends `method` inside call c1 (or `call_id`); the responses' (code, body) since.
  const auto request = [&](const std::string& method, const std::string& body,
                           const std::string& type, const std::string& call_id = "c1") {
    ++cseq;
    std::string s =
        method + " sip:1001@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP " +
        "127.0.0.9:5060;branch=z9hG4bK-" + method + std::to_string(cseq) +
        "\r\nFrom: <sip:1002@127.0.0.9>;tag=caller\r\nTo: <sip:1001@127.0.0.9>;tag=" + tag +
        "\r\nCall-ID: " + call_id + "\r\nCSeq: " + std::to_string(cseq) + " " + method +
        "\r\nContact: <sip:1002@127.0.0.9:5060>\r\n";
    if (!body.empty()) s += "Content-Type: " + type + "\r\n";
    s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    EXPECT_TRUE(transport.inject(s, kServer));
    std::vector<std::pair<int, std::string>> out;
    for (const auto& m : transport.take_sent()) {
      if (m.status_code() != 0) out.emplace_back(m.status_code(), std::string(m.parse().body()));
    }
    return out;
  };
  const std::string hold =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.9\r\ns=-\r\nc=IN IP4 127.0.0.9\r\nt=0 0\r\n"
      "m=audio 40000 RTP/AVP 8 0\r\na=sendonly\r\n";
  ASSERT_TRUE(
      transport.inject("ACK sip:1001@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP "
                       "127.0.0.9:5060;branch=z9hG4bK-ack1\r\nFrom: "
                       "<sip:1002@127.0.0.9>;tag=caller\r\nTo: <sip:1001@127.0.0.9>;tag=" +
                           tag + "\r\nCall-ID: c1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
                       kServer));
  auto r = request("INVITE", hold, "application/sdp");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].first, 200);
  EXPECT_NE(r[0].second.find("a=recvonly"), std::string::npos) << r[0].second;
  EXPECT_TRUE(calls().records().at(0).held);
  r = request("UPDATE", hold.substr(0, hold.find("a=sendonly")) + "a=sendrecv\r\n",
              "application/sdp");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].first, 200);
  EXPECT_FALSE(calls().records().at(0).held);
  r = request("INFO", "Signal=7\r\nDuration=100\r\n", "application/dtmf-relay");
  EXPECT_EQ(r.at(0).first, 200);
  EXPECT_EQ(calls().records().at(0).rtp.dtmf, 1u);
  r = request("OPTIONS", "", "");
  EXPECT_EQ(r.at(0).first, 200);
  EXPECT_EQ(calls().records().at(0).state, "confirmed");
  r = request("INVITE", hold, "application/sdp", "no-such-call");
  EXPECT_EQ(r.at(0).first, 481);
}

}  // namespace
