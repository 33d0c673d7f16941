// The account's RFC 3263 policy on the virtual clock: targets from a scripted resolver, fail-over
// to the next target within the attempt (timeout, transport error, 503 without Retry-After),
// fail-back at the next refresh, and a failed look-up as class dns under the retry rule.
#include <gtest/gtest.h>

#include <algorithm>

#include "account_test_util.hpp"

namespace sipline::account_test {
namespace {

const transport::Address kPrimary{transport::Protocol::kUdp, "127.0.0.9", 5060};
const transport::Address kSecondary{transport::Protocol::kUdp, "127.0.0.10", 5070};

struct Located : Fixture {
  int lookups = 0;
  bool dns_fails = false;

  void start_located() {
    cfg.sip_server = {"sip.test", std::nullopt};
    cfg.register_expiration_min = std::chrono::minutes{1};  // 60 s asked
    cfg.reregister_before_expiration_s = std::chrono::seconds{10};
    transport.set_user(&txn);
    account::Account::Hooks hooks{{}, {}};
    hooks.resolve_targets = [this](account::Account::Hooks::TargetsCallback done) {
      ++lookups;
      // Answered on a later turn, as the real resolver does.
      timers.schedule_in(Duration{0}, [this, done = std::move(done)] {
        if (dns_fails) return done(base::fail(std::string("SRV _sip._udp.sip.test: SERVFAIL")));
        done(std::vector<transport::Target>{{kPrimary, "sip.test"}, {kSecondary, "sip.test"}});
      });
    };
    account = std::make_unique<account::Account>(
        1, cfg, account::Stack{txn, transport, timers, random, jitter},
        transport::Target{{transport::Protocol::kUdp, "", 5060}, "sip.test"}, previous_contacts,
        std::move(hooks));
    t0 = timers.now();
    account->start();
  }
  // Runs the clock until something is sent to `to` (bounded); what was sent, that last.
  std::vector<test::SentMessage> run_until_sent_to(const transport::Address& to, Duration limit) {
    timers.run_until(
        [&] {
          for (const auto& m : transport.sent())
            if (m.target.remote == to) return true;
          return false;
        },
        limit);
    return transport.take_sent();
  }
  void answer_from(const test::SentMessage& req, int code, const transport::Address& from,
                   std::vector<std::string> extra = {}) {
    auto m = req.parse();
    auto w = msg::response_to(m, code, msg::reason_phrase(code), "srvtag");
    if (code == 200) {
      auto c = m.find(msg::HeaderId::kContact);
      if (c) w.header(msg::HeaderId::kContact, std::string(c->value) + ";expires=60");
    }
    for (const auto& h : extra) {
      auto colon = h.find(':');
      w.header(h.substr(0, colon), h.substr(colon + 2));
    }
    EXPECT_TRUE(transport.inject(w.finish(), from));
  }
};

TEST_F(Located, RegistersAtTheMostPreferredTarget) {
  start_located();
  auto r = wait_request();
  EXPECT_EQ(r.target.remote, kPrimary);
  EXPECT_EQ(r.target.tls_server_name, "sip.test");
  answer_from(r, 200, kPrimary);
  EXPECT_EQ(state(), account::State::kRegistered);
  auto s = account->snapshot();
  EXPECT_EQ(s.server_target, "udp:127.0.0.9:5060");
  EXPECT_EQ(s.server_target_rank, 0u);
  EXPECT_EQ(s.failovers, 0u);
}

TEST_F(Located, TimeoutMovesToTheNextTargetWithinTheAttempt) {
  start_located();
  auto r1 = wait_request();
  EXPECT_EQ(r1.target.remote, kPrimary);
  // Timer F (32 s) passes without an answer; retransmissions go to the primary meanwhile.
  auto sent = run_until_sent_to(kSecondary, 40s);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back().target.remote, kSecondary);
  EXPECT_NEAR(std::chrono::duration<double>(sent.back().at - t0).count(), 32.0, 0.1);
  answer_from(sent.back(), 200, kSecondary);
  EXPECT_EQ(state(), account::State::kRegistered);
  auto s = account->snapshot();
  EXPECT_EQ(s.server_target_rank, 1u);
  EXPECT_EQ(s.failovers, 1u);
  EXPECT_EQ(s.registration_failures, 0u);
  EXPECT_NE(s.server_target_reason.find("fail-over from udp:127.0.0.9:5060: timeout"),
            std::string::npos)
      << s.server_target_reason;
}

TEST_F(Located, TransportErrorMovesOnAtOnce) {
  transport.fail_sends_to({kPrimary, "sip.test"}, transport::TransportErrorKind::kSendFailed);
  start_located();
  auto sent = run_until_sent_to(kSecondary, 1s);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back().target.remote, kSecondary);
  EXPECT_LT(std::chrono::duration<double>(sent.back().at - t0).count(), 0.01);
}

