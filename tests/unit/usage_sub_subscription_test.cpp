// The Subscription mechanism against a scripted notifier on a virtual clock: initial SUBSCRIBE,
// digest challenge, 423 once, in-dialog refresh, 481 to a refresh, NOTIFY before the 2xx,
// NOTIFY matching (481) and reading (400), Expires: 0 and the terminating NOTIFY.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/random.hpp"
#include "base/timers.hpp"
#include "support/fake_transport.hpp"
#include "txn/transaction_layer.hpp"
#include "usage/sub/notify.hpp"
#include "usage/sub/subscription.hpp"

using namespace sipline;
using namespace sipline::usage::sub;

namespace {

const transport::Address kServer{transport::Protocol::kUdp, "127.0.0.2", 5060};

class SubscriptionTest : public ::testing::Test {
 protected:
  SubscriptionTest() {
    transport_.set_user(&layer_);
    sub_.set_identity(id_);
  }

  // The last SUBSCRIBE we sent, parsed.
  msg::Message last_sent() {
    EXPECT_FALSE(transport_.sent().empty());
    return transport_.sent().back().parse();
  }

  // The notifier's final response to our last SUBSCRIBE.
  void reply(int code, const std::string& extra = "", const std::string& to_tag = "srv") {
    const msg::Message req = last_sent();
    std::string s = "SIP/2.0 " + std::to_string(code) + " X\r\n";
    s += "Via: " + std::string(req.find(msg::HeaderId::kVia)->value) + "\r\n";
    s += "From: " + std::string(req.find(msg::HeaderId::kFrom)->value) + "\r\n";
    s += "To: <sip:vm@example.com>" + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n";
    s += "Call-ID: " + std::string(req.call_id()) + "\r\n";
    s += "CSeq: " + std::string(req.find(msg::HeaderId::kCSeq)->value) + "\r\n";
    s += extra + "Content-Length: 0\r\n\r\n";
    ASSERT_TRUE(transport_.inject(s, kServer));
    timers_.advance(std::chrono::milliseconds(0));
  }

  // A NOTIFY in the dialog of our last SUBSCRIBE.
  msg::Message notify(std::uint32_t cseq, const std::string& state,
                      const std::string& from_tag = "srv", std::string call_id = {},
                      const std::string& body = {}, bool with_to_tag = true) {
    const msg::Message req = last_sent();
    if (call_id.empty()) call_id = std::string(req.call_id());
    const std::string to = with_to_tag ? std::string(req.find(msg::HeaderId::kFrom)->value)
                                       : std::string("<sip:1001@example.com>");
    std::string s =
        "NOTIFY sip:1001@127.0.0.1:5060 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKn" +
        std::to_string(cseq) + "\r\nFrom: <sip:vm@example.com>;tag=" + from_tag + "\r\nTo: " + to +
        "\r\nCall-ID: " + call_id + "\r\nCSeq: " + std::to_string(cseq) +
        " NOTIFY\r\nEvent: message-summary\r\nContact: <sip:vm@127.0.0.2:5060>\r\n";
    if (!state.empty()) s += "Subscription-State: " + state + "\r\n";
    s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return msg::Message::parse(s).value();
  }

  Subscription::Done record() {
    return [this](const Outcome& o) { outcomes_.push_back(o); };
  }

  base::VirtualTimers timers_;
  test::FakeTransport transport_{timers_};
  base::SeededRandom random_{7};
  txn::TransactionLayer layer_{timers_, transport_, txn::TimerConfig{}, &random_};
  txn::Identity id_{"sip:example.com",         "sip:1001@example.com",         "",
                    "sip:1001@127.0.0.1:5060", transport::Target{kServer, {}}, "t"};
  Subscription sub_{layer_,
                    transport_,
                    random_,
                    {"1001", "secret"},
                    Package::kMessageSummary,
                    "sip:vm@example.com"};
  std::vector<Outcome> outcomes_;
};

}  // namespace

