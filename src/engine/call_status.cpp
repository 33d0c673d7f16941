#include "call_status.hpp"

#include <algorithm>
#include <utility>

namespace sipline::engine {

namespace {

const account::Calls* calls_of(const AccountRuntime& rt) {
  return rt.account() != nullptr ? rt.account()->calls() : nullptr;
}
account::Calls* calls_of(AccountRuntime& rt) {
  return rt.account() != nullptr ? rt.account()->calls() : nullptr;
}

CallReply reply(int status, std::string error = {}, std::uint64_t id = 0) {
  return CallReply{status, std::move(error), id};
}

// Applies `action` to the account that has call `id`.
template <typename Action>
CallReply on_call(Runtimes& runtimes, std::uint64_t id, Action action) {
  for (auto& rt : runtimes) {
    account::Calls* calls = calls_of(*rt);
    if (calls == nullptr) continue;
    const account::CallAction done = action(*calls);
    if (done == account::CallAction::kUnknown) continue;
    rt->observe();
    if (done == account::CallAction::kOk) return reply(200, {}, id);
    return reply(409, "call " + std::to_string(id) + " is not in a state for that");
  }
  return reply(404, "no call " + std::to_string(id));
}

}  // namespace

CallStatus to_status(const account::CallRecord& r) {
  CallStatus s;
  s.id = r.id;
  s.account = r.account;
  s.direction = r.outgoing ? "out" : "in";
  s.remote = r.remote;
  s.anonymous = r.anonymous;
  s.state = r.state;
  s.started_at = r.started_at;
  s.answered_at = r.answered_at;
  s.ended_at = r.ended_at;
  if (r.answered_at) {
    const auto end = r.ended_at.value_or(std::chrono::system_clock::now());
    s.duration_s = std::chrono::duration<double>(end - *r.answered_at).count();
  }
  if (r.outcome) {
    s.outcome = CallOutcomeStatus{r.outcome->status_code, r.outcome->reason,
                                  r.outcome->ended_by_remote ? "remote" : "local"};
  }
  s.codec = r.codec;
  s.held = r.held;
  s.rtp = {r.rtp.sent, r.rtp.received, r.rtp.lost, r.rtp.jitter_ms, r.rtp.junk, r.rtp.dtmf};
  return s;
}

std::vector<CallStatus> all_calls(const Runtimes& runtimes, const CallHistory& history) {
  std::vector<CallStatus> out;
  for (const auto& rt : runtimes) {
    const account::Calls* calls = calls_of(std::as_const(*rt));
    if (calls == nullptr) continue;
    for (const auto& r : calls->records()) {
      if (!r.ended_at) out.push_back(to_status(r));
    }
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.id < b.id; });
  out.insert(out.end(), history.calls().begin(), history.calls().end());
  return out;
}

std::optional<CallStatus> find_call(const Runtimes& runtimes, const CallHistory& history,
                                    std::uint64_t id) {
  for (const auto& rt : runtimes) {
    const account::Calls* calls = calls_of(std::as_const(*rt));
    if (calls == nullptr) continue;
    if (auto r = calls->record(id); r && !r->ended_at) return to_status(*r);
  }
  return history.find(id);
}

CallReply place_call(Runtimes& runtimes, const CallRequest& request) {
  if (request.account < 1 || request.account > static_cast<int>(runtimes.size())) {
    return reply(404, "no account " + std::to_string(request.account));
  }
  AccountRuntime& rt = *runtimes[request.account - 1];
  account::Calls* calls = rt.account() != nullptr ? rt.account()->open_calls() : nullptr;
  if (calls == nullptr) {
    return reply(409, "account " + std::to_string(request.account) + " is not active");
  }
  auto placed = calls->dial(request.to, request.anonymous);
  rt.observe();
  if (!placed.ok()) return reply(placed.error().status, placed.error().message);
  return reply(201, {}, placed.value());
}

CallReply answer_call(Runtimes& runtimes, std::uint64_t id) {
  return on_call(runtimes, id, [id](account::Calls& c) { return c.answer(id); });
}

CallReply end_call(Runtimes& runtimes, std::uint64_t id, bool decline) {
  return on_call(runtimes, id, [id, decline](account::Calls& c) { return c.hangup(id, decline); });
}

}  // namespace sipline::engine
