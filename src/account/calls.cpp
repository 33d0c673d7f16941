#include "account/calls.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "account/identity.hpp"

namespace sipline::account {

using usage::invite::CallState;

namespace {
std::string state_name(CallState s) {
  switch (s) {
    case CallState::kIdle:
    case CallState::kCalling:
      return "calling";
    case CallState::kIncoming:
      return "incoming";
    case CallState::kRinging:
      return "ringing";
    case CallState::kEarly:
      return "early";
    case CallState::kConfirmed:
      return "confirmed";
    case CallState::kTerminating:
      return "ending";
    case CallState::kTerminated:
      return "ended";
  }
  return "ended";
}
}  // namespace

Calls::Calls(int index, const config::AccountConfig& cfg, Stack stack,
             const txn::Identity& identity, CallMediaEnv& env)
    : index_(index), cfg_(cfg), stack_(stack), identity_(identity), env_(env) {
  if (cfg_.media_file.empty()) return;
  auto samples = media::load_wav(cfg_.media_file);
  if (samples.ok()) {
    source_ = std::make_shared<const media::Samples>(std::move(samples).value());
  } else {
    spdlog::warn("account[{}]: media_file: {}; calls send silence", index_, samples.error());
  }
}

Calls::~Calls() {
  for (auto& [id, e] : entries_) e->call->set_on_state({});
}

std::string Calls::target_uri(const config::AccountConfig& cfg, const std::string& to) {
  if (to.find(':') != std::string::npos) return to;
  const bool sips =
      cfg.transport == config::Transport::tls && cfg.tls_uri_scheme == config::UriScheme::sips;
  return std::string(sips ? "sips:" : "sip:") + to + "@" + uri_host(cfg.sip_server, true);
}

Calls::Entry* Calls::create(bool outgoing, const std::string& remote, bool anonymous,
                            DialError& error) {
  const std::uint64_t id = env_.next_call_id++;
  const transport::Address local = stack_.transport.local_address(identity_.target);
  const std::string record_name = "call-" + std::to_string(id) + ".wav";
  auto media = RtpMediaPort::open(env_, local.address, source_, record_name,
                                  static_cast<std::uint32_t>(stack_.random.next_u64()));
  if (!media.ok()) {
    error = {503, "no media: " + media.error()};
    return nullptr;
  }
  auto e = std::make_unique<Entry>();
  e->media = std::move(media).value();
  e->call = std::make_unique<usage::invite::Call>(
      stack_.txn, stack_.transport, stack_.timers, stack_.random,
      auth::Credentials{cfg_.auth_user(), cfg_.password}, identity_, *e->media);
  if (outgoing) e->call->set_fail_over(stack_.fail_over);
  e->record.id = id;
  e->record.account = index_;
  e->record.outgoing = outgoing;
  e->record.remote = remote;
  e->record.anonymous = anonymous;
  e->record.started_at = std::chrono::system_clock::now();
  e->call->set_on_state([this, id](CallState s) { on_state(id, s); });
  Entry* raw = e.get();
  entries_.emplace(id, std::move(e));
  return raw;
}

base::Result<std::uint64_t, DialError> Calls::dial(const std::string& to, bool anonymous) {
  if (to.empty()) return base::fail(DialError{400, "no one to call: \"to\" is empty"});
  if (active() >= static_cast<std::size_t>(cfg_.max_calls)) {
    return base::fail(DialError{
        409, "max_calls (" + std::to_string(cfg_.max_calls) + ") calls already on this account"});
  }
  const std::string uri = target_uri(cfg_, to);
  auto parsed = msg::parse_uri(uri);
  if (!parsed.ok() ||
      (parsed.value().scheme != msg::Scheme::kSip && parsed.value().scheme != msg::Scheme::kSips)) {
    return base::fail(DialError{400, "not a SIP URI: " + uri});
  }
  DialError error;
  Entry* e = create(true, uri, anonymous, error);
  if (e == nullptr) return base::fail(error);
  const std::uint64_t id = e->record.id;
  const WireNames names = wire_names(cfg_, {});
  const std::string host = uri_host(cfg_.sip_server, false);
  usage::invite::IdentityInput who{anonymous,
                                   cfg_.use_privacy_header,
                                   cfg_.use_p_preferred_identity_header,
                                   cfg_.display_name,
                                   names.scheme,
                                   cfg_.user_id,
                                   host,
                                   identity_.aor};
  e->call->dial(uri, who);
  return id;
}

CallAction Calls::answer(std::uint64_t id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return record(id) ? CallAction::kNotNow : CallAction::kUnknown;
  if (it->second->call->state() != CallState::kIncoming) return CallAction::kNotNow;
  it->second->auto_answer.reset();
  it->second->call->answer();
  return CallAction::kOk;
}

CallAction Calls::hangup(std::uint64_t id, bool decline) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return record(id) ? CallAction::kNotNow : CallAction::kUnknown;
  usage::invite::Call& call = *it->second->call;
  if (call.state() == CallState::kIncoming) {
    call.reject(decline ? 603 : 486);
  } else if (call.state() == CallState::kTerminating) {
    return CallAction::kNotNow;
  } else {
    call.hangup();
  }
  return CallAction::kOk;
}

