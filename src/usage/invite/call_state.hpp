// A call's named states and its one transition table (pure; docs/calls.md draws it).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace sipline::usage::invite {

enum class CallState : std::uint8_t {
  kIdle,
  kIncoming,     // an INVITE we ring for (180 sent), not answered yet
  kCalling,      // INVITE sent, nothing back yet
  kRinging,      // 180 (or another provisional without SDP)
  kEarly,        // 183 with SDP: early media
  kConfirmed,    // 2xx ACKed
  kTerminating,  // CANCEL or BYE sent, waiting for its end
  kTerminated,
};
std::string_view to_string(CallState s);

enum class CallEvent : std::uint8_t {
  kDial,
  kOffered,      // an INVITE came for us
  kRinging,      // a provisional without SDP
  kEarlyMedia,   // a provisional with SDP
  kAnswered,     // a 2xx to our INVITE
  kFailed,       // a non-2xx final (after challenges), timeout, transport error
  kLocalHangup,  // CANCEL (before the answer) or BYE
  kRemoteBye,
  kDone,  // the CANCEL's INVITE or our BYE ended
};
std::string_view to_string(CallEvent e);

// The next state, or nullopt when the event does not apply in `s` (it is then ignored).
std::optional<CallState> next_state(CallState s, CallEvent e);

}  // namespace sipline::usage::invite
