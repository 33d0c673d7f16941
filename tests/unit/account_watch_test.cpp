// The account's subscriptions on the virtual clock against a scripted registrar/notifier:
// started once registered, refreshed by the registration timing rule (also after a NOTIFY's
// expires), retried like REGISTER, terminated reasons, the NOTIFY server side (200, 400, 481,
// unsolicited MWI 200/403), lamps, reg event → re-REGISTER, and Expires: 0 before unregister.
#include <gtest/gtest.h>

#include "account_test_util.hpp"

using namespace sipline;
using namespace sipline::account_test;

namespace {

const transport::Address kStranger{transport::Protocol::kUdp, "127.0.0.66", 5060};

struct WatchFixture : Fixture {
  // Registers (no challenge) and returns the SUBSCRIBEs sent once registered.
  std::vector<test::SentMessage> register_and_collect(int expires = 3600) {
    start();
    answer_ok(next_request(), expires);
    return transport.take_sent();
  }
  static std::string event_of(const test::SentMessage& m) {
    auto p = m.parse();
    auto h = p.find(msg::HeaderId::kEvent);
    return h ? std::string(h->value) : std::string();
  }
  // A NOTIFY in the dialog of `sub` (our SUBSCRIBE), from `source`.
  void notify(const test::SentMessage& sub, std::uint32_t cseq, const std::string& state,
              const std::string& content_type = "", const std::string& body = "",
              const transport::Address& source = kServer, bool in_dialog = true) {
    const msg::Message req = sub.parse();
    const std::string to = in_dialog ? std::string(req.find(msg::HeaderId::kFrom)->value)
                                     : std::string("<sip:1001@127.0.0.9>");
    std::string s =
        "NOTIFY sip:1001@127.0.0.1:5060 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bKn" +
        std::to_string(cseq) + std::string(req.call_id()).substr(0, 6) +
        "\r\nFrom: " + std::string(req.find(msg::HeaderId::kTo)->value) +
        ";tag=srvtag\r\nTo: " + to + "\r\nCall-ID: " + std::string(req.call_id()) +
        "\r\nCSeq: " + std::to_string(cseq) + " NOTIFY\r\nEvent: " + event_of(sub) +
        "\r\nContact: <sip:notifier@127.0.0.9:5060>\r\n";
    if (!state.empty()) s += "Subscription-State: " + state + "\r\n";
    if (!content_type.empty()) s += "Content-Type: " + content_type + "\r\n";
    s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_TRUE(transport.inject(s, source));
  }
  // Our answer to the NOTIFY just injected.
  int answer_code() {
    for (const auto& m : transport.take_sent()) {
      auto p = m.parse();
      if (p.is_response() && p.cseq().value().method == "NOTIFY") return p.status_code();
    }
    return 0;
  }
  // The notifier accepts `sub` for `expires` seconds.
  void grant(const test::SentMessage& sub, int expires = 3600) {
    answer(sub, 200,
           {"Expires: " + std::to_string(expires), "Contact: <sip:notifier@127.0.0.9:5060>"});
  }
  const account::WatchSnapshot& sub(std::size_t i) {
    snap = account->snapshot();
    return snap.subscriptions.at(i);
  }
  account::Snapshot snap;
};

const std::string kMwi = "application/simple-message-summary";
const std::string kWaiting = "Messages-Waiting: yes\r\nVoice-Message: 2/8 (1/0)\r\n";

std::string dialog_info(int version, const std::string& state, const std::string& full) {
  return "<?xml version=\"1.0\"?>\n<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" "
         "version=\"" +
         std::to_string(version) + "\" state=\"" + full + "\" entity=\"sip:1002@127.0.0.9\">" +
         (state.empty() ? std::string()
                        : "<dialog id=\"d1\" direction=\"recipient\"><state>" + state +
                              "</state><remote><identity display=\"Door\">sip:1003@127.0.0.9"
                              "</identity></remote></dialog>") +
         "</dialog-info>";
}

std::string reginfo(int version, const std::string& contact_state, const std::string& event,
                    const std::string& contact) {
  return "<?xml version=\"1.0\"?>\n<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" "
         "version=\"" +
         std::to_string(version) +
         "\" state=\"full\"><registration aor=\"sip:1001@127.0.0.9\" id=\"r1\" "
         "state=\"active\"><contact id=\"c1\" state=\"" +
         contact_state + "\" event=\"" + event + "\" expires=\"3600\"><uri>" + contact +
         "</uri></contact></registration></reginfo>";
}

}  // namespace