TEST_F(SubscriptionTest, ChallengeThen200CreatesDialogAndRefreshGoesInDialog) {
  sub_.subscribe(3600, record());
  EXPECT_EQ(sub_.state(), SubState::kSubscribing);
  EXPECT_EQ(last_sent().uint_header(msg::HeaderId::kExpires), 3600u);
  reply(401, "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\"\r\n", "");
  ASSERT_EQ(transport_.sent().size(), 2u);
  EXPECT_NE(last_sent().find(msg::HeaderId::kAuthorization), nullptr);
  EXPECT_EQ(last_sent().cseq().value().seq, 2u);
  reply(200,
        "Expires: 1800\r\nRecord-Route: <sip:proxy@127.0.0.3;lr>\r\n"
        "Contact: <sip:vm@127.0.0.2:5060>\r\n");
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].action, ResponseAction::kActive);
  EXPECT_EQ(outcomes_[0].granted_s, 1800u);
  EXPECT_EQ(sub_.state(), SubState::kActive);
  ASSERT_TRUE(sub_.has_dialog());

  const std::string call_id(last_sent().call_id());
  sub_.subscribe(3600, record());
  const msg::Message refresh = last_sent();
  EXPECT_EQ(refresh.request_uri(), "sip:vm@127.0.0.2:5060");
  EXPECT_EQ(refresh.call_id(), call_id);
  EXPECT_EQ(refresh.cseq().value().seq, 3u);
  EXPECT_EQ(refresh.to().value().tag(), "srv");
  EXPECT_EQ(refresh.values(msg::HeaderId::kRoute),
            (std::vector<std::string_view>{"<sip:proxy@127.0.0.3;lr>"}));
  reply(481);
  ASSERT_EQ(outcomes_.size(), 2u);
  EXPECT_EQ(outcomes_[1].action, ResponseAction::kNewNow);
  EXPECT_FALSE(sub_.has_dialog());
  sub_.subscribe(3600, record());
  EXPECT_NE(last_sent().call_id(), call_id);
  EXPECT_EQ(last_sent().to().value().tag(), "");
}

TEST_F(SubscriptionTest, IntervalTooBriefOnceThenFailure) {
  sub_.subscribe(60, record());
  reply(423, "Min-Expires: 300\r\n", "");
  ASSERT_EQ(transport_.sent().size(), 2u);
  EXPECT_EQ(last_sent().uint_header(msg::HeaderId::kExpires), 300u);
  reply(423, "Min-Expires: 600\r\n", "");
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].action, ResponseAction::kRetryLater);
  EXPECT_EQ(outcomes_[0].requested_s, 300u);
  EXPECT_EQ(sub_.state(), SubState::kIdle);
}

TEST_F(SubscriptionTest, NotifyBeforeTheOkCreatesTheDialog) {
  sub_.subscribe(3600, record());
  EXPECT_EQ(sub_.on_notify(notify(1, "active;expires=3600", "srv", "other-call")).status_code, 481);
  const NotifyAnswer a = sub_.on_notify(notify(1, "active;expires=1200"));
  EXPECT_EQ(a.status_code, 200);
  EXPECT_EQ(a.verdict.action, StateAction::kKeep);
  EXPECT_EQ(a.verdict.expires_s, 1200u);
  ASSERT_TRUE(sub_.has_dialog());
  EXPECT_EQ(sub_.dialog()->remote_target(), "sip:vm@127.0.0.2:5060");
  reply(200, "Expires: 3600\r\nContact: <sip:vm@127.0.0.2:5060>\r\n");
  EXPECT_EQ(outcomes_.at(0).action, ResponseAction::kActive);
  EXPECT_EQ(sub_.state(), SubState::kActive);
  // In the dialog: a NOTIFY from another tag is not ours; a repeated CSeq is out of order;
  // a NOTIFY without Subscription-State cannot be read.
  EXPECT_EQ(sub_.on_notify(notify(2, "active", "other")).status_code, 481);
  EXPECT_EQ(sub_.on_notify(notify(1, "active")).status_code, 500);
  EXPECT_EQ(sub_.on_notify(notify(2, "")).status_code, 400);
  EXPECT_EQ(sub_.on_notify(notify(3, "terminated;reason=deactivated")).verdict.action,
            StateAction::kNewNow);
  EXPECT_EQ(sub_.state(), SubState::kEnded);
  EXPECT_FALSE(sub_.has_dialog());
}

