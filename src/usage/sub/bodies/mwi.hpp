// RFC 3842 application/simple-message-summary: a line-oriented text body (not XML).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "usage/sub/bodies/common.hpp"

namespace sipline::usage::sub::bodies {

struct MessageCounts {
  std::uint32_t new_msgs = 0;
  std::uint32_t old_msgs = 0;
  std::uint32_t urgent_new = 0;
  std::uint32_t urgent_old = 0;
  bool operator==(const MessageCounts&) const = default;
};

struct MessageSummary {
  bool waiting = false;
  std::string account;  // Message-Account, empty if absent
  MessageCounts voice;  // Voice-Message; other message classes are read and ignored
  bool operator==(const MessageSummary&) const = default;
};

// Parses the body; header names are case-insensitive, unknown headers ignored, a malformed
// line (or a missing Messages-Waiting) is an error naming the line.
BodyResult<MessageSummary> parse_message_summary(std::string_view body,
                                                 const BodyLimits& limits = {});

}  // namespace sipline::usage::sub::bodies