TEST_F(WatchFixture, MwiStartsOnlyOnceRegisteredAndAsksTheSeedsExpiration) {
  cfg.subscribe_mwi = true;
  cfg.subscribe_expiration_min = std::chrono::minutes{30};
  start();
  auto reg = next_request();
  EXPECT_EQ(reg.parse().method(), "REGISTER");  // nothing else before the registration
  timers.advance(5s);
  for (const auto& m : transport.take_sent()) EXPECT_EQ(m.parse().method(), "REGISTER");
  answer_ok(reg);
  auto subs = transport.take_sent();
  ASSERT_EQ(subs.size(), 1u);
  auto s = subs[0].parse();
  EXPECT_EQ(s.method(), "SUBSCRIBE");
  EXPECT_EQ(s.request_uri(), "sip:1001@127.0.0.9");  // mwi_uri defaults to the AOR
  EXPECT_EQ(header(subs[0], msg::HeaderId::kEvent), "message-summary");
  EXPECT_EQ(header(subs[0], msg::HeaderId::kAccept), kMwi);
  EXPECT_EQ(s.uint_header(msg::HeaderId::kExpires), 1800u);
  EXPECT_EQ(sub(0).state, "subscribing");
}

TEST_F(WatchFixture, RefreshFollowsTheRegistrationTimingRuleAndANotifysExpires) {
  cfg.subscribe_mwi = true;
  cfg.mwi_uri = "sip:*97@127.0.0.9";
  auto subs = register_and_collect();
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0].parse().request_uri(), "sip:*97@127.0.0.9");
  const auto granted_at = timers.now();
  grant(subs[0], 600);
  EXPECT_EQ(sub(0).state, "active");
  EXPECT_EQ(sub(0).granted_expires_s, 600u);
  // G = 600, R = 0: m = min(G/2, 600) = 300 before expiry, earlier by 5 % of m (pinned jitter).
  auto refresh = wait_request();
  EXPECT_DOUBLE_EQ(std::chrono::duration<double>(refresh.at - granted_at).count(), 285.0);
  auto r = refresh.parse();
  EXPECT_EQ(r.call_id(), subs[0].parse().call_id());  // in the dialog
  EXPECT_EQ(r.request_uri(), "sip:notifier@127.0.0.9:5060");
  EXPECT_EQ(r.to().value().tag(), "srvtag");
  grant(refresh, 600);
  // A NOTIFY's active;expires=120 replaces G: refresh 60 - 3 = 57 s after it.
  notify(subs[0], 1, "active;expires=120", kMwi, kWaiting);
  EXPECT_EQ(answer_code(), 200);
  const auto notified_at = timers.now();
  auto again = wait_request();
  EXPECT_DOUBLE_EQ(std::chrono::duration<double>(again.at - notified_at).count(), 57.0);
}

TEST_F(WatchFixture, ReregisterBeforeExpirationAppliesToSubscriptionsToo) {
  cfg.subscribe_mwi = true;
  cfg.reregister_before_expiration_s = 60s;
  auto subs = register_and_collect();
  const auto granted_at = timers.now();
  grant(subs[0], 600);
  auto refresh = wait_request();
  EXPECT_DOUBLE_EQ(std::chrono::duration<double>(refresh.at - granted_at).count(), 540.0);
}

TEST_F(WatchFixture, NotifyServerSideAnswersAndKeepsTheLamp) {
  cfg.subscribe_mwi = true;
  auto subs = register_and_collect();
  // A NOTIFY before the 2xx is accepted and creates the dialog.
  notify(subs[0], 1, "active;expires=3600", kMwi, kWaiting);
  EXPECT_EQ(answer_code(), 200);
  grant(subs[0], 3600);
  auto m = account->snapshot().mwi;
  EXPECT_TRUE(m.known);
  EXPECT_TRUE(m.waiting);
  EXPECT_EQ(m.voice.new_msgs, 2u);
  EXPECT_EQ(m.voice.old_msgs, 8u);
  EXPECT_EQ(m.voice.urgent_new, 1u);
  // An unreadable body: 400, the lamp stays as it was.
  notify(subs[0], 2, "active", kMwi, "Messages-Waiting maybe\r\n");
  EXPECT_EQ(answer_code(), 400);
  EXPECT_TRUE(account->snapshot().mwi.waiting);
  // Not ours (another Call-ID): 481.
  auto other = subs[0];
  other.bytes.replace(other.bytes.find("Call-ID: ") + 9, 4, "zzzz");
  notify(other, 3, "active", kMwi, "Messages-Waiting: no\r\n");
  EXPECT_EQ(answer_code(), 481);
  notify(subs[0], 4, "active", kMwi, "Messages-Waiting: no\r\n");
  EXPECT_EQ(answer_code(), 200);
  EXPECT_FALSE(account->snapshot().mwi.waiting);
  EXPECT_EQ(account->snapshot().notifies_rejected, 2u);
}

