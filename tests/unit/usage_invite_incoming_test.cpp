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
// The far end's re-offer: `direction` ("" none), `address` its c= line, `version` its o=.
std::string reoffer(std::string_view direction, std::string_view address = "127.0.0.1",
                    int version = 2) {
  std::string s =
      "v=0\r\no=far 1 " + std::to_string(version) + " IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 " +
      std::string(address) +
      "\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";
  if (!direction.empty()) s += "a=" + std::string(direction) + "\r\n";
  return s;
}

class IncomingTest : public ::testing::Test {
 protected:
  IncomingTest() {
    transport_.set_user(&layer_);
    call_.set_on_state([this](CallState s) { states_.emplace_back(to_string(s)); });
    layer_.set_request_handler(
        "INVITE", [this](const msg::Message& r, const transport::Address&, txn::Respond respond) {
          if (r.to()->tag().empty()) return call_.receive(r, std::move(respond));
          if (!call_.on_request(r, respond)) respond(msg::response_to(r, 481, "No").finish());
        });
    const auto in_dialog = [this](const msg::Message& r, const transport::Address&,
                                  txn::Respond respond) {
      if (!call_.on_request(r, respond) && r.method() != "ACK") {
        respond(msg::response_to(r, 481, "No").finish());
      }
    };
    for (const char* m : {"ACK", "BYE", "UPDATE", "INFO", "OPTIONS"}) {
      layer_.set_request_handler(m, in_dialog);
    }
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
  // Sends a request inside the answered call with the next CSeq; the last message we sent.
  msg::Message in_dialog(std::string_view method, std::string body = {},
                         std::string content_type = "application/sdp") {
    ++cseq_;
    std::string s = std::string(method) + " sip:1001@127.0.0.1:5060 SIP/2.0\r\n";
    s += "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKin" + std::to_string(cseq_) + "\r\n";
    s += "Max-Forwards: 70\r\nFrom: \"Bob\" <sip:1002@example.com>;tag=caller\r\n";
    s += "To: <sip:1001@example.com>;tag=" + our_tag() + "\r\n";
    s += "Call-ID: in-1\r\nCSeq: " + std::to_string(cseq_) + " " + std::string(method) + "\r\n";
    s += "Contact: <sip:1002@127.0.0.1:5070>\r\n";
    if (!body.empty()) s += "Content-Type: " + content_type + "\r\n";
    s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    EXPECT_TRUE(transport_.inject(s, {transport::Protocol::kUdp, "127.0.0.1", 5070}));
    return transport_.sent().back().parse();
  }
  void answered_call() {
    send("INVITE", "z9hG4bKinv", "", offer_sdp());
    call_.answer();
    send("ACK", "z9hG4bKack", our_tag());
  }
  // The o= version and the a= direction of an SDP we sent.
  static std::pair<std::uint64_t, std::string> version_and_direction(const msg::Message& m) {
    auto sd = media::parse_sdp(m.body());
    if (!sd.ok() || sd.value().media.empty()) return {0, "<no sdp>"};
    return {sd.value().origin.session_version,
            std::string(media::to_string(
                media::effective_direction(sd.value(), sd.value().media.front())))};
  }
  std::uint32_t cseq_ = 1;

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

// Hold and resume by re-INVITE (RFC 3264 §8.4): sendonly → we answer recvonly and stop
// sending; c=0.0.0.0 counts as hold; sendrecv resumes. Our o= version moves only when our SDP
// changes, and each 2xx is retransmitted until its ACK.
TEST_F(IncomingTest, ReinviteHoldIsHonouredAndResumeSendsAgain) {
  answered_call();
  const auto first = version_and_direction(transport_.sent()[1].parse());
  EXPECT_EQ(first.second, "sendrecv");
  EXPECT_TRUE(media_.last.we_send());
  EXPECT_FALSE(call_.held_by_remote());

  msg::Message ok = in_dialog("INVITE", reoffer("sendonly"));
  ASSERT_EQ(ok.status_code(), 200);
  EXPECT_EQ(ok.to()->tag(), our_tag());
  auto vd = version_and_direction(ok);
  EXPECT_EQ(vd.second, "recvonly");
  EXPECT_EQ(vd.first, first.first + 1);  // the direction changed: version up by one
  EXPECT_FALSE(media_.last.we_send());
  EXPECT_TRUE(media_.last.we_receive());
  EXPECT_TRUE(call_.held_by_remote());
  EXPECT_EQ(call_.state(), CallState::kConfirmed);
  timers_.advance(500ms);  // not ACKed yet: the 2xx again
  EXPECT_EQ(transport_.sent().back().status_code(), 200);
  send("ACK", "z9hG4bKack2", our_tag(), {}, cseq_);
  const std::size_t after_ack = transport_.sent().size();
  timers_.advance(5s);
  EXPECT_EQ(transport_.sent().size(), after_ack);

  // The same hold offered again: the same answer, the same version.
  ok = in_dialog("INVITE", reoffer("sendonly", "127.0.0.1", 3));
  send("ACK", "z9hG4bKack3", our_tag(), {}, cseq_);
  EXPECT_EQ(version_and_direction(ok), vd);

  ok = in_dialog("INVITE", reoffer("inactive", "127.0.0.1", 4));
  send("ACK", "z9hG4bKack4", our_tag(), {}, cseq_);
  EXPECT_EQ(version_and_direction(ok).second, "inactive");
  EXPECT_EQ(version_and_direction(ok).first, vd.first + 1);
  EXPECT_FALSE(media_.last.we_send());
  EXPECT_FALSE(media_.last.we_receive());

  ok = in_dialog("INVITE", reoffer("", "0.0.0.0", 5));  // RFC 2543 hold
  send("ACK", "z9hG4bKack5", our_tag(), {}, cseq_);
  EXPECT_EQ(version_and_direction(ok).second, "recvonly");
  EXPECT_FALSE(media_.last.we_send());

  ok = in_dialog("INVITE", reoffer("sendrecv", "127.0.0.1", 6));
  send("ACK", "z9hG4bKack6", our_tag(), {}, cseq_);
  EXPECT_EQ(version_and_direction(ok).second, "sendrecv");
  EXPECT_TRUE(media_.last.we_send());
  EXPECT_FALSE(call_.held_by_remote());
  EXPECT_EQ(media_.stops, 0);
  EXPECT_THAT(states_, ElementsAre("incoming", "confirmed"));
}

TEST_F(IncomingTest, UpdateWithAnOfferIsAnsweredLikeAReinvite) {
  answered_call();
  msg::Message ok = in_dialog("UPDATE", reoffer("sendonly"));
  ASSERT_EQ(ok.status_code(), 200);
  EXPECT_EQ(version_and_direction(ok).second, "recvonly");
  EXPECT_FALSE(media_.last.we_send());
  ok = in_dialog("UPDATE");  // no offer: a plain 200 without SDP
  EXPECT_EQ(ok.status_code(), 200);
  EXPECT_TRUE(ok.body().empty());
  ok = in_dialog("UPDATE", reoffer("sendrecv"));
  EXPECT_TRUE(media_.last.we_send());
  const std::size_t sent = transport_.sent().size();
  timers_.advance(5s);  // an UPDATE's 2xx is the transaction's, never retransmitted by us
  EXPECT_EQ(transport_.sent().size(), sent);
}

// A re-offer we cannot take leaves the session as it was: unreadable 400, no codec 488.
TEST_F(IncomingTest, BadReofferLeavesTheSessionAlone) {
  answered_call();
  const int starts = media_.starts;
  EXPECT_EQ(in_dialog("INVITE", "v=0\r\nbroken").status_code(), 400);
  send("ACK", "z9hG4bKack2", our_tag(), {}, cseq_);
  EXPECT_EQ(in_dialog("INVITE", offer_sdp("18")).status_code(), 488);
  send("ACK", "z9hG4bKack3", our_tag(), {}, cseq_);
  EXPECT_EQ(media_.starts, starts);
  EXPECT_TRUE(media_.last.we_send());
  EXPECT_EQ(call_.state(), CallState::kConfirmed);
}

// A re-INVITE without SDP gets our offer in the 2xx; the ACK carries the answer. Until it
// comes, a new offer is glare: 491 (RFC 3261 §14.2, RFC 3311 §5.2).
TEST_F(IncomingTest, OfferlessReinviteTakesTheAnswerFromTheAck) {
  answered_call();
  msg::Message ok = in_dialog("INVITE");
  ASSERT_EQ(ok.status_code(), 200);
  EXPECT_NE(ok.body().find("m=audio 20000 RTP/AVP 0 8 101"), std::string_view::npos);
  EXPECT_EQ(in_dialog("UPDATE", reoffer("sendonly")).status_code(), 491);
  // The ACK with the answer (the remote holds: it sends only).
  std::string ack =
      "ACK sip:1001@127.0.0.1:5060 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKack9\r\nMax-Forwards: 70\r\n"
      "From: <sip:1002@example.com>;tag=caller\r\nTo: <sip:1001@example.com>;tag=" +
      our_tag() +
      "\r\nCall-ID: in-1\r\nCSeq: 2 ACK\r\n"
      "Content-Type: application/sdp\r\n";
  const std::string answer = reoffer("sendonly");
  ack += "Content-Length: " + std::to_string(answer.size()) + "\r\n\r\n" + answer;
  ASSERT_TRUE(transport_.inject(ack, {transport::Protocol::kUdp, "127.0.0.1", 5070}));
  EXPECT_TRUE(call_.held_by_remote());
  EXPECT_EQ(in_dialog("UPDATE", reoffer("sendrecv")).status_code(), 200);  // no longer glare
  EXPECT_FALSE(call_.held_by_remote());
}

// A second re-INVITE while the first one's 2xx still waits for its ACK: 500 + Retry-After.
TEST_F(IncomingTest, ReinviteBeforeTheAckGets500WithRetryAfter) {
  send("INVITE", "z9hG4bKinv", "", offer_sdp());
  call_.answer();  // no ACK yet
  const msg::Message r = in_dialog("INVITE", reoffer("sendonly"));
  EXPECT_EQ(r.status_code(), 500);
  ASSERT_NE(r.find(msg::HeaderId::kRetryAfter), nullptr);
  EXPECT_TRUE(media_.last.we_send());
}

// Before the answer, the caller's UPDATE offer finds its first offer unanswered: 500.
TEST_F(IncomingTest, UpdateBeforeTheAnswerGets500) {
  send("INVITE", "z9hG4bKinv", "", offer_sdp());
  EXPECT_EQ(in_dialog("UPDATE", reoffer("sendonly")).status_code(), 500);
  EXPECT_EQ(call_.state(), CallState::kIncoming);
}

TEST_F(IncomingTest, OptionsAndDtmfInfoInTheDialog) {
  answered_call();
  msg::Message r = in_dialog("OPTIONS");
  EXPECT_EQ(r.status_code(), 200);
  EXPECT_EQ(r.to()->tag(), our_tag());
  EXPECT_NE(r.find(msg::HeaderId::kAllow), nullptr);
  EXPECT_EQ(
      in_dialog("INFO", "Signal=5\r\nDuration=160\r\n", "application/dtmf-relay").status_code(),
      200);
  EXPECT_EQ(in_dialog("INFO", "Signal= #\r\n", "Application/DTMF-Relay").status_code(), 200);
  EXPECT_EQ(in_dialog("INFO", "Duration=160\r\n", "application/dtmf-relay").status_code(), 400);
  EXPECT_EQ(in_dialog("INFO", "Signal=Z\r\n", "application/dtmf-relay").status_code(), 400);
  EXPECT_EQ(in_dialog("INFO", "<x/>", "application/xml").status_code(), 200);  // not DTMF
  EXPECT_EQ(media_.digits, "5#");
}

}  // namespace
}  // namespace sipline::usage::invite