TEST_F(Located, ServiceUnavailableWithoutRetryAfterMovesOnWithRetryAfterDoesNot) {
  start_located();
  auto r1 = wait_request();
  answer_from(r1, 503, kPrimary);
  auto r2 = wait_request(1s);
  EXPECT_EQ(r2.target.remote, kSecondary);
  answer_from(r2, 503, kSecondary, {"Retry-After: 30"});
  // The last target failed: the attempt fails, the retry rule applies.
  EXPECT_EQ(state(), account::State::kFailed);
  EXPECT_EQ(account->snapshot().registration_failures, 1u);
  EXPECT_EQ(account->snapshot().failure_class, usage::reg::FailureClass::kServer);
}

TEST_F(Located, FailBackToThePrimaryAtTheNextRefresh) {
  start_located();
  auto r1 = wait_request();
  answer_from(r1, 503, kPrimary);
  auto r2 = wait_request(1s);
  answer_from(r2, 200, kSecondary);
  ASSERT_EQ(account->snapshot().server_target_rank, 1u);
  // The refresh (60 - 10 s later) asks the primary first again.
  auto r3 = wait_request();
  EXPECT_NEAR(at_s(r3), 50.0, 0.1);
  EXPECT_EQ(r3.target.remote, kPrimary);
  answer_from(r3, 200, kPrimary);
  auto s = account->snapshot();
  EXPECT_EQ(s.server_target_rank, 0u);
  EXPECT_NE(s.server_target_reason.find("fail-back"), std::string::npos) << s.server_target_reason;
  EXPECT_EQ(lookups, 3);  // one per attempt: the resolver's cache makes them cheap
  // The binding left at the secondary (its lease has 10 s to run) is removed at once.
  auto leave = wait_request(1s);
  EXPECT_EQ(leave.target.remote, kSecondary);
  auto m = leave.parse();
  EXPECT_EQ(m.method(), "REGISTER");
  EXPECT_EQ(m.uint_header(msg::HeaderId::kExpires), 0u);
  EXPECT_NE(header(leave, msg::HeaderId::kContact).find(";expires=0"), std::string::npos);
  EXPECT_EQ(header(leave, msg::HeaderId::kContact),
            header(r3, msg::HeaderId::kContact) + ";expires=0");
  answer_from(leave, 200, kSecondary);
  s = account->snapshot();
  EXPECT_NE(s.server_target_reason.find("binding at udp:127.0.0.10:5070 removed (200)"),
            std::string::npos)
      << s.server_target_reason;
  EXPECT_EQ(account->state(), account::State::kRegistered);
  // Nothing more: the next request is the primary's refresh.
  auto r4 = wait_request();
  EXPECT_EQ(r4.target.remote, kPrimary);
}

// Registered at the primary, which then stops answering: the refresh moves to the secondary,
// and the binding at the primary is asked to go too (it may be only the path that failed).
TEST_F(Located, FailOverAsksTheOldRegistrarToDropOurBinding) {
  start_located();
  auto r1 = wait_request();
  answer_from(r1, 200, kPrimary);
  auto r2 = wait_request();  // the refresh, 50 s later
  EXPECT_EQ(r2.target.remote, kPrimary);
  answer_from(r2, 503, kPrimary);
  auto r3 = wait_request(1s);
  EXPECT_EQ(r3.target.remote, kSecondary);
  answer_from(r3, 200, kSecondary);
  auto leave = wait_request(1s);
  EXPECT_EQ(leave.target.remote, kPrimary);
  EXPECT_EQ(leave.parse().uint_header(msg::HeaderId::kExpires), 0u);
}

TEST_F(Located, FailedLookupIsClassDnsAndRetried) {
  dns_fails = true;
  cfg.registration_retry_wait_s = std::chrono::seconds{20};
  start_located();
  timers.advance(1s);
  EXPECT_TRUE(transport.sent().empty());
  EXPECT_EQ(state(), account::State::kFailed);
  auto s = account->snapshot();
  EXPECT_EQ(s.failure_class, usage::reg::FailureClass::kDns);
  EXPECT_NE(s.last_error.find("SERVFAIL"), std::string::npos);
  dns_fails = false;
  auto r = wait_request();
  EXPECT_NEAR(at_s(r), 21.0, 0.1);  // W + 5 % pinned jitter
  EXPECT_EQ(r.target.remote, kPrimary);
}

