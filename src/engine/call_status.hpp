// The account layer's call records as the public API's CallStatus, and the engine's call actions
// over every account (which account owns call ID is found by asking each). Ended calls are
// shown from the engine's CallHistory, which outlives restarts.
#pragma once
#include <memory>
#include <vector>

#include "account/calls.hpp"
#include "account_runtime.hpp"
#include "call_history.hpp"
#include "sipline/engine.hpp"

namespace sipline::engine {

using Runtimes = std::vector<std::unique_ptr<AccountRuntime>>;

CallStatus to_status(const account::CallRecord& r);

// The accounts' active calls, then the ended ones from `history` (this run's and earlier runs').
std::vector<CallStatus> all_calls(const Runtimes& runtimes, const CallHistory& history);
std::optional<CallStatus> find_call(const Runtimes& runtimes, const CallHistory& history,
                                    std::uint64_t id);
CallReply place_call(Runtimes& runtimes, const CallRequest& request);
CallReply answer_call(Runtimes& runtimes, std::uint64_t id);
CallReply end_call(Runtimes& runtimes, std::uint64_t id, bool decline);

}  // namespace sipline::engine
