// The incoming call against a scripted caller on a virtual clock: 180 with our tag, answer with
// an SDP answer retransmitted until the ACK (none: BYE at 64*T1), CANCEL → 487, no common codec
// → 488 before ringing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/random.hpp"
#include "base/timers.hpp"
#include "media/sdp.hpp"
#include "msg/writer.hpp"
#include "support/fake_transport.hpp"
#include "usage/invite/call.hpp"
#include "usage_invite_test_util.hpp"

namespace sipline::usage::invite {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

std::string offer_sdp(std::string_view payloads = "0 8 101") {
  return "v=0\r\no=far 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         "m=audio 30000 RTP/AVP " +
         std::string(payloads) + "\r\n";
}

class IncomingTest : public ::testing::Test {
 protected:
  IncomingTest() {
    transport_.set_user(&layer_);
    call_.set_on_state([this](CallState s) { states_.emplace_back(to_string(s)); });
    layer_.set_request_handler(
        "INVITE", [this](const msg::Message& r, const transport::Address&, txn::Respond respond) {
          call_.receive(r, std::move(respond));
        });
    const auto in_dialog = [this](const msg::Message& r, const transport::Address&,
                                  txn::Respond respond) { call_.on_request(r, respond); };
    layer_.set_request_handler("ACK", in_dialog);
    layer_.set_request_handler("BYE", in_dialog);
    layer_.set_request_handler("CANCEL", [this](const msg::Message&, const transport::Address&,
                                                txn::Respond) { call_.on_cancel(); });
  }
  std::int64_t ms(base::TimePoint t) const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t - t0_).count();
  }
  void send(std::string_view method, std::string_view branch, std::string to_tag,
            std::string body = {}, std::uint32_t cseq = 1) {
    std::string s = std::string(method) + " sip:1001@127.0.0.1:5060 SIP/2.0\r\n";
    s += "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=" + std::string(branch) + "\r\n";
    s += "Max-Forwards: 70\r\nFrom: \"Bob\" <sip:1002@example.com>;tag=caller\r\n";
    s += "To: <sip:1001@example.com>" + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n";
    s += "Call-ID: in-1\r\nCSeq: " + std::to_string(cseq) + " " + std::string(method) + "\r\n";
    s += "Contact: <sip:1002@127.0.0.1:5070>\r\n";
    if (!body.empty()) s += "Content-Type: application/sdp\r\n";
    s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_TRUE(transport_.inject(s, {transport::Protocol::kUdp, "127.0.0.1", 5070}));
  }
  std::vector<int> codes() const {
    std::vector<int> out;
    for (const auto& m : transport_.sent()) out.push_back(m.status_code());
    return out;
  }
  std::string our_tag() const {
    for (const auto& m : transport_.sent()) {
      if (m.status_code() == 180) return std::string(m.parse().to()->tag());
    }
    return {};
  }

  static inline const transport::Target kFar{{transport::Protocol::kUdp, "127.0.0.1", 5070}, ""};
  base::VirtualTimers timers_;
  base::TimePoint t0_ = timers_.now();
  test::FakeTransport transport_{timers_};
  base::SeededRandom random_{9};
  txn::TransactionLayer layer_{timers_, transport_, txn::TimerConfig{}, &random_};
  txn::Identity id_{"sip:example.com", "sip:1001@example.com", "", "sip:1001@127.0.0.1:5060", kFar,
                    "sipline-test"};
  FakeMedia media_;
  Call call_{layer_, transport_, timers_, random_, {"1001", "secret"}, id_, media_};
  std::vector<std::string> states_;
};

TEST_F(IncomingTest, RingsThenAnswersAndRetransmitsThe200UntilTheAck) {
  send("INVITE", "z9hG4bKinv", "", offer_sdp());
  ASSERT_THAT(codes(), ElementsAre(180));
  ASSERT_FALSE(our_tag().empty());
  EXPECT_THAT(states_, ElementsAre("incoming"));
  call_.answer();
  const msg::Message ok = transport_.sent().back().parse();
  EXPECT_EQ(ok.status_code(), 200);
  EXPECT_EQ(ok.to()->tag(), our_tag());
  EXPECT_NE(ok.body().find("m=audio 20000 RTP/AVP 0"), std::string_view::npos);
  EXPECT_EQ(media_.started_port, 30000);
  timers_.advance(2000ms);
  send("ACK", "z9hG4bKack", our_tag());
  timers_.advance(60s);
  std::vector<std::int64_t> at;
  for (const auto& m : transport_.sent()) at.push_back(ms(m.at));
  EXPECT_THAT(codes(), ElementsAre(180, 200, 200, 200));
  EXPECT_THAT(at, ElementsAre(0, 0, 500, 1500));
  EXPECT_THAT(states_, ElementsAre("incoming", "confirmed"));
}

TEST_F(IncomingTest, NoAckWithin64T1EndsTheCallWithBye) {
  send("INVITE", "z9hG4bKinv", "", offer_sdp());
  call_.answer();
  timers_.advance(32s);
  const auto& last = transport_.sent().back();
  EXPECT_EQ(last.method(), "BYE");
  EXPECT_EQ(ms(last.at), 32000);
  EXPECT_EQ(last.parse().request_uri(), "sip:1002@127.0.0.1:5070");
  EXPECT_THAT(states_, ElementsAre("incoming", "confirmed", "terminating"));
}

TEST_F(IncomingTest, CancelGets200AndTheInvite487) {
  send("INVITE", "z9hG4bKinv", "", offer_sdp());
  send("CANCEL", "z9hG4bKinv", "");
  EXPECT_THAT(codes(), ElementsAre(180, 200, 487));
  EXPECT_THAT(states_, ElementsAre("incoming", "ended"));
  EXPECT_EQ(call_.outcome().status_code, 487);
}

TEST_F(IncomingTest, RejectWithBusyOrDecline) {
  send("INVITE", "z9hG4bKinv", "", offer_sdp());
  call_.reject(603);
  EXPECT_THAT(codes(), ElementsAre(180, 603));
  EXPECT_EQ(call_.state(), CallState::kTerminated);
}

TEST_F(IncomingTest, NoCommonCodecGets488BeforeRinging) {
  send("INVITE", "z9hG4bKinv", "", offer_sdp("18"));
  EXPECT_THAT(codes(), ElementsAre(488));
  EXPECT_THAT(states_, ElementsAre("incoming", "ended"));
}

TEST_F(IncomingTest, ByeFromTheCallerEndsTheAnsweredCall) {
  send("INVITE", "z9hG4bKinv", "", offer_sdp());
  call_.answer();
  send("ACK", "z9hG4bKack", our_tag());
  send("BYE", "z9hG4bKbye", our_tag(), {}, 2);
  EXPECT_EQ(transport_.sent().back().status_code(), 200);
  EXPECT_EQ(call_.state(), CallState::kTerminated);
  EXPECT_EQ(media_.stops, 1);
}

}  // namespace
}  // namespace sipline::usage::invite
