// The outgoing call against a scripted far end on a virtual clock (fake transport, fake media):
// INVITE with offer and identity headers, digest, ringing, 2xx ACKed end to end (again for each
// retransmitted 2xx), BYE both ways, CANCEL before the answer, a failure as the outcome.
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

std::string header(const msg::Message& m, msg::HeaderId id) {
  const auto* h = m.find(id);
  return h ? std::string(h->value) : std::string("<absent>");
}

class CallTest : public ::testing::Test {
 protected:
  CallTest() {
    transport_.set_user(&layer_);
    call_.set_on_state([this](CallState s) { states_.emplace_back(to_string(s)); });
    who_.use_privacy_header = true;
    who_.use_p_preferred_identity_header = true;
    who_.display_name = "Alice";
    who_.user_id = "1001";
    who_.host = "example.com";
    who_.aor = "sip:1001@example.com";
  }
  // The last request we sent with `method`.
  msg::Message last(std::string_view method) const {
    for (auto it = transport_.sent().rbegin(); it != transport_.sent().rend(); ++it) {
      if (it->method() == method) return it->parse();
    }
    return {};
  }
  std::vector<std::string> methods() const {
    std::vector<std::string> out;
    for (const auto& m : transport_.sent()) out.push_back(m.method());
    return out;
  }
  // The far end answers our request `req` with `code`.
  void answer(const msg::Message& req, int code, std::string extra = {}, std::string body = {}) {
    auto w = msg::response_to(req, code, msg::reason_phrase(code), code > 100 ? "far" : "");
    std::string text = w.finish();  // headers only; extra lines are spliced before the blank line
    const std::size_t end = text.find("Content-Length:");
    text.insert(end, extra);
    if (!body.empty()) {
      const std::size_t cl = text.find("Content-Length: 0");
      text.replace(
          cl, 17,
          "Content-Type: application/sdp\r\nContent-Length: " + std::to_string(body.size()));
      text += body;
    }
    ASSERT_TRUE(transport_.inject(text, kFar.remote));
  }
  static std::string answer_sdp() {
    media::LocalMedia far;
    far.address = {false, "127.0.0.1"};
    far.port = 30000;
    return media::write_sdp(media::make_offer(far));
  }
  // A request from the far end inside the dialog.
  void far_request(std::string_view method, std::uint32_t cseq, std::string body = {}) {
    const msg::Message inv = last("INVITE");
    std::string s = std::string(method) + " sip:1001@127.0.0.1:5060 SIP/2.0\r\n";
    s += "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKfar" + std::to_string(cseq) + "\r\n";
    s += "From: <sip:1002@example.com>;tag=far\r\nTo: " + header(inv, msg::HeaderId::kFrom) +
         "\r\nCall-ID: " + std::string(inv.call_id()) + "\r\nCSeq: " + std::to_string(cseq) + " " +
         std::string(method) + "\r\nMax-Forwards: 70\r\n";
    if (!body.empty()) s += "Content-Type: application/sdp\r\n";
    s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_TRUE(transport_.inject(s, kFar.remote));
  }
  // The far end's SDP with RTP on `port`.
  static std::string sdp_on(std::uint16_t port) {
    media::LocalMedia far;
    far.address = {false, "127.0.0.1"};
    far.port = port;
    return media::write_sdp(media::make_offer(far));
  }

  static inline const transport::Target kFar{{transport::Protocol::kUdp, "127.0.0.1", 5070}, ""};
  base::VirtualTimers timers_;
  test::FakeTransport transport_{timers_};
  base::SeededRandom random_{7};
  txn::TransactionLayer layer_{timers_, transport_, txn::TimerConfig{}, &random_};
  txn::Identity id_{
      "sip:example.com", "sip:1001@example.com", "Alice", "sip:1001@127.0.0.1:5060", kFar,
      "sipline-test"};
  FakeMedia media_;
  Call call_{layer_, transport_, timers_, random_, {"1001", "secret"}, id_, media_};
  IdentityInput who_;
  std::vector<std::string> states_;
};

