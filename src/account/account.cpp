#include "account/account.hpp"

#include <spdlog/spdlog.h>

#include "account/identity.hpp"
#include "account/policy.hpp"
#include "msg/writer.hpp"

namespace sipline::account {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;
using usage::reg::FailureClass;

std::string_view to_string(State s) {
  switch (s) {
    case State::kDisabled:
      return "disabled";
    case State::kUnregistering:
      return "unregistering";
    case State::kRegistering:
      return "registering";
    case State::kRegistered:
      return "registered";
    case State::kRefreshing:
      return "refreshing";
    case State::kFailed:
      return "failed";
  }
  return "?";
}

namespace {
double secs(base::Duration d) {
  return static_cast<double>(d.count()) / 1000.0;
}
}  // namespace

Account::Account(int index, const config::AccountConfig& cfg, Stack stack, transport::Target target,
                 std::vector<std::string> previous_contacts, Hooks hooks)
    : index_(index),
      cfg_(cfg),
      stack_(stack),
      identity_{{}, {}, cfg.display_name, {}, std::move(target), cfg.user_agent},
      on_contact_registered_(std::move(hooks.on_contact_registered)),
      reg_(stack.txn, stack.transport, stack.random, {cfg_.auth_user(), cfg_.password}),
      refresh_timer_(stack.timers),
      retry_timer_(stack.timers),
      lease_timer_(stack.timers),
      failover_timer_(stack.timers) {
  if (!previous_contacts.empty()) notes().previous_contacts = std::move(previous_contacts);
  if (cfg_.options_keepalive) {  // off by default: most accounts never pay for it
    keepalive_ = std::make_unique<usage::options::Keepalive>(
        stack.txn, stack.transport, stack.timers, stack.random,
        usage::options::Keepalive::Callbacks{
            [this] { reregister_at_once("OPTIONS keep-alive: server not answering", true); },
            [this](const usage::options::ViaReflection& seen) {
              reregister_at_once("OPTIONS keep-alive: our address changed to " + seen.received +
                                     ":" + std::to_string(seen.rport.value_or(0)),
                                 false);
            }});
  }
  if (keepalive_) keepalive_->set_gate(stack.registration_gate);
  if (hooks.resolve_targets) loc_ = std::make_unique<Location>(std::move(hooks.resolve_targets));
  stack.txn.set_server(cfg_.user_agent);
  reg_.set_preemptive_auth(cfg_.add_auth_header_on_reregister);
  reg_.share_nonces(&nonces_);
  reg_.set_gate(stack.registration_gate);
  reg_.set_identity(identity_);
  refresh_identity();
  // Subscriptions are made with the account when it has any; else at the first NOTIFY (an
  // unsolicited MWI): most of a fleet's accounts never need them.
  if (cfg_.subscribe_mwi || cfg_.subscribe_reg_event || !cfg_.blf.empty()) make_watchers();
  // One handler for NOTIFY and the call methods: one entry in the layer's list an account (two
  // cost ~100 bytes more, each of thousands of accounts).
  auto handler = [this](const msg::Message& request, const transport::Address& source,
                        txn::Respond respond) {
    if (request.method() == "NOTIFY") {
      const transport::Address trusted[] = {identity_.target.remote};
      return watchers().on_notify(request, source, trusted, respond);
    }
    open_calls()->on_request(request, source, std::move(respond));
  };
  if (stack.calls == nullptr) {
    stack_.txn.set_request_handler({"NOTIFY"}, std::move(handler));
  } else {
    stack_.txn.set_request_handler({"NOTIFY", "INVITE", "CANCEL", "ACK", "BYE", "INFO", "UPDATE"},
                                   std::move(handler));
    if (!cfg_.media_file.empty()) open_calls();
  }
}

Calls* Account::open_calls() {
  if (calls_ || stack_.calls == nullptr) return calls_.get();
  calls_ = std::make_unique<Calls>(index_, cfg_,
                                   Calls::Stack{stack_.txn, stack_.transport, stack_.timers,
                                                stack_.random, other_request_fail_over()},
                                   identity_, *stack_.calls);
  calls_->set_on_change([this](const CallRecord& now, const std::string& before) {
    if (stack_.calls->on_change) stack_.calls->on_change(*this, now, before);
  });
  return calls_.get();
}

void Account::make_watchers() {
  std::vector<std::string> blf;
  blf.reserve(cfg_.blf.size());
  for (const auto& entry : cfg_.blf) blf.push_back(resource_uri(cfg_, entry));
  watchers_ = std::make_unique<Watchers>(
      cfg_,
      WatchStack{stack_.txn, stack_.transport, stack_.timers, stack_.random, stack_.jitter,
                 stack_.registration_gate, other_request_fail_over(), &nonces_},
      identity_, cfg_.mwi_uri.empty() ? identity_.aor : cfg_.mwi_uri.str(), std::move(blf),
      Watchers::Callbacks{
          [this](RegEventAction a, const std::string& why) { on_reg_event(a, why); }});
  watchers_->set_lease_left([this]() -> std::uint32_t {
    if (!lease_valid()) return 0;
    return static_cast<std::uint32_t>(
        duration_cast<seconds>(lease_end_ - stack_.timers.now()).count());
  });
}

Watchers& Account::watchers() {
  if (!watchers_) make_watchers();
  return *watchers_;
}

Account::~Account() = default;

bool Account::refresh_identity() {
  const transport::Address local = stack_.transport.local_address(identity_.target);
  WireNames n = wire_names(cfg_, local);
  identity_.aor = std::move(n.aor);
  identity_.request_uri = std::move(n.request_uri);
  // No source address toward the server (issue 12 defect 7): keep the last good Contact (an
  // unregister still names it) and never put a wildcard or nothing in its place.
  if (local.address.empty()) return false;
  if (contact_registered_ && n.contact != identity_.contact) {
    notes().previous_contacts.assign(1, std::move(identity_.contact));
    contact_registered_ = false;
  }
  identity_.contact = std::move(n.contact);
  return true;
}

std::uint32_t Account::requested_expires_s() const {
  const auto asked = static_cast<std::uint32_t>(seconds{cfg_.register_expiration_min}.count());
  return std::max(asked, min_expires_s_);
}

bool Account::lease_valid() const {
  return granted_s_ > 0 && stack_.timers.now() < lease_end_;
}

void Account::transition(State next) {
  state_ = next;
  const std::string tag = "account[" + std::to_string(index_) + "] '" + cfg_.name + "'";
  const auto now = stack_.timers.now();
  switch (next) {
    case State::kRegistered:
      if (retry_timer_.armed()) {
        spdlog::warn(
            "{}: registered (lease {} s left), last attempt {} ({}), next attempt in {:.1f} s", tag,
            duration_cast<seconds>(lease_end_ - now).count(), last_status_,
            usage::reg::to_string(failure_),
            secs(duration_cast<milliseconds>(retry_timer_.deadline() - now)));
      } else {
        spdlog::info(
            "{}: registered ({}), expires {} s, refresh in {:.1f} s{}", tag, last_status_,
            granted_s_, secs(duration_cast<milliseconds>(refresh_timer_.deadline() - now)),
            failure_ == FailureClass::kBindingNotConfirmed ? ", binding not confirmed" : "");
      }
      break;
    case State::kFailed:
      if (!retry_timer_.armed()) {
        spdlog::warn("{}: failed ({}), attempt in progress", tag, last_error_.str());
        break;
      }
      spdlog::warn("{}: failed ({}, {}: {}), next attempt in {:.1f} s", tag, last_status_,
                   usage::reg::to_string(failure_), last_error_.str(),
                   secs(duration_cast<milliseconds>(retry_timer_.deadline() - now)));
      break;
    default:
      spdlog::info("{}: {}", tag, to_string(next));
      break;
  }
}

void Account::start() {
  stopping_ = false;
  if (!cfg_.active) return transition(State::kDisabled);
  if (!cfg_.sip_registration) {
    notes().warnings.push_back("sip_registration = false: no REGISTER is sent");
    return transition(State::kDisabled);
  }
  previous_pending_ = true;
  locate([this] { unregister_previous(); });
}

void Account::locate(std::function<void()> then) {
  if (!loc_) return then();
  const std::uint64_t generation = ++loc_->generation;
  loc_->resolve_targets([this, life = std::weak_ptr<bool>(loc_->life), generation,
                         then = std::move(then)](auto result) {
    // A newer attempt, a stop, or the account gone: this answer is for nobody.
    if (life.expired() || generation != loc_->generation || stopping_) return;
    if (!result.ok()) {
      usage::reg::Outcome o;
      o.failure = FailureClass::kDns;
      o.requested_s = requested_expires_s();
      o.detail = result.error();
      return on_register_failed(o);
    }
    const bool failing_back = !loc_->targets.empty() && loc_->rank != 0;
    loc_->targets = std::move(result.value());
    // Every attempt and refresh starts at the most preferred target: fail-back.
    use_target(
        0, failing_back ? "fail-back: most preferred target tried again" : "most preferred target");
    then();
  });
}

void Account::use_target(std::size_t rank, std::string reason) {
  Location& loc = *loc_;
  loc.rank = rank;
  loc.reason = std::move(reason);
  if (identity_.target != loc.targets[rank]) {
    spdlog::info("account[{}]: server target {} ({})", index_,
                 transport::to_string(loc.targets[rank].remote), loc.reason);
  }
  identity_.target = loc.targets[rank];
}

bool Account::fail_over(const txn::NextHopFailure& f) {
  if (!f.moves_on() || stopping_ || !loc_ || loc_->targets.empty()) return false;
  if (f.target != identity_.target) return true;  // another request moved on already
  if (loc_->rank + 1 >= loc_->targets.size()) return false;
  ++loc_->failovers;
  const std::string from = transport::to_string(identity_.target.remote);
  use_target(loc_->rank + 1, "fail-over from " + from + ": " + f.why);
  spdlog::warn("account[{}]: {} ({}): trying {} now", index_, from, f.why,
               transport::to_string(identity_.target.remote));
  return true;
}

txn::FailOver Account::other_request_fail_over() {
  return [this](const txn::NextHopFailure& f) {
    const bool here = f.target == identity_.target;
    if (!fail_over(f)) return false;
    if (here) register_after_move();
    return true;
  };
}

void Account::register_after_move() {
  if (stopping_ || state_ == State::kDisabled || state_ == State::kUnregistering) return;
  if (reg_.busy() || previous_pending_) return;  // the REGISTER in flight fails over itself
  failover_timer_.arm_in(base::Duration{0}, [this] { begin_register(false); });
}

void Account::unregister_previous() {
  using config::UnregisterMode;
  previous_pending_ = false;
  if (cfg_.unregister_before_new_registration == UnregisterMode::no) return begin_register();
  transition(State::kUnregistering);
  auto done = [this](const usage::reg::Outcome& o) {
    std::string& outcome = notes().unregister_outcome;
    outcome = o.registered()       ? std::to_string(o.status_code) + " ok"
              : o.status_code != 0 ? std::to_string(o.status_code) + " " +
                                         std::string(usage::reg::to_string(o.failure))
                                   : std::string(usage::reg::to_string(o.failure));
    spdlog::info("account[{}]: unregister before registration: {}", index_, outcome);
    begin_register();
  };
  if (cfg_.unregister_before_new_registration == UnregisterMode::all) {
    spdlog::warn(
        "account[{}]: unregister_before_new_registration = \"all\" also removes the "
        "bindings of other devices on {}",
        index_, identity_.aor);
    return reg_.unbind_all(done);
  }
  refresh_identity();
  std::vector<std::string> contacts;
  if (notes_) {
    for (const auto& c : notes_->previous_contacts) {
      if (c != identity_.contact) contacts.push_back(c);
    }
  }
  if (!identity_.contact.empty()) contacts.push_back(identity_.contact);
  reg_.unbind(std::move(contacts), done);
}

void Account::begin_register(bool relocate) {
  if (stopping_) return;
  refresh_timer_.cancel();
  retry_timer_.cancel();
  failover_timer_.cancel();
  // The look-up before "unregister before new registration" failed: that step comes first.
  if (previous_pending_) return locate([this] { unregister_previous(); });
  attempt_started_ = stack_.timers.now();
  // The lease only needs watching while a refresh is under way (or failing): until then the
  // refresh timer, always due before the lease ends, stands guard. One timer less per account.
  if (granted_s_ > 0 && !lease_valid()) on_lease_expired();  // ran out just now (G of 1 s)
  if (lease_valid() && !lease_timer_.armed()) {
    lease_timer_.arm_at(lease_end_, [this] { on_lease_expired(); });
  }
  transition(lease_valid() ? State::kRefreshing : State::kRegistering);
  if (!relocate) return send_register();
  locate([this] { send_register(); });
}

void Account::send_register() {
  if (stopping_) return;
  if (loc_) {
    loc_->register_target = identity_.target;
    // Back at a target whose old binding is still being removed: that Expires: 0 must not land
    // after this REGISTER.
    if (loc_->leaver && loc_->leaver->identity.target == identity_.target)
      loc_->leaver->reg.cancel();
  }
  if (!refresh_identity()) {  // the Contact would name no reachable address: not sent
    usage::reg::Outcome o;
    o.failure = FailureClass::kTransport;
    o.requested_s = requested_expires_s();
    o.detail = "no usable source address toward " + transport::to_string(identity_.target.remote);
    return on_register_failed(o);
  }
  // A refresh of a binding still held waits ahead of new registrations (base::Gate::Priority).
  const auto priority =
      state_ == State::kRefreshing ? base::Gate::Priority::kFirst : base::Gate::Priority::kNormal;
  reg_.bind(
      requested_expires_s(),
      [this](const usage::reg::Outcome& o) {
        if (o.registered()) {
          on_registered(o);
        } else {
          on_register_failed(o);
        }
      },
      priority);
}

void Account::on_registered(const usage::reg::Outcome& o) {
  const auto now = stack_.timers.now();
  last_latency_ = duration_cast<milliseconds>(now - attempt_started_);
  ++ok_count_;
  last_status_ = o.status_code;
  failure_ = o.failure;
  last_error_ = o.failure == FailureClass::kNone ? std::string() : o.detail;
  if (o.requested_s > requested_expires_s()) min_expires_s_ = o.requested_s;  // after a 423
  granted_s_ = o.granted_s;
  if (o.outbound || o.flow_timer_s || !o.pub_gruu.empty() || !o.temp_gruu.empty()) {
    outbound_seen_ = std::make_unique<OutboundSeen>(
        OutboundSeen{o.outbound, o.flow_timer_s, o.pub_gruu, o.temp_gruu});
  } else {
    outbound_seen_.reset();
  }
  if (granted_s_ == 0) {  // a 2xx that grants nothing holds no binding
    usage::reg::Outcome f = o;
    f.failure = FailureClass::kBindingNotConfirmed;
    f.detail = "2xx granted 0 seconds";
    return on_register_failed(f);
  }
  if (stack_.registration_stats != nullptr) {
    stack_.registration_stats->registered(last_latency_, state_ == State::kRefreshing);
  }
  lease_end_ = now + seconds{granted_s_};
  lease_timer_.cancel();  // armed again when the refresh starts (begin_register)
  retry_timer_.cancel();
  base::Duration refresh =
      refresh_delay(seconds{granted_s_}, cfg_.reregister_before_expiration_s, stack_.jitter.unit());
  std::optional<base::Duration> first_keepalive;
  // A fleet account whose attempt took long (it waited behind the admission gate's backlog, as
  // refreshes due during a fleet's start do, or for a registrar catching up) ends it together
  // with the others that waited, and would refresh with them every cycle from then on: its
  // next refresh is spread across the whole wait again, as its first was.
  if (cfg_.spread_first_refresh && last_latency_ >= kRespreadAfter) phase_pending_ = true;
  if (phase_pending_) {
    phase_pending_ = false;
    refresh = spread_phase(refresh, stack_.jitter.unit());
    first_keepalive = spread_phase(cfg_.options_keepalive_interval_s, stack_.jitter.unit());
  }
  refresh_timer_.arm_in(refresh, [this] { begin_register(); });
  if (o.contact_confirmed && on_contact_registered_) on_contact_registered_(identity_.contact);
  // Our binding now has this Contact: the earlier run's (unbound already) need no keeping, and
  // this one is kept only should the Contact change before the next start() (refresh_identity).
  if (notes_) std::vector<std::string>().swap(notes_->previous_contacts);
  contact_registered_ = true;
  if (loc_) {
    const auto& bound = loc_->bound;
    if (bound && bound->target != loc_->register_target && now < bound->until)
      leave_old_binding(*bound);
    loc_->bound = Bound{loc_->register_target, identity_.contact, lease_end_};
  }
  transition(State::kRegistered);
  start_keepalive(o, first_keepalive);
  // The first time: subscriptions begin once the account is registered.
  if (watchers_) watchers_->start();
}

void Account::leave_old_binding(const Bound& old) {
  // A Registration of its own (the account's may be busy at once): its own Call-ID, as the old
  // registrar is another one; the account's nonces, so nc stays right if the realm is shared.
  auto& leaver = loc_->leaver;
  leaver = std::unique_ptr<Leaver>(new Leaver{
      identity_, {stack_.txn, stack_.transport, stack_.random, {cfg_.auth_user(), cfg_.password}}});
  leaver->identity.target = old.target;
  leaver->reg.share_nonces(&nonces_);
  leaver->reg.set_identity(leaver->identity);
  const std::string where = transport::to_string(old.target.remote);
  spdlog::info("account[{}]: removing our binding at {} (registered at {} now)", index_, where,
               transport::to_string(loc_->register_target.remote));
  leaver->reg.unbind({old.contact}, [this, where](const usage::reg::Outcome& o) {
    const std::string how = o.registered()       ? std::to_string(o.status_code)
                            : o.status_code != 0 ? std::to_string(o.status_code)
                                                 : std::string(usage::reg::to_string(o.failure));
    if (o.registered()) {
      spdlog::info("account[{}]: binding at {} removed ({})", index_, where, how);
    } else {
      spdlog::warn("account[{}]: binding at {} not removed ({}): it expires there by itself",
                   index_, where, how);
    }
    loc_->reason +=
        "; binding at " + where + (o.registered() ? " removed" : " not removed") + " (" + how + ")";
  });
}

void Account::start_keepalive(const usage::reg::Outcome& o, std::optional<base::Duration> first) {
  // RFC 5626 §4.4: an outbound registration keeps its flow alive and watches it.
  if (!identity_.instance.empty()) {
    if (!flow_) {  // made for outbound accounts only: the others never pay for it
      flow_ = std::make_unique<usage::flow::FlowKeepalive>(
          stack_.transport, stack_.timers, stack_.random, stack_.jitter,
          usage::flow::FlowKeepalive::Callbacks{
              [this](const std::string& why) { reregister_at_once("flow failed: " + why, true); }});
    }
    flow_->start(identity_.target, o.flow_timer_s, o.outbound);
  }
  if (!keepalive_) return;
  keepalive_->start(identity_, seconds{cfg_.options_keepalive_interval_s},
                    cfg_.options_keepalive_max_tries,
                    usage::options::ViaReflection{o.via_received, o.via_rport}, first);
}

void Account::stop_keepalive() {
  if (flow_) flow_->stop();
  if (keepalive_) keepalive_->stop();
}

void Account::on_register_failed(const usage::reg::Outcome& o) {
  const bool no_response =
      o.failure == FailureClass::kTimeout || o.failure == FailureClass::kTransport;
  const std::string why = o.status_code != 0 ? std::to_string(o.status_code)
                                             : std::string(usage::reg::to_string(o.failure));
  if (fail_over(
          {register_target(), no_response, o.status_code, o.retry_after_s.has_value(), why})) {
    failover_timer_.arm_in(base::Duration{0}, [this] { send_register(); });
    return;
  }
  ++fail_count_;
  if (stack_.registration_stats != nullptr) stack_.registration_stats->failed();
  stop_keepalive();
  last_status_ = o.status_code;
  failure_ = o.failure;
  last_error_ = o.detail;
  const base::Duration wait =
      o.failure == FailureClass::kCredentials
          ? base::Duration{cfg_.auth_failure_retry_wait_s}
          : retry_delay(cfg_.registration_retry_wait_s, o.retry_after_s, stack_.jitter.unit());
  retry_timer_.arm_in(wait, [this] { begin_register(); });
  // While the granted lease lasts the binding is still held: stay registered, show the error.
  if (lease_valid()) return transition(State::kRegistered);
  granted_s_ = 0;
  lease_timer_.cancel();
  transition(State::kFailed);
}

void Account::on_lease_expired() {
  granted_s_ = 0;
  stop_keepalive();
  // Never show a binding the server no longer holds: failed, even with a refresh in flight.
  if (state_ == State::kRegistered || state_ == State::kRefreshing) {
    if (last_error_.empty()) last_error_ = "registration expired";
    transition(State::kFailed);
  }
}

void Account::reregister_at_once(std::string_view why, bool new_connection) {
  if (stopping_ || state_ == State::kDisabled || state_ == State::kUnregistering) return;
  spdlog::warn("account[{}]: {}: re-registering now", index_, why);
  stop_keepalive();
  if (new_connection && identity_.target.remote.protocol != transport::Protocol::kUdp) {
    stack_.transport.reset(identity_.target);
  }
  reg_.cancel();
  failover_timer_.cancel();
  begin_register();
}

void Account::on_reg_event(RegEventAction action, const std::string& why) {
  if (stopping_ || state_ == State::kDisabled || state_ == State::kUnregistering) return;
  last_error_ = "reg event: " + why;
  if (action == RegEventAction::kReregisterNow)
    return reregister_at_once("reg event: " + why, false);
  spdlog::warn("account[{}]: reg event: {}: re-registering after the retry wait", index_, why);
  refresh_timer_.cancel();
  retry_timer_.arm_in(
      retry_delay(cfg_.registration_retry_wait_s, std::nullopt, stack_.jitter.unit()),
      [this] { begin_register(); });
}

void Account::reregister_now() {
  reregister_at_once("re-register requested", false);
}

void Account::on_transport_error(const transport::TransportError& error) {
  if (error.target != identity_.target ||
      error.kind != transport::TransportErrorKind::kConnectionLost) {
    return;
  }
  // A connection lost while registered and idle: open a new one and re-REGISTER at once.
  if (state_ == State::kRegistered && !reg_.busy() && !retry_timer_.armed()) {
    reregister_at_once("connection to the server lost", false);
  }
}

void Account::stop(std::function<void()> done) {
  stopping_ = true;
  if (calls_) calls_->hangup_all();
  failover_timer_.cancel();
  refresh_timer_.cancel();
  retry_timer_.cancel();
  stop_keepalive();
  reg_.cancel();
  const bool bound = lease_valid();
  if (bound) transition(State::kUnregistering);
  auto finish = [this, bound, done = std::move(done)]() mutable {
    if (bound) return unbind_and_finish(std::move(done));
    lease_timer_.cancel();
    state_ = State::kDisabled;
    done();
  };
  // Subscriptions end (Expires: 0) before the binding is removed.
  if (watchers_ && !watchers_->empty()) return watchers_->stop(std::move(finish));
  if (bound) return finish();
  failover_timer_.arm_in(base::Duration{0}, std::move(finish));
}

void Account::unbind_and_finish(std::function<void()> done) {
  reg_.unbind({identity_.contact}, [this, done = std::move(done)](const usage::reg::Outcome& o) {
    spdlog::info("account[{}]: unregistered: {}", index_,
                 o.registered() ? std::to_string(o.status_code) : o.detail);
    granted_s_ = 0;
    lease_timer_.cancel();
    transition(State::kDisabled);
    done();
  });
}

void Account::add_subscriptions_to(SubscriptionTally& tally) const {
  if (watchers_) watchers_->add_to(tally);
}

Snapshot Account::snapshot() const {
  Snapshot s;
  const auto now = stack_.timers.now();
  s.index = index_;
  s.name = cfg_.name;
  s.aor = identity_.aor;
  s.state = state_;
  s.granted_expires_s = granted_s_;
  if (refresh_timer_.armed()) {
    s.next_refresh_in = duration_cast<milliseconds>(refresh_timer_.deadline() - now);
  }
  if (retry_timer_.armed()) {
    s.next_attempt_in = duration_cast<milliseconds>(retry_timer_.deadline() - now);
  }
  s.last_status_code = last_status_;
  s.last_error = last_error_.str();
  s.failure_class = failure_;
  s.keepalive_misses = keepalive_ ? keepalive_->misses() : 0;
  s.contact = identity_.contact;
  if (notes_) {
    s.unregister_outcome = notes_->unregister_outcome;
    s.warnings = notes_->warnings;
  }
  if (failure_ == FailureClass::kBindingNotConfirmed && state_ == State::kRegistered) {
    s.warnings.push_back("binding not confirmed");
  }
  s.registrations_ok = ok_count_;
  s.registration_failures = fail_count_;
  s.keepalive_misses_total = keepalive_ ? keepalive_->misses_total() : 0;
  s.register_requests = reg_.requests_sent();
  s.last_refresh_latency = last_latency_;
  if (watchers_) {
    s.mwi = watchers_->mwi();
    s.subscriptions = watchers_->snapshots();
    s.blf = watchers_->blf();
    s.notifies_rejected = watchers_->notifies_rejected();
  }
  s.server_target = transport::to_string(identity_.target.remote);
  if (loc_) {
    s.server_target_reason = loc_->reason;
    s.server_target_rank = loc_->rank;
    s.failovers = loc_->failovers;
  }
  s.outbound_instance = identity_.instance;
  if (outbound_seen_) {
    s.outbound_supported = outbound_seen_->outbound;
    s.flow_timer_s = outbound_seen_->flow_timer_s;
    s.pub_gruu = outbound_seen_->pub_gruu;
    s.temp_gruu = outbound_seen_->temp_gruu;
  }
  if (!flow_) return s;
  if (flow_->running()) {
    s.flow_keepalive = std::string(usage::flow::to_string(flow_->kind()));
    s.flow_interval = flow_->interval();
  }
  if (auto pong = flow_->last_pong()) s.last_pong_age = duration_cast<milliseconds>(now - *pong);
  s.flow_failures = flow_->failures();
  return s;
}

}  // namespace sipline::account
