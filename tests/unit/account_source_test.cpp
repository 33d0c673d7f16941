// Issue 12 defect 7 on the virtual clock: with no source address toward the registrar (the
// transport names none), no REGISTER leaves with a wildcard or empty Contact; the attempt fails
// with class "transport" and the retry rule tries again, and once the route is known the
// Contact names it.
#include <gtest/gtest.h>

#include "account_test_util.hpp"

namespace sipline::account_test {
namespace {

using account::State;

TEST_F(Fixture, NoSourceAddressFailsTheAttemptAsTransportAndRetries) {
  cfg.registration_retry_wait_s = std::chrono::seconds{20};
  transport.set_local({transport::Protocol::kUdp, "", 5060});
  start();
  EXPECT_TRUE(transport.sent().empty()) << transport.sent().front().bytes;
  EXPECT_EQ(state(), State::kFailed);
  auto snap = account->snapshot();
  EXPECT_EQ(snap.failure_class, usage::reg::FailureClass::kTransport);
  EXPECT_EQ(snap.last_error, "no usable source address toward udp:127.0.0.9:5060");
  EXPECT_EQ(snap.contact, "");
  ASSERT_TRUE(snap.next_attempt_in.has_value());
  EXPECT_EQ(*snap.next_attempt_in, Duration{21000});  // W + 5 %: the ordinary retry rule

  // Still none at the retry: nothing sent again, the next retry is armed.
  timers.advance(Duration{21000});
  EXPECT_TRUE(transport.sent().empty());
  EXPECT_EQ(state(), State::kFailed);

  // The route comes back: the next attempt names it in the Contact.
  transport.set_local({transport::Protocol::kUdp, "192.0.2.7", 5060});
  auto r = wait_request();
  EXPECT_DOUBLE_EQ(at_s(r), 42.0);
  EXPECT_EQ(contacts_of(r), std::vector<std::string>{"<sip:1001@192.0.2.7:5060>"});
  answer_ok(r);
  EXPECT_EQ(state(), State::kRegistered);
  EXPECT_EQ(account->snapshot().contact, "sip:1001@192.0.2.7:5060");
}

TEST_F(Fixture, TheContactFollowsTheSourceAddressOfEachAttempt) {
  start();
  answer_ok(next_request(), 120);
  transport.set_local({transport::Protocol::kUdp, "192.0.2.8", 5060});  // the route changed
  auto refresh = wait_request();
  EXPECT_EQ(contacts_of(refresh), std::vector<std::string>{"<sip:1001@192.0.2.8:5060>"});
}

}  // namespace
}  // namespace sipline::account_test