TEST_F(CallTest, InviteCarriesTheOfferAndTheIdentityRows) {
  call_.dial("sip:1002@example.com", who_);
  const msg::Message inv = last("INVITE");
  EXPECT_EQ(inv.request_uri(), "sip:1002@example.com");
  EXPECT_EQ(header(inv, msg::HeaderId::kPrivacy), "none");
  EXPECT_EQ(header(inv, msg::HeaderId::kPPreferredIdentity), "\"Alice\" <sip:1001@example.com>");
  EXPECT_EQ(inv.from()->uri.text, "sip:1001@example.com");
  EXPECT_EQ(header(inv, msg::HeaderId::kContentType), "application/sdp");
  EXPECT_NE(inv.body().find("m=audio 20000 RTP/AVP 0 8 101"), std::string_view::npos);
  EXPECT_THAT(states_, ElementsAre("calling"));
}

TEST_F(CallTest, AnonymousCallHidesTheFromAndSaysPrivacyId) {
  who_.anonymous = true;
  call_.dial("sip:1002@example.com", who_);
  const msg::Message inv = last("INVITE");
  const std::string from = header(inv, msg::HeaderId::kFrom);
  EXPECT_EQ(from.substr(0, from.find(";tag=")), "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
  EXPECT_EQ(header(inv, msg::HeaderId::kPrivacy), "id");
}

TEST_F(CallTest, ChallengeAnsweredWithTheSameCallIdAndCSeqUp) {
  call_.dial("sip:1002@example.com", who_);
  const msg::Message first = last("INVITE");
  answer(first, 407, "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n1\"\r\n");
  const msg::Message second = last("INVITE");
  EXPECT_THAT(methods(), ElementsAre("INVITE", "ACK", "INVITE"));
  EXPECT_EQ(second.call_id(), first.call_id());
  EXPECT_EQ(second.cseq()->seq, first.cseq()->seq + 1);
  EXPECT_NE(header(second, msg::HeaderId::kProxyAuthorization), "<absent>");
  EXPECT_NE(second.top_via()->branch(), first.top_via()->branch());
}

// RFC 3263 §4.3 for the INVITE: a 503 without Retry-After before any provisional response asks
// the account's fail-over hook; when the account moved its target, the INVITE goes again at once
// (a new transaction: same Call-ID and tag, CSeq up, new branch) to the new target.
TEST_F(CallTest, ServiceUnavailableSendsTheInviteToTheNextTarget) {
  const transport::Target next{{transport::Protocol::kUdp, "127.0.0.2", 5080}, ""};
  std::vector<txn::NextHopFailure> asked;
  call_.set_fail_over([&](const txn::NextHopFailure& f) {
    asked.push_back(f);
    if (!f.moves_on()) return false;
    id_.target = next;
    return true;
  });
  call_.dial("sip:1002@example.com", who_);
  const msg::Message first = last("INVITE");
  answer(first, 503);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].target, kFar);
  EXPECT_EQ(asked[0].status, 503);
  EXPECT_FALSE(asked[0].retry_after);
  EXPECT_THAT(methods(), ElementsAre("INVITE", "ACK", "INVITE"));
  EXPECT_EQ(transport_.sent().back().target, next);
  const msg::Message second = last("INVITE");
  EXPECT_EQ(second.call_id(), first.call_id());
  EXPECT_EQ(second.cseq()->seq, first.cseq()->seq + 1);
  EXPECT_NE(second.top_via()->branch(), first.top_via()->branch());
  EXPECT_THAT(states_, ElementsAre("calling"));
  // The next target answers: the call goes on there.
  answer(second, 180);
  EXPECT_THAT(states_, ElementsAre("calling", "ringing"));
}

