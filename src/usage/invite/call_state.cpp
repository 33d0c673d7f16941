#include "usage/invite/call_state.hpp"

#include <array>

namespace sipline::usage::invite {

std::string_view to_string(CallState s) {
  constexpr std::array<std::string_view, 8> kNames{"idle",  "incoming",  "calling",     "ringing",
                                                   "early", "confirmed", "terminating", "ended"};
  return kNames[static_cast<std::size_t>(s)];
}

std::string_view to_string(CallEvent e) {
  constexpr std::array<std::string_view, 9> kNames{"dial",         "offered",    "ringing",
                                                   "early-media",  "answered",   "failed",
                                                   "local-hangup", "remote-bye", "done"};
  return kNames[static_cast<std::size_t>(e)];
}

namespace {

struct Transition {
  CallState from;
  CallEvent event;
  CallState to;
};

using S = CallState;
using E = CallEvent;
// The one transition table. Anything not listed is ignored.
constexpr Transition kTable[] = {
    {S::kIdle, E::kDial, S::kCalling},
    {S::kIdle, E::kOffered, S::kIncoming},
    {S::kIncoming, E::kAnswered, S::kConfirmed},
    {S::kIncoming, E::kFailed, S::kTerminated},  // rejected, cancelled
    {S::kCalling, E::kRinging, S::kRinging},
    {S::kCalling, E::kEarlyMedia, S::kEarly},
    {S::kRinging, E::kRinging, S::kRinging},
    {S::kRinging, E::kEarlyMedia, S::kEarly},
    {S::kEarly, E::kRinging, S::kEarly},  // early media stays once it started
    {S::kEarly, E::kEarlyMedia, S::kEarly},
    {S::kCalling, E::kAnswered, S::kConfirmed},
    {S::kRinging, E::kAnswered, S::kConfirmed},
    {S::kEarly, E::kAnswered, S::kConfirmed},
    {S::kCalling, E::kFailed, S::kTerminated},
    {S::kRinging, E::kFailed, S::kTerminated},
    {S::kEarly, E::kFailed, S::kTerminated},
    {S::kCalling, E::kLocalHangup, S::kTerminating},
    {S::kRinging, E::kLocalHangup, S::kTerminating},
    {S::kEarly, E::kLocalHangup, S::kTerminating},
    {S::kConfirmed, E::kLocalHangup, S::kTerminating},
    {S::kConfirmed, E::kRemoteBye, S::kTerminated},
    {S::kConfirmed, E::kFailed, S::kTerminated},  // no ACK for our 2xx (UAS): BYE sent
    {S::kTerminating, E::kRemoteBye, S::kTerminated},
    {S::kTerminating, E::kFailed, S::kTerminated},
    {S::kTerminating, E::kDone, S::kTerminated},
};

}  // namespace

std::optional<CallState> next_state(CallState s, CallEvent e) {
  for (const Transition& t : kTable) {
    if (t.from == s && t.event == e) return t.to;
  }
  return std::nullopt;
}

}  // namespace sipline::usage::invite
