// The seed's identity rows on an INVITE (Privacy, P-Preferred-Identity, anonymous From) and the
// call's transition table: table tests.
#include <gtest/gtest.h>

#include "usage/invite/call_state.hpp"
#include "usage/invite/identity_headers.hpp"

namespace sipline::usage::invite {
namespace {

TEST(IdentityHeaders, EachRowByItsKey) {
  struct Row {
    bool anonymous, privacy, ppi;
    std::string_view display, scheme;
    std::string from;
    std::optional<std::string> privacy_value, ppi_value;
  };
  const Row rows[] = {
      {false, false, false, "Alice", "sip", "\"Alice\" <sip:1001@example.com>", {}, {}},
      {false, true, false, "Alice", "sip", "\"Alice\" <sip:1001@example.com>", "none", {}},
      {true, true, false, "Alice", "sip", std::string(kAnonymousFrom), "id", {}},
      {true, false, false, "Alice", "sip", std::string(kAnonymousFrom), {}, {}},
      {false,
       false,
       true,
       "Alice",
       "sip",
       "\"Alice\" <sip:1001@example.com>",
       {},
       "\"Alice\" <sip:1001@pbx.example.com>"},
      {false, false, true, "", "sips", "<sip:1001@example.com>", {}, "<sips:1001@pbx.example.com>"},
      {true, true, true, "Alice", "sip", std::string(kAnonymousFrom), "id",
       "\"Alice\" <sip:1001@pbx.example.com>"},
  };
  for (const Row& r : rows) {
    IdentityInput in;
    in.anonymous = r.anonymous;
    in.use_privacy_header = r.privacy;
    in.use_p_preferred_identity_header = r.ppi;
    in.display_name = r.display;
    in.scheme = r.scheme;
    in.user_id = "1001";
    in.host = "pbx.example.com";
    in.aor = "sip:1001@example.com";
    const IdentityHeaders h = identity_headers(in);
    EXPECT_EQ(h.from, r.from);
    EXPECT_EQ(h.privacy, r.privacy_value);
    EXPECT_EQ(h.p_preferred_identity, r.ppi_value);
  }
  EXPECT_EQ(kAnonymousFrom, "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
}

TEST(CallStateTable, Transitions) {
  using S = CallState;
  using E = CallEvent;
  struct Row {
    S from;
    E event;
    std::optional<S> to;
  };
  const Row rows[] = {
      {S::kIdle, E::kDial, S::kCalling},
      {S::kIdle, E::kAnswered, std::nullopt},
      {S::kCalling, E::kRinging, S::kRinging},
      {S::kRinging, E::kEarlyMedia, S::kEarly},
      {S::kEarly, E::kRinging, S::kEarly},
      {S::kRinging, E::kAnswered, S::kConfirmed},
      {S::kCalling, E::kFailed, S::kTerminated},
      {S::kRinging, E::kLocalHangup, S::kTerminating},
      {S::kConfirmed, E::kLocalHangup, S::kTerminating},
      {S::kConfirmed, E::kRemoteBye, S::kTerminated},
      {S::kTerminating, E::kDone, S::kTerminated},
      {S::kTerminating, E::kAnswered, std::nullopt},
      {S::kTerminated, E::kRemoteBye, std::nullopt},
      {S::kConfirmed, E::kDial, std::nullopt},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(next_state(r.from, r.event), r.to)
        << to_string(r.from) << " + " << to_string(r.event);
  }
}

}  // namespace
}  // namespace sipline::usage::invite