// A timeout (timer B, 64*T1) with no provisional response moves on the same way.
TEST_F(CallTest, TimeoutSendsTheInviteToTheNextTarget) {
  const transport::Target next{{transport::Protocol::kUdp, "127.0.0.2", 5080}, ""};
  int asked = 0;
  call_.set_fail_over([&](const txn::NextHopFailure& f) {
    ++asked;
    EXPECT_TRUE(f.no_response);
    id_.target = next;
    return true;
  });
  call_.dial("sip:1002@example.com", who_);
  timers_.advance(33s);
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(transport_.sent().back().method(), "INVITE");
  EXPECT_EQ(transport_.sent().back().target, next);
  EXPECT_THAT(states_, ElementsAre("calling"));
}

// No move: a 503 with Retry-After (the hook says no), and any failure after a provisional
// response (the server took the call; the hook is not even asked).
TEST_F(CallTest, NoFailOverWithRetryAfterOrAfterAProvisional) {
  int asked = 0;
  call_.set_fail_over([&](const txn::NextHopFailure& f) {
    ++asked;
    return f.moves_on();
  });
  call_.dial("sip:1002@example.com", who_);
  answer(last("INVITE"), 503, "Retry-After: 30\r\n");
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(states_.back(), "ended");
  EXPECT_EQ(call_.outcome().status_code, 503);

  Call other{layer_, transport_, timers_, random_, {"1001", "secret"}, id_, media_};
  other.set_fail_over([&](const txn::NextHopFailure&) { return ++asked, true; });
  other.dial("sip:1003@example.com", who_);
  const msg::Message inv = last("INVITE");
  answer(inv, 180);
  answer(inv, 503);
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(other.outcome().status_code, 503);
}

TEST_F(CallTest, AnsweredCallIsAckedEndToEndAndEndsWithOurBye) {
  call_.dial("sip:1002@example.com", who_);
  const msg::Message inv = last("INVITE");
  answer(inv, 180);
  const std::string contact = "Contact: <sip:1002@127.0.0.1:5070>\r\n";
  const std::string rr = "Record-Route: <sip:proxy.example.com;lr>\r\n";
  answer(inv, 200, contact + rr, answer_sdp());
  EXPECT_THAT(states_, ElementsAre("calling", "ringing", "confirmed"));
  EXPECT_EQ(media_.started_port, 30000);
  const msg::Message ack = last("ACK");
  EXPECT_EQ(ack.request_uri(), "sip:1002@127.0.0.1:5070");
  EXPECT_EQ(header(ack, msg::HeaderId::kRoute), "<sip:proxy.example.com;lr>");
  EXPECT_EQ(ack.cseq()->seq, inv.cseq()->seq);
  EXPECT_NE(ack.top_via()->branch(), inv.top_via()->branch());
  timers_.advance(500ms);
  answer(inv, 200, contact + rr, answer_sdp());  // retransmitted: the same ACK again
  EXPECT_THAT(methods(), ElementsAre("INVITE", "ACK", "ACK"));
  EXPECT_EQ(transport_.sent()[1].bytes, transport_.sent()[2].bytes);

  call_.hangup();
  const msg::Message bye = last("BYE");
  EXPECT_EQ(bye.cseq()->seq, inv.cseq()->seq + 1);
  EXPECT_EQ(bye.request_uri(), "sip:1002@127.0.0.1:5070");
  answer(bye, 200);
  EXPECT_THAT(states_, ElementsAre("calling", "ringing", "confirmed", "terminating", "ended"));
  EXPECT_EQ(media_.stops, 1);
  EXPECT_FALSE(call_.outcome().ended_by_remote);
}

TEST_F(CallTest, ByeFromTheFarEndIsAnswered200) {
  call_.dial("sip:1002@example.com", who_);
  const msg::Message inv = last("INVITE");
  answer(inv, 200, "Contact: <sip:1002@127.0.0.1:5070>\r\n", answer_sdp());
  std::vector<int> codes;
  layer_.set_request_handler(
      "BYE", [&](const msg::Message& r, const transport::Address&, txn::Respond respond) {
        if (!call_.on_request(r, respond)) respond(msg::response_to(r, 481, "No").finish());
      });
  far_request("BYE", 1);
  ASSERT_EQ(transport_.sent().back().status_code(), 200);
  EXPECT_EQ(call_.state(), CallState::kTerminated);
  EXPECT_TRUE(call_.outcome().ended_by_remote);
}