// The start's look-up fails: the retry still begins with "unregister before new registration".
TEST_F(Located, UnregisterBeforeRegistrationSurvivesAFailedFirstLookup) {
  dns_fails = true;
  cfg.unregister_before_new_registration = config::UnregisterMode::instance;
  previous_contacts = {"sip:1001@192.0.2.50:5060"};
  start_located();
  timers.advance(1s);
  EXPECT_EQ(account->snapshot().failure_class, usage::reg::FailureClass::kDns);
  dns_fails = false;
  auto r = wait_request();
  EXPECT_EQ(r.target.remote, kPrimary);
  EXPECT_EQ(header(r, msg::HeaderId::kExpires), "0");
  auto contacts = contacts_of(r);
  ASSERT_FALSE(contacts.empty());
  EXPECT_NE(contacts[0].find("192.0.2.50"), std::string::npos) << contacts[0];
}

// Fail-over is not REGISTER's alone (issue 11 item 2): a SUBSCRIBE that gets a 503 without
// Retry-After moves the account to the next target through the same walk, is sent there again
// at once, and the account REGISTERs there at once too (its binding is on the target it left).
TEST_F(Located, SubscribeFailsOverAndTheAccountRegistersThere) {
  cfg.subscribe_mwi = true;
  start_located();
  auto reg = wait_request();
  answer_from(reg, 200, kPrimary);
  ASSERT_EQ(state(), account::State::kRegistered);
  auto sub = wait_request(1s);
  ASSERT_EQ(sub.method(), "SUBSCRIBE");
  EXPECT_EQ(sub.target.remote, kPrimary);
  const auto failed_at = timers.now();
  const int lookups_before = lookups;
  answer_from(sub, 503, kPrimary);
  timers.advance(Duration{1});
  auto sent = transport.take_sent();
  ASSERT_EQ(sent.size(), 2u);
  std::vector<std::string> methods;
  for (const auto& m : sent) {
    methods.push_back(m.method());
    EXPECT_EQ(m.target.remote, kSecondary) << m.method();
    EXPECT_EQ(m.at, failed_at) << m.method() << ": not at once";
  }
  std::sort(methods.begin(), methods.end());
  EXPECT_EQ(methods, (std::vector<std::string>{"REGISTER", "SUBSCRIBE"}));
  auto s = account->snapshot();
  EXPECT_EQ(s.server_target_rank, 1u);
  EXPECT_EQ(s.failovers, 1u);
  EXPECT_NE(s.server_target_reason.find("fail-over from udp:127.0.0.9:5060: 503"),
            std::string::npos)
      << s.server_target_reason;
  EXPECT_EQ(lookups, lookups_before);  // the move does not ask the DNS again
  for (const auto& m : sent) answer_from(m, 200, kSecondary, {"Expires: 3600"});
  EXPECT_EQ(state(), account::State::kRegistered);
  EXPECT_EQ(s.registration_failures, 0u);
}

// A SUBSCRIBE that fails at a target the account already left (its REGISTER moved first) is
// sent again to the current target without moving further.
TEST_F(Located, SubscribeFailingAtALeftTargetFollowsTheAccount) {
  cfg.subscribe_mwi = true;
  start_located();
  auto reg = wait_request();
  answer_from(reg, 200, kPrimary);
  auto sub = wait_request(1s);
  ASSERT_EQ(sub.method(), "SUBSCRIBE");
  account->reregister_now();
  auto again = wait_request(1s);
  ASSERT_EQ(again.method(), "REGISTER");
  answer_from(again, 503, kPrimary);  // the REGISTER moves the account first
  auto moved = wait_request(1s);
  EXPECT_EQ(moved.method(), "REGISTER");
  EXPECT_EQ(moved.target.remote, kSecondary);
  answer_from(sub, 503, kPrimary);  // then the SUBSCRIBE's 503 from the primary arrives
  auto resent = wait_request(1s);
  EXPECT_EQ(resent.method(), "SUBSCRIBE");
  EXPECT_EQ(resent.target.remote, kSecondary);
  EXPECT_EQ(account->snapshot().failovers, 1u);
  EXPECT_EQ(account->snapshot().server_target_rank, 1u);
}

// A stop while the look-up is pending: its answer is dropped, nothing is sent.
TEST_F(Located, AnswerAfterStopIsIgnored) {
  start_located();
  bool done = false;
  account->stop([&] { done = true; });
  timers.advance(1s);
  EXPECT_TRUE(done);
  EXPECT_TRUE(transport.sent().empty());
}

}  // namespace
}  // namespace sipline::account_test
