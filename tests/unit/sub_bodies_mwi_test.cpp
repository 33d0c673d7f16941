// RFC 3842 message-summary parsing and the shared version policy, table-driven.
#include <gtest/gtest.h>

#include <string>

#include "usage/sub/bodies/mwi.hpp"

namespace sipline::usage::sub::bodies {
namespace {

struct MwiCase {
  const char* name;
  std::string body;
  bool ok;
  MessageSummary want;  // when ok
  const char* reason;   // substring of the error when !ok
};

const MwiCase kMwiCases[] = {
    // RFC 3842 §5 examples.
    {"rfc3842_basic",
     "Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\n"
     "Voice-Message: 2/8 (0/2)\r\n",
     true,
     {true, "sip:alice@vmail.example.com", {2, 8, 0, 2}},
     ""},
    {"rfc3842_with_message_headers",
     "Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\n"
     "Voice-Message: 4/8 (1/2)\r\n\r\nTo: <alice@atlanta.example.com>\r\n"
     "From: <bob@biloxi.example.com>\r\nSubject: carpool tomorrow?\r\n"
     "Date: Sun, 09 May 2004 13:26:29 -0500\r\nPriority: normal\r\n",
     true,
     {true, "sip:alice@vmail.example.com", {4, 8, 1, 2}},
     ""},
    {"other_classes_ignored",
     "Messages-Waiting: no\nFax-Message: 1/2\nMultimedia-Message: 0/0 (0/0)\n"
     "Voice-Message: 0/3\n",
     true,
     {false, "", {0, 3, 0, 0}},
     ""},
    {"case_insensitive_names_values",
     "messages-waiting: YES\nVOICE-MESSAGE:1/0(1/0)\n",
     true,
     {true, "", {1, 0, 1, 0}},
     ""},
    {"leading_blank_lines", "\r\n\r\nMessages-Waiting: no\r\n", true, {false, "", {}}, ""},
    {"kamailio_style_no_crlf",
     "Messages-Waiting: yes\nVoice-Message: 1/0",
     true,
     {true, "", {1, 0, 0, 0}},
     ""},
    // Broken bodies.
    {"empty", "", false, {}, "without Messages-Waiting"},
    {"no_waiting", "Voice-Message: 1/2\r\n", false, {}, "without Messages-Waiting"},
    {"bad_waiting", "Messages-Waiting: maybe\r\n", false, {}, "neither yes nor no"},
    {"duplicate_waiting",
     "Messages-Waiting: yes\r\nMessages-Waiting: no\r\n",
     false,
     {},
     "duplicate"},
    {"no_colon", "Messages-Waiting yes\r\n", false, {}, "line 1: no colon"},
    {"bad_name", "Messages Waiting: yes\r\n", false, {}, "bad header name"},
    {"bad_counts",
     "Messages-Waiting: yes\r\nVoice-Message: 2-8\r\n",
     false,
     {},
     "line 2: bad Voice-Message"},
    {"overflow",
     "Messages-Waiting: yes\r\nVoice-Message: 99999999999/1\r\n",
     false,
     {},
     "bad Voice-Message"},
    {"unclosed_urgent",
     "Messages-Waiting: yes\r\nVoice-Message: 1/1 (1/0\r\n",
     false,
     {},
     "bad Voice-Message"},
    {"trailing_garbage",
     "Messages-Waiting: yes\r\nVoice-Message: 1/1 (1/0) x\r\n",
     false,
     {},
     "bad Voice-Message"},
    {"negative",
     "Messages-Waiting: yes\r\nVoice-Message: -1/1\r\n",
     false,
     {},
     "bad Voice-Message"},
};

TEST(MessageSummary, Table) {
  for (const auto& c : kMwiCases) {
    SCOPED_TRACE(c.name);
    const auto r = parse_message_summary(c.body);
    ASSERT_EQ(r.ok(), c.ok) << (r.ok() ? "" : r.error().reason);
    if (c.ok) {
      EXPECT_EQ(*r, c.want);
    } else {
      EXPECT_NE(r.error().reason.find(c.reason), std::string::npos) << r.error().reason;
    }
  }
}

TEST(MessageSummary, Bounds) {
  BodyLimits small;
  small.max_body_bytes = 16;
  EXPECT_FALSE(parse_message_summary("Messages-Waiting: yes\r\n", small).ok());
  std::string many = "Messages-Waiting: yes\r\n";
  for (int i = 0; i < 300; ++i) many += "X-Extra: 1\r\n";
  const auto r = parse_message_summary(many);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, "too many lines");
}

struct VersionCase {
  std::optional<std::uint32_t> held;
  std::uint32_t got;
  bool full;
  Applied want;
};

TEST(DecideVersion, Table) {
  const VersionCase cases[] = {
      {std::nullopt, 0, true, Applied::kApplied},
      {std::nullopt, 5, true, Applied::kApplied},
      {std::nullopt, 0, false, Applied::kNeedFull},
      {3, 4, false, Applied::kApplied},
      {3, 5, false, Applied::kNeedFull},
      {3, 3, false, Applied::kStale},
      {3, 2, true, Applied::kStale},
      {3, 3, true, Applied::kStale},
      {3, 9, true, Applied::kApplied},
      {0xffffffffu, 0, false, Applied::kStale},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(decide_version(c.held, c.got, c.full), c.want)
        << "held=" << (c.held ? int64_t(*c.held) : -1) << " got=" << c.got << " full=" << c.full;
  }
}

}  // namespace
}  // namespace sipline::usage::sub::bodies