TEST_F(CallTest, FailureIsTheOutcome) {
  call_.dial("sip:1002@example.com", who_);
  answer(last("INVITE"), 486);
  EXPECT_THAT(methods(), ElementsAre("INVITE", "ACK"));  // ACKed inside the transaction
  EXPECT_THAT(states_, ElementsAre("calling", "ended"));
  EXPECT_EQ(call_.outcome().status_code, 486);
  EXPECT_TRUE(call_.outcome().ended_by_remote);
}

TEST_F(CallTest, HangupBeforeAnyProvisionalWaitsForOneThenCancels) {
  call_.dial("sip:1002@example.com", who_);
  const msg::Message inv = last("INVITE");
  call_.hangup();
  EXPECT_THAT(methods(), ElementsAre("INVITE"));  // §9.1: no CANCEL before a provisional
  answer(inv, 180);
  EXPECT_THAT(methods(), ElementsAre("INVITE", "CANCEL"));
  answer(last("CANCEL"), 200);
  answer(inv, 487);
  EXPECT_THAT(methods(), ElementsAre("INVITE", "CANCEL", "ACK"));
  EXPECT_THAT(states_, ElementsAre("calling", "terminating", "ended"));
  EXPECT_EQ(call_.outcome().status_code, 487);
}

// RFC 3261 §8.1.3.4: a 3xx is followed once. Its Contact is the new Request-URI of a new
// INVITE (new branch, same Call-ID and From tag, CSeq up, the To unchanged).
TEST_F(CallTest, RedirectIsFollowedOnceToItsContact) {
  call_.dial("sip:1002@example.com", who_);
  const msg::Message first = last("INVITE");
  answer(first, 302, "Contact: <sip:1002@10.0.0.2:5080>;q=0.5\r\n");
  const msg::Message second = last("INVITE");
  EXPECT_THAT(methods(), ElementsAre("INVITE", "ACK", "INVITE"));
  EXPECT_EQ(second.request_uri(), "sip:1002@10.0.0.2:5080");
  EXPECT_EQ(second.to()->uri.text, "sip:1002@example.com");
  EXPECT_EQ(second.call_id(), first.call_id());
  EXPECT_EQ(second.from()->tag(), first.from()->tag());
  EXPECT_EQ(second.cseq()->seq, first.cseq()->seq + 1);
  EXPECT_NE(second.top_via()->branch(), first.top_via()->branch());
  EXPECT_THAT(states_, ElementsAre("calling"));
  answer(second, 200, "Contact: <sip:1002@10.0.0.2:5080>\r\n", answer_sdp());
  EXPECT_THAT(states_, ElementsAre("calling", "confirmed"));
  EXPECT_EQ(last("ACK").request_uri(), "sip:1002@10.0.0.2:5080");
}

TEST_F(CallTest, ASecondRedirectIsTheOutcome) {
  call_.dial("sip:1002@example.com", who_);
  answer(last("INVITE"), 302, "Contact: <sip:1002@10.0.0.2:5080>\r\n");
  answer(last("INVITE"), 301, "Contact: <sip:1002@10.0.0.3>\r\n");
  EXPECT_THAT(methods(), ElementsAre("INVITE", "ACK", "INVITE", "ACK"));
  EXPECT_THAT(states_, ElementsAre("calling", "ended"));
  EXPECT_EQ(call_.outcome().status_code, 301);
}

TEST_F(CallTest, RedirectWithoutAContactIsTheOutcome) {
  call_.dial("sip:1002@example.com", who_);
  answer(last("INVITE"), 302);
  EXPECT_THAT(methods(), ElementsAre("INVITE", "ACK"));
  EXPECT_EQ(call_.outcome().status_code, 302);
}

