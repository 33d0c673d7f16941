// The subscriber's pure decisions: final responses, Subscription-State, granted expiry.
#include <gtest/gtest.h>

#include <vector>

#include "msg_test_util.hpp"
#include "usage/sub/policy.hpp"

using namespace sipline;
using namespace sipline::usage::sub;

TEST(SubPolicy, Packages) {
  EXPECT_EQ(event_name(Package::kMessageSummary), "message-summary");
  EXPECT_EQ(accept_type(Package::kMessageSummary), "application/simple-message-summary");
  EXPECT_EQ(event_name(Package::kDialog), "dialog");
  EXPECT_EQ(accept_type(Package::kDialog), "application/dialog-info+xml");
  EXPECT_EQ(event_name(Package::kReg), "reg");
  EXPECT_EQ(accept_type(Package::kReg), "application/reginfo+xml");
  EXPECT_EQ(package_of("Message-Summary"), Package::kMessageSummary);
  EXPECT_EQ(package_of("presence"), std::nullopt);
}

TEST(SubPolicy, FinalResponse) {
  struct Row {
    ResponseInput in;
    ResponseAction action;
  };
  const std::vector<Row> rows = {
      {{200, false, false, 3600, {}}, ResponseAction::kActive},
      {{202, true, false, 3600, {}}, ResponseAction::kActive},
      {{423, false, false, 60, 120}, ResponseAction::kRetryMinExpires},
      {{423, false, true, 120, 240}, ResponseAction::kRetryLater},  // only once
      {{423, false, false, 120, 60}, ResponseAction::kRetryLater},  // not above what we asked
      {{423, false, false, 120, {}}, ResponseAction::kRetryLater},  // no Min-Expires
      {{481, true, false, 3600, {}}, ResponseAction::kNewNow},
      {{481, false, false, 3600, {}}, ResponseAction::kRetryLater},  // initial: just a failure
      {{489, false, false, 3600, {}}, ResponseAction::kStop},
      {{489, true, false, 3600, {}}, ResponseAction::kStop},
      {{403, false, false, 3600, {}}, ResponseAction::kRetryCredentials},
      {{404, false, false, 3600, {}}, ResponseAction::kRetryLater},
      {{503, true, false, 3600, {}}, ResponseAction::kRetryLater},
      {{302, false, false, 3600, {}}, ResponseAction::kRetryLater},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(on_final_response(row.in), row.action)
        << row.in.status_code << " refresh=" << row.in.refresh << " got_423=" << row.in.got_423;
  }
}

TEST(SubPolicy, GrantedExpiry) {
  auto parse = [](const char* extra) {
    return msg::Message::parse(
               msg::testing::crlf(std::string("SIP/2.0 200 OK\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\n"
                                              "From: <sip:a@h>;tag=1\nTo: <sip:a@h>;tag=2\n"
                                              "Call-ID: c\nCSeq: 1 SUBSCRIBE\n") +
                                  extra + "Content-Length: 0\n\n"))
        .value();
  };
  EXPECT_EQ(granted_expiry(parse("Expires: 1800\n"), 3600), 1800u);
  EXPECT_EQ(granted_expiry(parse("Expires: 0\n"), 3600), 0u);
  EXPECT_EQ(granted_expiry(parse(""), 3600), 3600u);
}

TEST(SubPolicy, SubscriptionState) {
  struct Row {
    const char* header;
    bool unsubscribing;
    StateAction action;
    std::optional<std::uint32_t> expires;
    std::optional<std::uint32_t> retry_after;
    const char* reason;
  };
  const std::vector<Row> rows = {
      {"active;expires=600", false, StateAction::kKeep, 600, {}, ""},
      {"pending;expires=30", false, StateAction::kKeep, 30, {}, ""},
      {"active", false, StateAction::kKeep, {}, {}, ""},
      {"terminated;reason=deactivated", false, StateAction::kNewNow, {}, {}, "deactivated"},
      {"terminated;reason=timeout", false, StateAction::kNewNow, {}, {}, "timeout"},
      {"terminated;reason=probation;retry-after=90",
       false,
       StateAction::kNewLater,
       {},
       90,
       "probation"},
      {"terminated;reason=giveup", false, StateAction::kNewLater, {}, {}, "giveup"},
      {"terminated;reason=rejected", false, StateAction::kNotRenewed, {}, {}, "rejected"},
      {"terminated;reason=noresource", false, StateAction::kNotRenewed, {}, {}, "noresource"},
      {"terminated;reason=invariant", false, StateAction::kNotRenewed, {}, {}, "invariant"},
      {"terminated", false, StateAction::kNotRenewed, {}, {}, ""},
      {"terminated;reason=timeout", true, StateAction::kEnd, {}, {}, "timeout"},
      {"terminated;reason=deactivated", true, StateAction::kEnd, {}, {}, "deactivated"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.header);
    auto s = msg::parse_subscription_state(row.header);
    ASSERT_TRUE(s.ok());
    const StateVerdict v = on_subscription_state(s.value(), row.unsubscribing);
    EXPECT_EQ(v.action, row.action);
    EXPECT_EQ(v.expires_s, row.expires);
    EXPECT_EQ(v.retry_after_s, row.retry_after);
    EXPECT_EQ(v.reason, row.reason);
  }
}