TEST_F(WatchFixture, UnsolicitedMwiOnlyFromTheServer) {
  start();
  answer_ok(next_request());
  EXPECT_TRUE(transport.take_sent().empty());  // no subscription configured
  test::SentMessage fake;
  fake.bytes =
      "SUBSCRIBE sip:1001@127.0.0.9 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx\r\n"
      "From: <sip:1001@127.0.0.9>;tag=ours\r\nTo: <sip:1001@127.0.0.9>\r\nCall-ID: unsol\r\n"
      "CSeq: 1 SUBSCRIBE\r\nEvent: message-summary\r\nContent-Length: 0\r\n\r\n";
  notify(fake, 1, "", kMwi, kWaiting, kStranger, false);
  EXPECT_EQ(answer_code(), 403);
  EXPECT_FALSE(account->snapshot().mwi.known);
  notify(fake, 2, "", kMwi, kWaiting, kServer, false);
  EXPECT_EQ(answer_code(), 200);
  EXPECT_TRUE(account->snapshot().mwi.waiting);
}

TEST_F(WatchFixture, FailedSubscribeIsRetriedByTheRegistrationRules) {
  cfg.subscribe_mwi = true;
  auto subs = register_and_collect();
  answer(subs[0], 503, {"Retry-After: 40"});
  EXPECT_EQ(sub(0).state, "failed");
  const auto failed_at = timers.now();
  auto retry = wait_request();
  // max(W = 20, Retry-After = 40) plus 5 % of W.
  EXPECT_DOUBLE_EQ(std::chrono::duration<double>(retry.at - failed_at).count(), 41.0);
  answer(retry, 500);
  auto retry2 = wait_request();
  EXPECT_DOUBLE_EQ(std::chrono::duration<double>(retry2.at - retry.at).count(), 21.0);
  answer(retry2, 403);  // credential failure: auth_failure_retry_wait_s (300) + 5 %
  auto retry3 = wait_request();
  EXPECT_DOUBLE_EQ(std::chrono::duration<double>(retry3.at - retry2.at).count(), 300.0);
}

TEST_F(WatchFixture, Refresh481StartsANewSubscriptionAnd489StopsIt) {
  cfg.subscribe_mwi = true;
  auto subs = register_and_collect();
  grant(subs[0], 600);
  auto refresh = wait_request();
  answer(refresh, 481);
  auto fresh = next_request();  // at once
  EXPECT_EQ(fresh.at, refresh.at);
  EXPECT_NE(fresh.parse().call_id(), refresh.parse().call_id());
  EXPECT_TRUE(fresh.parse().to().value().tag().empty());
  answer(fresh, 489);
  EXPECT_EQ(sub(0).state, "terminated");
  EXPECT_NE(sub(0).last_error.find("489"), std::string::npos);
  timers.advance(100000s);
  for (const auto& m : transport.take_sent()) EXPECT_NE(m.parse().method(), "SUBSCRIBE");
}

TEST_F(WatchFixture, TerminatedReasonsAsTheSpecSays) {
  cfg.subscribe_mwi = true;
  auto subs = register_and_collect();
  grant(subs[0], 3600);
  notify(subs[0], 1, "terminated;reason=deactivated");
  auto sent = transport.take_sent();  // the 200, then a new subscription at once
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].parse().status_code(), 200);
  const auto anew = sent[1];
  EXPECT_NE(anew.parse().call_id(), subs[0].parse().call_id());
  grant(anew, 3600);
  notify(anew, 1, "terminated;reason=probation;retry-after=90");
  EXPECT_EQ(answer_code(), 200);
  const auto at = timers.now();
  auto later = wait_request();
  EXPECT_DOUBLE_EQ(std::chrono::duration<double>(later.at - at).count(), 91.0);
  grant(later, 3600);
  notify(later, 1, "terminated;reason=noresource");
  EXPECT_EQ(answer_code(), 200);
  EXPECT_EQ(sub(0).state, "terminated");
  EXPECT_NE(sub(0).last_error.find("noresource"), std::string::npos);
}