void Calls::hangup_all() {
  std::vector<std::uint64_t> ids;
  for (const auto& [id, e] : entries_) ids.push_back(id);
  for (std::uint64_t id : ids) hangup(id, false);
}

void Calls::on_state(std::uint64_t id, CallState s) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  Entry& e = *it->second;
  if (s == CallState::kConfirmed && !e.record.answered_at) {
    e.record.answered_at = std::chrono::system_clock::now();
  }
  // The state last reported lives in the entry's record (live() fills in the current one).
  const std::string before = std::exchange(e.record.state, state_name(s));
  if (s != CallState::kTerminated) {
    if (on_change_) on_change_(live(e), before);
    return;
  }
  e.auto_answer.reset();
  CallRecord done = live(e);
  done.ended_at = std::chrono::system_clock::now();
  done.outcome = e.call->outcome();
  spdlog::info("account[{}]: call {} ended: {} {}{}", index_, id, done.outcome->status_code,
               done.outcome->reason, done.outcome->ended_by_remote ? " (remote)" : "");
  ++ended_.ended[{done.outgoing, done.outcome->status_code}];
  if (done.answered_at) {
    ended_.answered_seconds +=
        std::chrono::duration<double>(*done.ended_at - *done.answered_at).count();
  }
  ended_.rtp_sent += done.rtp.sent;
  ended_.rtp_received += done.rtp.received;
  ended_.rtp_lost += done.rtp.lost;
  if (env_.on_ended) env_.on_ended(done);
  if (!history_) history_.emplace();
  history_->push_front(std::move(done));
  if (history_->size() > kHistory) history_->pop_back();
  if (on_change_) on_change_(history_->front(), before);
  // The Call is inside its own callback: it goes on the next turn of the loop.
  std::weak_ptr<char> alive = life_;
  stack_.timers.schedule_in(base::Duration{0}, [this, alive, id] {
    if (!alive.expired()) entries_.erase(id);
  });
}

std::size_t Calls::active() const {
  std::size_t n = 0;
  for (const auto& [id, e] : entries_) n += e->call->state() != CallState::kTerminated ? 1 : 0;
  return n;
}

CallRecord Calls::live(const Entry& e) const {
  CallRecord r = e.record;
  r.state = state_name(e.call->state());
  r.codec = e.media->codec();
  r.held = e.call->held_by_remote() && e.call->state() != CallState::kTerminated;
  r.rtp = e.media->figures();
  return r;
}

CallTotals Calls::totals() const {
  CallTotals t = ended_;
  for (const auto& [id, e] : entries_) {
    if (e->call->state() == CallState::kTerminated) continue;
    const RtpFigures f = e->media->figures();
    t.rtp_sent += f.sent;
    t.rtp_received += f.received;
    t.rtp_lost += f.lost;
    t.max_jitter_ms = std::max(t.max_jitter_ms, f.jitter_ms);
    ++(e->record.outgoing ? t.active_out : t.active_in);
  }
  return t;
}

std::vector<CallRecord> Calls::records() const {
  std::vector<CallRecord> out;
  for (const auto& [id, e] : entries_) {
    if (e->call->state() != CallState::kTerminated) out.push_back(live(*e));
  }
  if (history_) out.insert(out.end(), history_->begin(), history_->end());
  return out;
}

std::optional<CallRecord> Calls::record(std::uint64_t id) const {
  auto it = entries_.find(id);
  if (it != entries_.end() && it->second->call->state() != CallState::kTerminated) {
    return live(*it->second);
  }
  if (!history_) return std::nullopt;
  for (const auto& r : *history_) {
    if (r.id == id) return r;
  }
  return std::nullopt;
}

}  // namespace sipline::account
