// One test per behaviour of account-settings.md, on the virtual clock, with exact send times.
#include "account_test_util.hpp"

namespace sipline::account_test {
namespace {

using account::State;
using msg::HeaderId;

TEST_F(Fixture, FirstRegisterAsksForExpirationAndAnswersTheChallenge) {
  start();
  auto r1 = next_request();
  EXPECT_EQ(r1.method(), "REGISTER");
  EXPECT_EQ(at_s(r1), 0.0);
  EXPECT_EQ(header(r1, HeaderId::kExpires), "3600");
  EXPECT_EQ(header(r1, HeaderId::kAuthorization), "");
  EXPECT_EQ(r1.parse().request_uri(), "sip:127.0.0.9");
  EXPECT_EQ(contacts_of(r1), std::vector<std::string>{"<sip:1001@127.0.0.1:5060>"});
  EXPECT_NE(header(r1, HeaderId::kVia).find(";rport"), std::string::npos);
  EXPECT_EQ(state(), State::kRegistering);
  challenge(r1);
  auto r2 = next_request();
  EXPECT_NE(header(r2, HeaderId::kAuthorization).find("username=\"1001\""), std::string::npos);
  EXPECT_EQ(header(r2, HeaderId::kCallId), header(r1, HeaderId::kCallId));
  EXPECT_EQ(r2.parse().cseq()->seq, r1.parse().cseq()->seq + 1);
  answer_ok(r2);
  EXPECT_EQ(state(), State::kRegistered);
  EXPECT_EQ(account->snapshot().granted_expires_s, 3600u);
  EXPECT_EQ(saved_contacts, std::vector<std::string>{"sip:1001@127.0.0.1:5060"});
}

TEST_F(Fixture, AutomaticRefreshAtGMinusHalfCappedAt600MinusPinnedJitter) {
  start();
  register_with_challenge(3600);
  // m = min(3600/2, 600) = 600; jitter 0.5 of 10 % of m = 30 s earlier: 3600 - 630.
  auto refresh = wait_request();
  EXPECT_DOUBLE_EQ(at_s(refresh), 2970.0);
  EXPECT_EQ(state(), State::kRefreshing);
  EXPECT_EQ(header(refresh, HeaderId::kAuthorization), "");  // add_auth_header_on_reregister off
  answer_ok(refresh, 600);
  // G = 600: m = 300, jitter 15 s: 600 - 315 = 285 s after that 2xx.
  auto refresh2 = wait_request();
  EXPECT_DOUBLE_EQ(at_s(refresh2), 2970.0 + 285.0);
}

// A [[fleet]] account: the first refresh is drawn across the whole wait (pinned jitter 0.5:
// half of 2970 s), the next ones follow the usual rule again.
TEST_F(Fixture, FleetAccountSpreadsItsFirstRefreshOnly) {
  cfg.spread_first_refresh = true;
  start();
  register_with_challenge(3600);
  auto refresh = wait_request();
  EXPECT_DOUBLE_EQ(at_s(refresh), 2970.0 * 0.5);
  answer_ok(refresh, 600);
  auto refresh2 = wait_request();
  EXPECT_DOUBLE_EQ(at_s(refresh2), 2970.0 * 0.5 + 285.0);
}

// Registers (G 3600), answers the first refresh `late` after it left (its retransmissions
// dropped) with G 600, and returns when the first and the next refresh left (s since start).
std::pair<double, double> refreshes_around_a_late_answer(Fixture& f, Duration late) {
  f.start();
  f.register_with_challenge(3600);
  auto refresh = f.wait_request();
  f.timers.advance(late);
  f.transport.take_sent();  // its retransmissions (timer E)
  f.answer_ok(refresh, 600);
  return {f.at_s(refresh), f.at_s(f.wait_request())};
}

// A fleet account whose refresh took 1 s or more (here its answer came 3 s late, as after a
// wait behind the admission gate) spreads its next refresh across the whole wait again
// (pinned jitter 0.5: half of 285 s), so the accounts that waited together do not refresh
// together every cycle; a prompt answer keeps the usual rule (above).
TEST_F(Fixture, FleetAccountWhoseRefreshWaitedSpreadsTheNextOneAgain) {
  cfg.spread_first_refresh = true;
  const auto [refresh, next] = refreshes_around_a_late_answer(*this, 3000ms);
  EXPECT_DOUBLE_EQ(refresh, 2970.0 * 0.5);
  EXPECT_DOUBLE_EQ(next, 2970.0 * 0.5 + 3.0 + 285.0 * 0.5);
}

// An account of an [[account]] table keeps the rule of account-settings.md however long its
// refresh took.
TEST_F(Fixture, WrittenAccountKeepsTheRuleAfterASlowRefresh) {
  const auto [refresh, next] = refreshes_around_a_late_answer(*this, 3000ms);
  EXPECT_DOUBLE_EQ(refresh, 2970.0);
  EXPECT_DOUBLE_EQ(next, 2970.0 + 3.0 + 285.0);
}

TEST_F(Fixture, GrantedExpiryComesFromOurContactThenExpiresHeader) {
  start();
  auto r = next_request();
  // Our Contact says 120, the Expires header 900: G is 120.
  answer(r, 200, {"Expires: 900"}, 120);
  EXPECT_EQ(account->snapshot().granted_expires_s, 120u);
  auto refresh = wait_request();  // m = 60, jitter 3 s
  EXPECT_DOUBLE_EQ(at_s(refresh), 120.0 - 63.0);
  // No Contact in the 2xx: G from Expires, warning "binding not confirmed".
  answer(refresh, 200, {"Expires: 900"});
  auto snap = account->snapshot();
  EXPECT_EQ(snap.granted_expires_s, 900u);
  EXPECT_EQ(snap.state, State::kRegistered);
  EXPECT_EQ(snap.failure_class, usage::reg::FailureClass::kBindingNotConfirmed);
  ASSERT_FALSE(snap.warnings.empty());
  EXPECT_EQ(snap.warnings.back(), "binding not confirmed");
}

TEST_F(Fixture, ReregisterBeforeExpirationRefreshesAtGMinusR) {
  cfg.reregister_before_expiration_s = std::chrono::seconds{100};
  start();
  register_with_challenge(3600);
  EXPECT_DOUBLE_EQ(at_s(wait_request()), 3500.0);
}

TEST_F(Fixture, ReregisterBeforeNotBelowGFallsBackToAutomatic) {
  cfg.reregister_before_expiration_s = std::chrono::seconds{3600};
  start();
  register_with_challenge(3600);
  EXPECT_DOUBLE_EQ(at_s(wait_request()), 2970.0);
}

TEST_F(Fixture, FailureRetriesAfterWaitPlusJitter) {
  cfg.registration_retry_wait_s = std::chrono::seconds{20};
  start();
  auto r = next_request();
  answer(r, 503);
  EXPECT_EQ(state(), State::kFailed);
  auto snap = account->snapshot();
  EXPECT_EQ(snap.failure_class, usage::reg::FailureClass::kServer);
  EXPECT_EQ(snap.last_status_code, 503);
  ASSERT_TRUE(snap.next_attempt_in.has_value());
  EXPECT_EQ(*snap.next_attempt_in, Duration{21000});
  auto again = wait_request();
  EXPECT_DOUBLE_EQ(at_s(again), 21.0);  // W + 5 % of W
  EXPECT_EQ(state(), State::kRegistering);
  answer(again, 404);
  EXPECT_EQ(account->snapshot().failure_class, usage::reg::FailureClass::kRejected);
  EXPECT_DOUBLE_EQ(at_s(wait_request()), 42.0);
}

TEST_F(Fixture, RetryAfterMakesTheWaitItsMaximumWithW) {
  start();
  auto r = next_request();
  answer(r, 503, {"Retry-After: 120"});
  EXPECT_DOUBLE_EQ(at_s(wait_request()), 121.0);  // max(20, 120) + 5 % of 20
}

TEST_F(Fixture, RetryAfterIsCappedAtOneHour) {
  start();
  answer(next_request(), 500, {"Retry-After: 99999"});
  EXPECT_DOUBLE_EQ(at_s(wait_request()), 3601.0);
}

TEST_F(Fixture, IntervalTooBriefRetriesAtOnceWithMinExpires) {
  start();
  auto r = next_request();
  answer(r, 423, {"Min-Expires: 7200"});
  auto r2 = next_request();
  EXPECT_EQ(at_s(r2), 0.0);
  EXPECT_EQ(header(r2, HeaderId::kExpires), "7200");
  answer_ok(r2, 7200);
  EXPECT_EQ(state(), State::kRegistered);
  auto refresh = wait_request();
  EXPECT_EQ(header(refresh, HeaderId::kExpires), "7200");  // keeps asking what was required
}

TEST_F(Fixture, IntervalTooBriefWithoutMinExpiresOrTwiceIsAFailure) {
  start();
  answer(next_request(), 423);
  EXPECT_EQ(state(), State::kFailed);
  EXPECT_EQ(account->snapshot().failure_class, usage::reg::FailureClass::kRejected);
  auto r = wait_request();
  EXPECT_DOUBLE_EQ(at_s(r), 21.0);
  answer(r, 423, {"Min-Expires: 7200"});
  answer(next_request(), 423, {"Min-Expires: 9000"});
  EXPECT_EQ(state(), State::kFailed);
  EXPECT_TRUE(transport.sent().empty());
}

TEST_F(Fixture, ForbiddenWaitsTheAuthFailureTime) {
  cfg.auth_failure_retry_wait_s = std::chrono::seconds{300};
  start();
  answer(next_request(), 403);
  EXPECT_EQ(state(), State::kFailed);
  EXPECT_EQ(account->snapshot().failure_class, usage::reg::FailureClass::kCredentials);
  EXPECT_DOUBLE_EQ(at_s(wait_request()), 300.0);
}

TEST_F(Fixture, SecondChallengeForTheSameCredentialsIsACredentialsFailure) {
  start();
  auto r1 = next_request();
  challenge(r1, "n1");
  auto r2 = next_request();
  challenge(r2, "n1");
  EXPECT_TRUE(transport.sent().empty()) << "must not loop on a wrong password";
  EXPECT_EQ(state(), State::kFailed);
  EXPECT_EQ(account->snapshot().failure_class, usage::reg::FailureClass::kCredentials);
  EXPECT_DOUBLE_EQ(at_s(wait_request()), 300.0);
}

TEST_F(Fixture, WrongPasswordAgainstRotatingNoncesEndsWithinTheAttempt) {
  start();
  auto req = next_request();
  int answers = 0;
  for (int i = 0; i < 10 && state() != State::kFailed; ++i) {
    challenge(req, "rot" + std::to_string(i));
    if (state() == State::kFailed) break;
    req = next_request();
    ++answers;
  }
  EXPECT_EQ(answers, auth::DigestSession::kMaxAnswersWithoutSuccess);
  EXPECT_TRUE(transport.sent().empty()) << "must not loop on a wrong password";
  EXPECT_EQ(account->snapshot().failure_class, usage::reg::FailureClass::kCredentials);
  EXPECT_DOUBLE_EQ(now_s(), 0.0);
  EXPECT_DOUBLE_EQ(at_s(wait_request()), 300.0);
}

// Issue 12, defect 1: the answer to our credentials is lost; the next attempt's fresh 401 (no
// stale) is an ordinary challenge, answered, not a second refusal of the password.
TEST_F(Fixture, LostAnswerToCredentialsDoesNotLockTheAccountOut) {
  start();
  auto r1 = next_request();
  challenge(r1, "n1");
  auto r2 = next_request();  // signed; every answer to it is lost: timer F at 32 s
  ASSERT_FALSE(header(r2, HeaderId::kAuthorization).empty());
  timers.advance(32s);
  transport.take_sent();  // r2's retransmissions
  EXPECT_EQ(account->snapshot().failure_class, usage::reg::FailureClass::kTimeout);
  auto r3 = wait_request();
  EXPECT_DOUBLE_EQ(at_s(r3), 32.0 + 21.0) << "the retry wait, not the credentials wait";
  challenge(r3, "n2");
  auto r4 = next_request();
  EXPECT_NE(header(r4, HeaderId::kAuthorization).find("nonce=\"n2\""), std::string::npos);
  answer_ok(r4);
  EXPECT_EQ(state(), State::kRegistered);
}

TEST_F(Fixture, SendErrorOfTheSignedRegisterDoesNotLockTheAccountOut) {
  start();
  auto r1 = next_request();
  transport.fail_sends_to(transport::Target{kServer, "127.0.0.9"},
                          transport::TransportErrorKind::kSendFailed);
  challenge(r1, "n1");  // the signed REGISTER's send fails
  timers.advance(1ms);
  transport.take_sent();
  transport.clear_failures();
  EXPECT_EQ(account->snapshot().failure_class, usage::reg::FailureClass::kTransport);
  auto r3 = wait_request();
  challenge(r3, "n1");  // even the same nonce: this is a new attempt
  auto r4 = next_request();
  EXPECT_FALSE(header(r4, HeaderId::kAuthorization).empty());
  answer_ok(r4);
  EXPECT_EQ(state(), State::kRegistered);
}

TEST_F(Fixture, StaleNonceIsAnsweredAgainWithoutCountingAsFailure) {
  start();
  auto r1 = next_request();
  challenge(r1, "n1");
  auto r2 = next_request();
  challenge(r2, "n2", /*stale=*/true);
  auto r3 = next_request();
  EXPECT_NE(header(r3, HeaderId::kAuthorization).find("nonce=\"n2\""), std::string::npos);
  answer_ok(r3);
  EXPECT_EQ(state(), State::kRegistered);
  EXPECT_EQ(account->snapshot().registration_failures, 0u);
}

TEST_F(Fixture, AddAuthHeaderOnReregisterSendsCredentialsWithNextNonceCount) {
  cfg.add_auth_header_on_reregister = true;
  start();
  register_with_challenge(3600);
  auto refresh = wait_request();
  const std::string auth = header(refresh, HeaderId::kAuthorization);
  EXPECT_NE(auth.find("nonce=\"n1\""), std::string::npos);
  EXPECT_NE(auth.find("nc=00000002"), std::string::npos);
}

// Without add_auth_header_on_reregister the refresh goes without credentials (the challenge was
// forgotten at the 2xx); a server that challenges it with the nonce already used gets the next
// nonce count, not 1 again.
TEST_F(Fixture, RefreshChallengedWithAUsedNonceAnswersWithTheNextNonceCount) {
  start();
  register_with_challenge(3600);
  auto refresh = wait_request();
  EXPECT_EQ(header(refresh, HeaderId::kAuthorization), "");
  challenge(refresh, "n1");
  auto answered = next_request();
  const std::string auth = header(answered, HeaderId::kAuthorization);
  EXPECT_NE(auth.find("nonce=\"n1\""), std::string::npos) << auth;
  EXPECT_NE(auth.find("nc=00000002"), std::string::npos) << auth;
  answer_ok(answered);
  EXPECT_EQ(state(), State::kRegistered);
}

TEST_F(Fixture, TimeoutFailsAfterTimerFThenRetries) {
  start();
  timers.advance(40s);  // no answer: E retransmits, F = 64*T1 = 32 s
  auto sent = transport.take_sent();
  // 0, .5, 1.5, 3.5 (E doubles), then every T2 = 4 s: 7.5 ... 31.5; F at 32 s.
  EXPECT_EQ(sent.size(), 11u);
  EXPECT_EQ(state(), State::kFailed);
  EXPECT_EQ(account->snapshot().failure_class, usage::reg::FailureClass::kTimeout);
  EXPECT_DOUBLE_EQ(at_s(wait_request()), 32.0 + 21.0);
}

TEST_F(Fixture, FailingRefreshesKeepRegisteredUntilTheLeaseRunsOut) {
  start();
  answer_ok(next_request(), 100);  // m = 50, jitter 2.5 s: refresh at 47.5
  auto refresh = wait_request();
  EXPECT_DOUBLE_EQ(at_s(refresh), 47.5);
  answer(refresh, 503);
  auto snap = account->snapshot();
  EXPECT_EQ(snap.state, State::kRegistered);
  EXPECT_EQ(snap.last_status_code, 503);
  EXPECT_FALSE(snap.last_error.empty());
  ASSERT_TRUE(snap.next_attempt_in.has_value());
  auto retry = wait_request();
  EXPECT_DOUBLE_EQ(at_s(retry), 68.5);
  answer(retry, 503);
  EXPECT_EQ(state(), State::kRegistered);
  timers.advance(100000ms - std::chrono::duration_cast<Duration>(timers.now() - t0));  // t = 100 s
  // The retry sent at 89.5 s is still unanswered: the lease is gone all the same.
  EXPECT_EQ(state(), State::kFailed);
  EXPECT_EQ(account->snapshot().granted_expires_s, 0u);
  auto retransmitted = transport.take_sent();  // the retry and its timer E retransmissions
  ASSERT_FALSE(retransmitted.empty());
  answer(retransmitted.back(), 200, {}, 100);
  EXPECT_EQ(state(), State::kRegistered);
}

// A [[fleet]] account's first OPTIONS comes half an interval after the 2xx (pinned jitter 0.5),
// the next one a whole interval later.
TEST_F(Fixture, FleetAccountSpreadsItsFirstKeepalive) {
  cfg.spread_first_refresh = true;
  cfg.options_keepalive = true;
  cfg.options_keepalive_interval_s = std::chrono::seconds{10};
  start();
  answer_ok(next_request(), 3600);
  const double registered_at = now_s();
  std::vector<double> options_at;
  timers.run_until(
      [&] {
        for (auto& m : transport.take_sent()) {
          if (m.method() != "OPTIONS") continue;
          options_at.push_back(at_s(m));
          answer(m, 200);
        }
        return options_at.size() >= 2;
      },
      60000ms);
  ASSERT_EQ(options_at.size(), 2u);
  EXPECT_DOUBLE_EQ(options_at[0] - registered_at, 5.0);
  EXPECT_DOUBLE_EQ(options_at[1] - registered_at, 15.0);
}

TEST_F(Fixture, OptionsMissesReregisterAfterIntervalTimesMaxTries) {
  cfg.options_keepalive = true;
  cfg.options_keepalive_interval_s = std::chrono::seconds{10};
  cfg.options_keepalive_max_tries = 3;
  start();
  answer_ok(next_request(), 3600);
  const double registered_at = now_s();
  // OPTIONS at +10, +20, +30 (each unanswered, retransmitted by timer E); the third miss is
  // declared when the fourth would be due, at +40: then REGISTER at once.
  std::vector<double> options_at;
  test::SentMessage reregister;
  timers.run_until(
      [&] {
        for (auto& m : transport.take_sent()) {
          if (m.method() == "OPTIONS" && options_at.empty()) options_at.push_back(at_s(m));
          if (m.method() == "OPTIONS" && at_s(m) - options_at.back() >= 9.999) {
            options_at.push_back(at_s(m));
          }
          if (m.method() == "REGISTER") {
            reregister = m;
            return true;
          }
        }
        return false;
      },
      1000s);
  ASSERT_EQ(options_at.size(), 3u);
  EXPECT_DOUBLE_EQ(options_at[0], registered_at + 10);
  EXPECT_DOUBLE_EQ(options_at[2], registered_at + 30);
  EXPECT_DOUBLE_EQ(at_s(reregister), options_at[0] + 10 * 3);
  EXPECT_EQ(state(), State::kRefreshing);
}

TEST_F(Fixture, OptionsAnyResponseResetsMissesAndIsNotAuthenticated) {
  cfg.options_keepalive = true;
  cfg.options_keepalive_interval_s = std::chrono::seconds{10};
  start();
  answer_ok(next_request(), 3600);
  for (int i = 0; i < 5; ++i) {
    auto o = wait_request(11s);
    ASSERT_EQ(o.method(), "OPTIONS");
    EXPECT_EQ(o.parse().request_uri(), "sip:127.0.0.9");
    answer(o, 407, {"Proxy-Authenticate: Digest realm=\"x\", nonce=\"y\""});
    EXPECT_TRUE(transport.sent().empty()) << "a 401/407 to OPTIONS is not answered";
  }
  EXPECT_EQ(account->snapshot().keepalive_misses, 0u);
  EXPECT_EQ(state(), State::kRegistered);
}

TEST_F(Fixture, NatRebindingSeenByOptionsReregistersAtOnce) {
  cfg.options_keepalive = true;
  cfg.options_keepalive_interval_s = std::chrono::seconds{10};
  start();
  auto r = next_request();
  answer_ok(r, 3600);  // response_to copies our Via: rport without a value
  auto o = wait_request(11s);
  auto m = o.parse();
  std::string bytes(m.raw());
  // The server now sees us from another port.
  auto w = msg::MessageWriter::response(200, "OK");
  const auto via = std::string(m.find(HeaderId::kVia)->value);
  const std::string new_via = via.substr(0, via.find(";rport")) +
                              ";rport=40000;received=192.0.2.1" + via.substr(via.find(";branch"));
  w.header(HeaderId::kVia, new_via);
  for (auto id : {HeaderId::kFrom, HeaderId::kTo, HeaderId::kCallId, HeaderId::kCSeq}) {
    w.header(id, m.find(id)->value);
  }
  ASSERT_TRUE(transport.inject(w.finish(), kServer));
  auto again = next_request();
  EXPECT_EQ(again.method(), "REGISTER");
  EXPECT_DOUBLE_EQ(at_s(again), at_s(o));
}

TEST_F(Fixture, UnregisterAllSendsStarWithExpiresZeroThenRegisters) {
  cfg.unregister_before_new_registration = config::UnregisterMode::all;
  start();
  auto u = next_request();
  EXPECT_EQ(state(), State::kUnregistering);
  EXPECT_EQ(contacts_of(u), std::vector<std::string>{"*"});
  EXPECT_EQ(header(u, HeaderId::kExpires), "0");
  challenge(u);
  auto u2 = next_request();
  EXPECT_EQ(contacts_of(u2), std::vector<std::string>{"*"});
  answer(u2, 200);
  auto r = next_request();
  EXPECT_EQ(header(r, HeaderId::kExpires), "3600");
  EXPECT_EQ(header(r, HeaderId::kCallId), header(u, HeaderId::kCallId));
  EXPECT_EQ(r.parse().cseq()->seq, u2.parse().cseq()->seq + 1);
  EXPECT_EQ(account->snapshot().unregister_outcome, "200 ok");
}

TEST_F(Fixture, UnregisterInstanceRemovesThePreviousRunsContactAndOurs) {
  cfg.unregister_before_new_registration = config::UnregisterMode::instance;
  previous_contacts = {"sip:1001@127.0.0.1:6000"};
  start();
  auto u = next_request();
  EXPECT_EQ(contacts_of(u), (std::vector<std::string>{"<sip:1001@127.0.0.1:6000>;expires=0",
                                                      "<sip:1001@127.0.0.1:5060>;expires=0"}));
  EXPECT_EQ(header(u, HeaderId::kExpires), "0");
  answer(u, 500);  // whatever the outcome, registration follows at once
  auto r = next_request();
  EXPECT_EQ(at_s(r), 0.0);
  EXPECT_EQ(header(r, HeaderId::kExpires), "3600");
}

// After a registration, a start() (stop and start again) removes the Contact our binding holds
// and the one of now, when the address changed in between; the earlier run's contact, already
// removed, is not named again.
TEST_F(Fixture, UnregisterInstanceRemovesOurContactOfBeforeAnAddressChange) {
  cfg.unregister_before_new_registration = config::UnregisterMode::instance;
  previous_contacts = {"sip:1001@127.0.0.1:6000"};
  start();
  answer(next_request(), 200);  // the earlier run's binding and ours removed
  answer_ok(next_request());
  ASSERT_EQ(state(), State::kRegistered);
  transport.set_local({transport::Protocol::kUdp, "127.0.0.1", 5062});
  bool stopped = false;
  account->stop([&] { stopped = true; });
  auto u = next_request();
  EXPECT_EQ(contacts_of(u), std::vector<std::string>{"<sip:1001@127.0.0.1:5060>;expires=0"});
  answer(u, 200);
  ASSERT_TRUE(stopped);
  account->start();
  auto again = next_request();
  EXPECT_EQ(contacts_of(again), (std::vector<std::string>{"<sip:1001@127.0.0.1:5060>;expires=0",
                                                          "<sip:1001@127.0.0.1:5062>;expires=0"}));
  answer(again, 200);
  auto r = next_request();
  EXPECT_EQ(contacts_of(r), std::vector<std::string>{"<sip:1001@127.0.0.1:5062>"});
}

constexpr const char* kInstance = "<urn:uuid:f81d4fae-7dec-41d0-a765-00a0c91e6bf6>";

TEST_F(Fixture, OutboundRegisterCarriesInstanceRegIdObAndSupported) {
  outbound_instance = kInstance;
  start();
  auto r = next_request();
  EXPECT_EQ(contacts_of(r), std::vector<std::string>{"<sip:1001@127.0.0.1:5060;ob>;reg-id=1;"
                                                     "+sip.instance=\"" +
                                                     std::string(kInstance) + "\""});
  EXPECT_EQ(header(r, HeaderId::kSupported), "outbound, path, gruu");
  const std::string contact = contacts_of(r).front();  // the parsed Contact points into it
  auto c = msg::parse_contact(contact);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->instance(), kInstance);
  answer_ok(r);  // the registrar echoes the Contact: the binding is confirmed
  EXPECT_EQ(state(), State::kRegistered);
}

TEST_F(Fixture, OutboundReadsRequireFlowTimerAndOurGruusFromThe2xx) {
  outbound_instance = kInstance;
  start();
  auto r = next_request();
  const std::string params = ";reg-id=1;+sip.instance=\"" + std::string(kInstance) + "\"";
  answer(r, 200,
         {"Require: outbound", "Flow-Timer: 25",
          // another device's binding first: its GRUUs are not ours
          "Contact: <sip:1001@192.0.2.7:5060;ob>;expires=3600;pub-gruu=\"sip:other@x;gr\"",
          "Contact: <sip:1001@127.0.0.1:5060;ob>" + params +
              ";expires=1800;pub-gruu=\"sip:1001@127.0.0.9;gr=urn:uuid:f81d4fae-7dec-41d0-a765-"
              "00a0c91e6bf6\";temp-gruu=\"sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@127.0.0."
              "9;gr\""});
  ASSERT_EQ(state(), State::kRegistered);
  const auto s = account->snapshot();
  EXPECT_EQ(s.granted_expires_s, 1800u);
  EXPECT_EQ(s.outbound_instance, kInstance);
  EXPECT_TRUE(s.outbound_supported);
  EXPECT_EQ(s.flow_timer_s, 25u);
  EXPECT_EQ(s.pub_gruu, "sip:1001@127.0.0.9;gr=urn:uuid:f81d4fae-7dec-41d0-a765-00a0c91e6bf6");
  EXPECT_EQ(s.temp_gruu, "sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@127.0.0.9;gr");
  // A refresh answered without them clears them (the registrar no longer offers outbound).
  // The flow keep-alive's STUN pings (every 20-25 s) are answered on the way.
  test::SentMessage refresh;
  while ((refresh = wait_request()).method() != "REGISTER") {
    account->on_pong({refresh.target, refresh.bytes.substr(8, 12), std::nullopt});
  }
  answer(refresh, 200, {"Flow-Timer: x"}, 1800);
  const auto t = account->snapshot();
  EXPECT_FALSE(t.outbound_supported);
  EXPECT_EQ(t.flow_timer_s, std::nullopt);
  EXPECT_EQ(t.pub_gruu, "");
  EXPECT_EQ(t.temp_gruu, "");
}

TEST_F(Fixture, WithoutOutboundNoInstanceNorSupported) {
  start();
  auto r = next_request();
  EXPECT_EQ(contacts_of(r), std::vector<std::string>{"<sip:1001@127.0.0.1:5060>"});
  EXPECT_EQ(header(r, HeaderId::kSupported), "");
}

TEST_F(Fixture, OutboundUnregisterInstanceNamesTheSameInstanceAndRegId) {
  outbound_instance = kInstance;
  cfg.unregister_before_new_registration = config::UnregisterMode::instance;
  previous_contacts = {"sip:1001@127.0.0.1:6000"};
  start();
  auto u = next_request();
  const std::string params = ";reg-id=1;+sip.instance=\"" + std::string(kInstance) + "\"";
  EXPECT_EQ(contacts_of(u),
            (std::vector<std::string>{"<sip:1001@127.0.0.1:6000;ob>" + params + ";expires=0",
                                      "<sip:1001@127.0.0.1:5060;ob>" + params + ";expires=0"}));
  EXPECT_EQ(header(u, HeaderId::kSupported), "outbound, path, gruu");
  answer(u, 200);
  auto r = next_request();
  EXPECT_EQ(header(r, HeaderId::kExpires), "3600");
  answer_ok(r);
  bool done = false;
  account->stop([&] { done = true; });
  auto s = next_request();
  EXPECT_EQ(contacts_of(s),
            std::vector<std::string>{"<sip:1001@127.0.0.1:5060;ob>" + params + ";expires=0"});
  answer(s, 200);
  EXPECT_TRUE(done);
}

TEST_F(Fixture, UnregisterNoSendsNothingFirst) {
  cfg.unregister_before_new_registration = config::UnregisterMode::no;
  start();
  EXPECT_EQ(header(next_request(), HeaderId::kExpires), "3600");
}

TEST_F(Fixture, RedirectIsFollowedOnceForThisAttempt) {
  start();
  auto r = next_request();
  answer(r, 302, {"Contact: <sip:127.0.0.10:5070>"});
  auto r2 = next_request();
  EXPECT_EQ(r2.target.remote.address, "127.0.0.10");
  EXPECT_EQ(r2.target.remote.port, 5070);
  EXPECT_EQ(r2.parse().request_uri(), "sip:127.0.0.10:5070");
  answer(r2, 302, {"Contact: <sip:127.0.0.11>"});
  EXPECT_EQ(state(), State::kFailed);
}

TEST_F(Fixture, StopUnregistersOwnContactWithExpiresZero) {
  start();
  register_with_challenge();
  bool done = false;
  account->stop([&] { done = true; });
  auto u = next_request();
  EXPECT_EQ(contacts_of(u), std::vector<std::string>{"<sip:1001@127.0.0.1:5060>;expires=0"});
  EXPECT_EQ(state(), State::kUnregistering);
  challenge(u, "n9");
  answer(next_request(), 200);
  EXPECT_TRUE(done);
  EXPECT_EQ(state(), State::kDisabled);
}

TEST_F(Fixture, InactiveAccountSendsNothing) {
  cfg.active = false;
  start();
  timers.advance(100s);
  EXPECT_TRUE(transport.sent().empty());
  EXPECT_EQ(state(), State::kDisabled);
}

}  // namespace
}  // namespace sipline::account_test