TEST_F(WatchFixture, BlfLampsFromDialogInfo) {
  cfg.blf = {"1002", "sip:1003@127.0.0.9"};
  auto subs = register_and_collect();
  ASSERT_EQ(subs.size(), 2u);
  EXPECT_EQ(subs[0].parse().request_uri(), "sip:1002@127.0.0.9");
  EXPECT_EQ(header(subs[0], msg::HeaderId::kEvent), "dialog");
  EXPECT_EQ(header(subs[0], msg::HeaderId::kAccept), "application/dialog-info+xml");
  grant(subs[0], 3600);
  grant(subs[1], 3600);
  EXPECT_EQ(account->snapshot().blf.at(0).state, "unknown");
  // Kamailio's first NOTIFY when nothing was published has no body: nothing going on.
  notify(subs[1], 1, "active");
  EXPECT_EQ(answer_code(), 200);
  EXPECT_EQ(account->snapshot().blf.at(1).state, "idle");
  const std::string xml = "application/dialog-info+xml";
  notify(subs[0], 1, "active", xml, dialog_info(0, "", "full"));
  EXPECT_EQ(answer_code(), 200);
  EXPECT_EQ(account->snapshot().blf.at(0).state, "idle");
  notify(subs[0], 2, "active", xml, dialog_info(1, "early", "full"));
  EXPECT_EQ(answer_code(), 200);
  auto lamp = account->snapshot().blf.at(0);
  EXPECT_EQ(lamp.state, "ringing");
  EXPECT_EQ(lamp.remote, "\"Door\" <sip:1003@127.0.0.9>");
  notify(subs[0], 3, "active", xml, dialog_info(2, "confirmed", "partial"));
  EXPECT_EQ(account->snapshot().blf.at(0).state, "busy");
  notify(subs[0], 4, "active", xml, dialog_info(3, "terminated", "partial"));
  EXPECT_EQ(account->snapshot().blf.at(0).state, "idle");
  // A partial that skips a version asks for the full state: an in-dialog refresh at once.
  transport.take_sent();
  notify(subs[0], 5, "active", xml, dialog_info(9, "early", "partial"));
  auto sent = transport.take_sent();
  ASSERT_EQ(sent.size(), 2u);  // the 200 and the refresh
  EXPECT_EQ(sent[1].parse().method(), "SUBSCRIBE");
  EXPECT_EQ(sent[1].parse().call_id(), subs[0].parse().call_id());
}

TEST_F(WatchFixture, RegEventTerminatedContactReregistersAtOnce) {
  cfg.subscribe_reg_event = true;
  auto subs = register_and_collect();
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(header(subs[0], msg::HeaderId::kEvent), "reg");
  EXPECT_EQ(subs[0].parse().request_uri(), "sip:1001@127.0.0.9");
  grant(subs[0], 3600);
  const std::string contact = account->snapshot().contact;
  const std::string xml = "application/reginfo+xml";
  notify(subs[0], 1, "active", xml, reginfo(0, "active", "registered", contact));
  EXPECT_EQ(answer_code(), 200);
  EXPECT_TRUE(transport.sent().empty());  // our binding is there: nothing to do
  notify(subs[0], 2, "active", xml, reginfo(1, "terminated", "unregistered", contact));
  auto sent = transport.take_sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].parse().method(), "REGISTER");
  EXPECT_NE(account->snapshot().last_error.find("terminated (unregistered)"), std::string::npos);
}

TEST_F(WatchFixture, RegEventFullStateWithoutOurContactReregisters) {
  cfg.subscribe_reg_event = true;
  auto subs = register_and_collect();
  grant(subs[0], 3600);
  notify(subs[0], 1, "active", "application/reginfo+xml",
         reginfo(0, "active", "registered", "sip:1001@127.0.0.77:5999"));
  auto sent = transport.take_sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].parse().method(), "REGISTER");
}

