// Keep-alive OPTIONS through the engine's admission gate (issue 13): two accounts on one gate of
// capacity 1. The second OPTIONS waits for the first's outcome, never piles up while it waits,
// and waiting is not a miss (account-settings.md "OPTIONS keep-alive").
#include "account_test_util.hpp"
#include "base/gate.hpp"

namespace sipline::account_test {
namespace {

struct TwoAccounts : Fixture {
  base::Gate gate{timers, 1};
  config::AccountConfig cfg2;  // the Account keeps a reference
  std::unique_ptr<account::Account> second;
  ~TwoAccounts() override {  // both leave the gate before it goes
    second.reset();
    account.reset();
  }

  void start_both() {
    cfg.options_keepalive = true;
    cfg.options_keepalive_interval_s = std::chrono::seconds{10};
    cfg.options_keepalive_max_tries = 3;
    transport.set_user(&txn);
    const transport::Target target{kServer, "127.0.0.9"};
    const account::Stack stack{txn, transport, timers, random, jitter, &gate, nullptr};
    account = std::make_unique<account::Account>(1, cfg, stack, target, previous_contacts,
                                                 account::Account::Hooks{});
    cfg2 = cfg;
    cfg2.user_id = "1002";
    cfg2.name = "Account 2";
    second = std::make_unique<account::Account>(2, cfg2, stack, target, previous_contacts,
                                                account::Account::Hooks{});
    t0 = timers.now();
    account->start();
    second->start();
    // The REGISTERs take turns too: the second goes when the first has its 200.
    answer_ok(next_request());
    timers.advance(Duration{0});
    answer_ok(next_request());
    ASSERT_EQ(state(), account::State::kRegistered);
    ASSERT_EQ(second->state(), account::State::kRegistered);
  }

  // The OPTIONS sent since the last call, by From user.
  std::vector<test::SentMessage> options_sent() {
    std::vector<test::SentMessage> out;
    for (auto& m : transport.take_sent()) {
      if (m.method() == "OPTIONS") out.push_back(m);
    }
    return out;
  }
  static std::string from_user(const test::SentMessage& m) {
    const auto parsed = m.parse();
    const std::string from(parsed.find(msg::HeaderId::kFrom)->value);
    return from.substr(from.find("sip:") + 4, 4);
  }
};

TEST_F(TwoAccounts, SecondOptionsWaitsForTheFirstsOutcome) {
  start_both();
  timers.advance(10s);  // both due now
  auto sent = options_sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(from_user(sent[0]), "1001");
  EXPECT_EQ(gate.waiting(), 1u);
  timers.advance(2s);  // timer E retransmits the first; the second still waits
  for (const auto& m : options_sent()) EXPECT_EQ(from_user(m), "1001");
  answer(sent[0], 200);
  timers.advance(Duration{0});  // the grant runs from the loop
  sent = options_sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(from_user(sent[0]), "1002");
  EXPECT_DOUBLE_EQ(at_s(sent[0]), 12.0);
  answer(sent[0], 200);
  EXPECT_EQ(gate.holding(), 0u);
  // Each interval runs from its own send: the first again at +20, the second at +22.
  timers.advance(8s);
  sent = options_sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(from_user(sent[0]), "1001");
  answer(sent[0], 200);
  timers.advance(2s);
  sent = options_sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(from_user(sent[0]), "1002");
  EXPECT_DOUBLE_EQ(at_s(sent[0]), 22.0);
}

TEST_F(TwoAccounts, WaitingLongerThanAnIntervalNeitherPilesUpNorCountsAsAMiss) {
  start_both();
  timers.advance(10s);
  auto first = options_sent();
  ASSERT_EQ(first.size(), 1u);
  // Never answered: the first account's OPTIONS holds the one place until its next is due.
  timers.advance(9s);
  for (const auto& m : options_sent()) EXPECT_EQ(from_user(m), "1001");  // retransmissions
  EXPECT_EQ(gate.waiting(), 1u) << "one OPTIONS waiting for the second account, not two";
  EXPECT_EQ(second->snapshot().keepalive_misses, 0u);
  // +20: the first's is a miss; its next OPTIONS queues behind the second's, which goes now.
  timers.advance(1s);
  timers.advance(Duration{0});
  auto sent = options_sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(from_user(sent[0]), "1002");
  EXPECT_EQ(account->snapshot().keepalive_misses, 1u);
  EXPECT_EQ(second->snapshot().keepalive_misses, 0u) << "waiting is not a miss";
  EXPECT_EQ(gate.waiting(), 1u);
  answer(sent[0], 200);
  timers.advance(Duration{0});
  sent = options_sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(from_user(sent[0]), "1001");
  EXPECT_EQ(second->snapshot().keepalive_misses, 0u);
}

TEST_F(TwoAccounts, StoppingAnAccountGivesUpItsWaitingOptions) {
  start_both();
  timers.advance(10s);
  ASSERT_EQ(options_sent().size(), 1u);
  ASSERT_EQ(gate.waiting(), 1u);
  second.reset();  // its waiting OPTIONS leaves the queue with it
  EXPECT_EQ(gate.waiting(), 0u);
}

// What the registrar answers teaches an adaptive gate (base::AdmissionControl): a window of
// answered attempts adds a place, a 503 halves.
TEST_F(TwoAccounts, RegisterOutcomesTeachTheAdaptiveGate) {
  start_both();
  gate.adapt(base::AdmissionControl(2, {.floor = 1, .ceiling = 8}));
  account->reregister_now();
  second->reregister_now();
  auto sent = transport.take_sent();
  ASSERT_EQ(sent.size(), 2u);
  answer_ok(sent[0]);
  answer_ok(sent[1]);
  EXPECT_EQ(gate.capacity(), 3u);
  account->reregister_now();
  answer(next_request(), 503);
  EXPECT_EQ(gate.capacity(), 1u);
}

// A SUBSCRIBE's answer teaches the adaptive gate too (issue 13): a 503 halves it, as it does
// after a REGISTER.
struct OneAccountOnAGate : Fixture {
  base::Gate gate{timers, 4};
  ~OneAccountOnAGate() override { account.reset(); }  // it leaves the gate before the gate goes