// Early media: a 183 with SDP starts RTP both ways before the 2xx; the 2xx's SDP, when it
// differs, updates the remote; a 2xx without SDP keeps the early one.
TEST_F(CallTest, EarlyMediaOn183ThenThe200UpdatesTheRemote) {
  call_.dial("sip:1002@example.com", who_);
  const msg::Message inv = last("INVITE");
  answer(inv, 183, "Contact: <sip:1002@127.0.0.1:5070>\r\n", sdp_on(30000));
  EXPECT_THAT(states_, ElementsAre("calling", "early"));
  EXPECT_EQ(media_.starts, 1);
  EXPECT_EQ(media_.started_port, 30000);
  EXPECT_TRUE(media_.last.we_send());
  answer(inv, 200, "Contact: <sip:1002@127.0.0.1:5070>\r\n", sdp_on(30002));
  EXPECT_THAT(states_, ElementsAre("calling", "early", "confirmed"));
  EXPECT_EQ(media_.started_port, 30002);
  EXPECT_EQ(media_.stops, 0);
}

TEST_F(CallTest, EarlyMediaAnswerStandsWhenThe200HasNoSdp) {
  call_.dial("sip:1002@example.com", who_);
  const msg::Message inv = last("INVITE");
  answer(inv, 183, "Contact: <sip:1002@127.0.0.1:5070>\r\n", sdp_on(30000));
  answer(inv, 200, "Contact: <sip:1002@127.0.0.1:5070>\r\n");
  EXPECT_THAT(states_, ElementsAre("calling", "early", "confirmed"));
  EXPECT_EQ(media_.started_port, 30000);
  EXPECT_THAT(methods(), ElementsAre("INVITE", "ACK"));  // no BYE
}

// An UPDATE with an offer in the early dialog while our INVITE's offer has no answer: glare,
// 491 (RFC 3311 §5.2). After the 183's answer the same UPDATE is taken.
TEST_F(CallTest, EarlyUpdateIsGlareUntilOurOfferIsAnswered) {
  std::vector<int> codes;
  layer_.set_request_handler(
      "UPDATE", [&](const msg::Message& r, const transport::Address&, txn::Respond respond) {
        if (!call_.on_request(r, respond)) respond(msg::response_to(r, 481, "No").finish());
      });
  call_.dial("sip:1002@example.com", who_);
  const msg::Message inv = last("INVITE");
  answer(inv, 180, "Contact: <sip:1002@127.0.0.1:5070>\r\n");
  far_request("UPDATE", 1, sdp_on(30004));
  EXPECT_EQ(transport_.sent().back().status_code(), 491);
  answer(inv, 183, "Contact: <sip:1002@127.0.0.1:5070>\r\n", sdp_on(30000));
  far_request("UPDATE", 2, sdp_on(30004));
  EXPECT_EQ(transport_.sent().back().status_code(), 200);
  EXPECT_EQ(media_.started_port, 30004);
}

// A re-INVITE in the confirmed outgoing call: answered with our SDP, its o= session id kept
// and its version one up from our offer's (the answer differs from the offer).
TEST_F(CallTest, ReinviteAnsweredWithTheSameOriginAndTheVersionUp) {
  layer_.set_request_handler(
      "INVITE", [&](const msg::Message& r, const transport::Address&, txn::Respond respond) {
        if (!call_.on_request(r, respond)) respond(msg::response_to(r, 481, "No").finish());
      });
  call_.dial("sip:1002@example.com", who_);
  const msg::Message inv = last("INVITE");
  answer(inv, 200, "Contact: <sip:1002@127.0.0.1:5070>\r\n", answer_sdp());
  far_request("INVITE", 1, sdp_on(30000));
  const msg::Message ok = transport_.sent().back().parse();
  ASSERT_EQ(ok.status_code(), 200);
  auto offered = media::parse_sdp(inv.body());
  auto answered = media::parse_sdp(ok.body());
  ASSERT_TRUE(offered.ok() && answered.ok());
  EXPECT_EQ(answered.value().origin.session_id, offered.value().origin.session_id);
  EXPECT_EQ(answered.value().origin.session_version, offered.value().origin.session_version + 1);
}

}  // namespace
}  // namespace sipline::usage::invite