// Issue 12 defect 8: a registrar restarted between two refreshes forgot our binding and its
// subscriptions, and no reg NOTIFY can say so. The 481 to the reg subscription's refresh is the
// sign: re-REGISTER at once and subscribe anew at once. A 481 on any other event does not touch
// the registration.
TEST_F(WatchFixture, Refresh481OfTheRegSubscriptionReregistersAtOnce) {
  cfg.subscribe_reg_event = true;
  cfg.subscribe_mwi = true;
  auto subs = register_and_collect();
  ASSERT_EQ(subs.size(), 2u);
  ASSERT_EQ(event_of(subs[0]), "message-summary");
  ASSERT_EQ(event_of(subs[1]), "reg");
  grant(subs[0], 7200);  // MWI refreshes later than the reg subscription
  grant(subs[1], 600);
  auto refresh = wait_request();
  ASSERT_EQ(event_of(refresh), "reg");
  answer(refresh, 481);
  auto sent = transport.take_sent();
  ASSERT_EQ(sent.size(), 2u);  // both at once, the REGISTER first
  EXPECT_EQ(sent[0].at, refresh.at);
  EXPECT_EQ(sent[0].parse().method(), "REGISTER");
  EXPECT_EQ(sent[1].at, refresh.at);
  EXPECT_EQ(sent[1].parse().method(), "SUBSCRIBE");
  EXPECT_EQ(event_of(sent[1]), "reg");
  EXPECT_NE(sent[1].parse().call_id(), refresh.parse().call_id());
  EXPECT_TRUE(sent[1].parse().to().value().tag().empty());
  EXPECT_NE(account->snapshot().last_error.find("lost our reg subscription (481"),
            std::string::npos)
      << account->snapshot().last_error;
  // The MWI subscription's own 481 starts it anew and leaves the registration alone.
  answer_ok(sent[0], 3600);
  grant(sent[1], 7200);
  test::SentMessage mwi_refresh;
  for (int i = 0; i < 20; ++i) {  // answer the registration's and reg's refreshes on the way
    mwi_refresh = wait_request();
    if (mwi_refresh.parse().method() == "REGISTER") {
      answer_ok(mwi_refresh, 3600);
    } else if (event_of(mwi_refresh) == "reg") {
      grant(mwi_refresh, 7200);
    } else {
      break;
    }
  }
  ASSERT_EQ(event_of(mwi_refresh), "message-summary");
  answer(mwi_refresh, 481);
  auto after = transport.take_sent();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].parse().method(), "SUBSCRIBE");
}

TEST_F(WatchFixture, StopEndsSubscriptionsBeforeTheUnregister) {
  cfg.subscribe_mwi = true;
  cfg.blf = {"1002"};
  auto subs = register_and_collect();
  ASSERT_EQ(subs.size(), 2u);
  for (auto& s : subs) grant(s, 3600);
  bool done = false;
  account->stop([&] { done = true; });
  auto unsubs = transport.take_sent();
  ASSERT_EQ(unsubs.size(), 2u);
  for (auto& u : unsubs) {
    EXPECT_EQ(u.parse().method(), "SUBSCRIBE");
    EXPECT_EQ(u.parse().uint_header(msg::HeaderId::kExpires), 0u);
  }
  grant(unsubs[0], 0);
  EXPECT_TRUE(transport.sent().empty());  // still waiting for the other one
  grant(unsubs[1], 0);
  auto unreg = next_request();
  EXPECT_EQ(unreg.parse().method(), "REGISTER");
  answer(unreg, 200);
  timers.advance(0s);
  EXPECT_TRUE(done);
}

// add_auth_header_on_reregister: SUBSCRIBEs reuse the registration's nonce (RFC 3261 §22.3),
// one nc sequence per nonce across the account's usages; off (the default), they go bare and
// answer the challenge the server sends.
TEST_F(WatchFixture, SubscribesReuseTheRegistrationsNonceWhenAuthHeadersGoAhead) {
  for (const bool ahead : {true, false}) {
    SCOPED_TRACE(ahead ? "add_auth_header_on_reregister" : "default");
    cfg = base_config();
    cfg.subscribe_mwi = true;
    cfg.blf = {"1002"};
    cfg.add_auth_header_on_reregister = ahead;
    start();
    register_with_challenge();
    auto subs = transport.take_sent();
    ASSERT_EQ(subs.size(), 2u);
    std::vector<std::string> ncs;
    for (const auto& s : subs) {
      const std::string a = header(s, msg::HeaderId::kAuthorization);
      if (!ahead) {
        EXPECT_EQ(a, "");
        continue;
      }
      EXPECT_NE(a.find("nonce=\"n1\""), std::string::npos) << a;
      ncs.push_back(a.substr(a.find("nc=") + 3, 8));
    }
    if (ahead) {
      EXPECT_EQ(ncs, (std::vector<std::string>{"00000002", "00000003"}));
    }
    // Challenged anyway (the server wants a fresh nonce): answered, not a wrong password.
    challenge(subs[0], "n2", true);
    auto answer = next_request();
    EXPECT_NE(header(answer, msg::HeaderId::kAuthorization).find("nonce=\"n2\""),
              std::string::npos);
    grant(answer);
    EXPECT_EQ(sub(0).state, "active");
    account.reset();
    transport.take_sent();
  }
}