  // Starts the account on an adaptive gate of 4 places.
  void start_on_the_gate() {
    gate.adapt(base::AdmissionControl(4, {.floor = 1, .ceiling = 8}));
    transport.set_user(&txn);
    account = std::make_unique<account::Account>(
        1, cfg, account::Stack{txn, transport, timers, random, jitter, &gate, nullptr},
        transport::Target{kServer, "127.0.0.9"}, previous_contacts, account::Account::Hooks{});
    t0 = timers.now();
    account->start();
  }
};

TEST_F(OneAccountOnAGate, SubscribeOutcomesTeachTheAdaptiveGate) {
  cfg.subscribe_mwi = true;
  start_on_the_gate();
  answer_ok(next_request());  // the REGISTER: answered, a window of 4 not yet full
  EXPECT_EQ(gate.capacity(), 4u);
  auto subscribe = next_request();
  ASSERT_EQ(subscribe.method(), "SUBSCRIBE");
  answer(subscribe, 503);
  EXPECT_EQ(gate.capacity(), 2u);
  EXPECT_EQ(gate.holding(), 0u);
}

// A REGISTER answered only after it was sent again (a datagram lost on the way, or a slow
// registrar) halves the gate too: a loss is congestion, as it is to TCP, before any timeout.
TEST_F(OneAccountOnAGate, ARegisterAnsweredOnlyAfterItWasSentAgainHalvesTheGate) {
  start_on_the_gate();
  timers.advance(std::chrono::milliseconds(600));
  auto sent = transport.take_sent();
  ASSERT_EQ(sent.size(), 2u);  // the REGISTER and timer E's copy of it, at 500 ms
  answer_ok(sent[1]);
  EXPECT_EQ(state(), account::State::kRegistered);
  EXPECT_EQ(gate.capacity(), 2u);
  EXPECT_EQ(gate.holding(), 0u);
}

// So does a SUBSCRIBE answered only after timer E sent it again.
TEST_F(OneAccountOnAGate, ASubscribeAnsweredOnlyAfterItWasSentAgainHalvesTheGate) {
  cfg.subscribe_mwi = true;
  start_on_the_gate();
  answer_ok(next_request());  // the REGISTER, at once
  EXPECT_EQ(gate.capacity(), 4u);
  timers.advance(std::chrono::milliseconds(600));
  auto sent = transport.take_sent();
  ASSERT_EQ(sent.size(), 2u);  // the SUBSCRIBE and timer E's copy of it, at 500 ms
  ASSERT_EQ(sent[1].method(), "SUBSCRIBE");
  answer(sent[1], 200);
  EXPECT_EQ(gate.capacity(), 2u);
  EXPECT_EQ(gate.holding(), 0u);
}

}  // namespace
}  // namespace sipline::account_test