TEST_F(SubscriptionTest, UnsubscribeThenTerminatingNotifyEnds) {
  EXPECT_FALSE(sub_.unsubscribe(record()));  // no dialog: nothing to end
  EXPECT_TRUE(transport_.sent().empty());
  sub_.subscribe(3600, record());
  reply(200, "Expires: 3600\r\nContact: <sip:vm@127.0.0.2:5060>\r\n");
  ASSERT_TRUE(sub_.unsubscribe(record()));
  EXPECT_EQ(sub_.state(), SubState::kUnsubscribing);
  EXPECT_EQ(last_sent().uint_header(msg::HeaderId::kExpires), 0u);
  reply(200, "Expires: 0\r\n");
  const NotifyAnswer a = sub_.on_notify(notify(2, "terminated;reason=timeout"));
  EXPECT_EQ(a.status_code, 200);
  EXPECT_EQ(a.verdict.action, StateAction::kEnd);
  EXPECT_EQ(sub_.state(), SubState::kEnded);
}

TEST_F(SubscriptionTest, DispatchNotify) {
  const std::string good = "Messages-Waiting: yes\r\nVoice-Message: 2/1 (0/0)\r\n";
  const std::vector<transport::Address> trusted{kServer};
  const transport::Address stranger{transport::Protocol::kUdp, "127.0.0.9", 5060};
  Subscription* subs[] = {&sub_};
  sub_.subscribe(3600, record());

  // Not ours.
  EXPECT_EQ(dispatch_notify(subs, notify(1, "active", "srv", "nope"), kServer, trusted).status_code,
            481);
  // An unreadable body: 400 with the reason, and the subscription is untouched (no dialog).
  NotifyResult r =
      dispatch_notify(subs, notify(1, "active", "srv", {}, "garbage"), kServer, trusted);
  EXPECT_EQ(r.status_code, 400);
  EXPECT_FALSE(r.reason.empty());
  EXPECT_FALSE(sub_.has_dialog());
  const std::string bytes = notify_response(notify(1, "active"), r, "x");
  EXPECT_NE(bytes.find("SIP/2.0 400 "), std::string::npos);
  EXPECT_NE(bytes.find("Warning: 399 sipline \""), std::string::npos);
  // A good one: 200, the dialog exists, the counts are read.
  r = dispatch_notify(subs, notify(1, "active;expires=900", "srv", {}, good), kServer, trusted);
  ASSERT_EQ(r.status_code, 200);
  EXPECT_EQ(r.subscription, &sub_);
  EXPECT_EQ(r.verdict.expires_s, 900u);
  ASSERT_TRUE(std::holds_alternative<bodies::MessageSummary>(r.body));
  EXPECT_TRUE(std::get<bodies::MessageSummary>(r.body).waiting);
  EXPECT_EQ(std::get<bodies::MessageSummary>(r.body).voice.new_msgs, 2u);
  EXPECT_TRUE(sub_.has_dialog());

  // Unsolicited message-summary (no To tag): from the server 200, from elsewhere 403.
  const msg::Message u = notify(1, "", "x", "unsolicited-call", good, false);
  r = dispatch_notify(subs, u, kServer, trusted);
  EXPECT_EQ(r.status_code, 200);
  EXPECT_EQ(r.subscription, nullptr);
  EXPECT_TRUE(std::holds_alternative<bodies::MessageSummary>(r.body));
  EXPECT_EQ(dispatch_notify(subs, u, stranger, trusted).status_code, 403);
}
