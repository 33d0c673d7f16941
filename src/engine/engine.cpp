// The Engine behind include/sipline/engine.hpp: loads the config, opens one AccountRuntime per
// active account on the caller's io_context, and hands out snapshots.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "account_page.hpp"
#include "account_runtime.hpp"
#include "base/asio_timers.hpp"
#include "base/gate.hpp"
#include "base/timer.hpp"
#include "call_status.hpp"
#include "config/host_port.hpp"
#include "config/load.hpp"
#include "config/schema.hpp"
#include "config/validate.hpp"
#include "daemon_settings.hpp"
#include "events.hpp"
#include "metrics.hpp"
#include "reload.hpp"
#include "shard.hpp"
#include "sip_trace.hpp"
#include "sipline/engine.hpp"
#include "state_store.hpp"
#include "stored_settings.hpp"

namespace sipline {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

std::optional<std::int64_t> whole_seconds(const std::optional<base::Duration>& d) {
  if (!d) return std::nullopt;
  return duration_cast<seconds>(*d + base::Duration{999}).count();  // round up: "in 1 s"
}

class EngineImpl final : public Engine {
 public:
  EngineImpl(asio::io_context& io, config::LoadedConfig loaded, std::string config_path)
      : io_(io),
        timers_(io),
        cfg_(std::move(loaded.config)),
        config_path_(std::move(config_path)),
        store_(cfg_.daemon.state_dir, timers_),
        stop_timer_(timers_) {
    // Call ids go on from the history's: an id shown before a restart never names another call.
    call_env_.next_call_id = history_.max_id() + 1;
    call_env_.on_ended = [this](const account::CallRecord& r) {
      history_.add(engine::to_status(r));
    };
    call_env_.on_change = [this](const account::Account& a, const account::CallRecord& now,
                                 const std::string& before) {
      engine::publish_call_change(a, now, before, events_);
    };
    // Each runtime owns its account's config from here on; cfg_ keeps [daemon] and [timers].
    for (std::size_t i = 0; i < cfg_.accounts.size(); ++i) {
      runtimes_.push_back(std::make_unique<engine::AccountRuntime>(static_cast<int>(i + 1),
                                                                   std::move(cfg_.accounts[i])));
    }
    cfg_.accounts.clear();
    cfg_.accounts.shrink_to_fit();
    apply_admission();
  }

  // [daemon] registrations_in_flight and admission onto the gate: "auto" starts its controller
  // afresh from the configured value.
  void apply_admission() {
    const auto start = static_cast<std::size_t>(cfg_.daemon.registrations_in_flight);
    registration_gate_.adapt(std::nullopt);
    registration_gate_.set_capacity(start);
    if (cfg_.daemon.admission == config::Admission::automatic) {
      registration_gate_.adapt(base::AdmissionControl(start));
    }
  }

  // `ids`: each account's identity as the config file names it, for the runtimes as they are
  // now. Only those that differ from the account's own are kept (file_identity()).
  void set_file_identities(std::vector<std::string> ids) {
    from_file_ = true;
    file_id_exceptions_.clear();
    for (std::size_t i = 0; i < ids.size() && i < runtimes_.size(); ++i) {
      if (ids[i] != engine::stored_settings_identity(runtimes_[i]->config())) {
        file_id_exceptions_.emplace(i, std::move(ids[i]));
      }
    }
  }
  // The file identity of the account at position i (from 0) of runtimes_.
  std::string file_identity(std::size_t i) const {
    if (const auto it = file_id_exceptions_.find(i); it != file_id_exceptions_.end()) {
      return it->second;
    }
    return engine::stored_settings_identity(runtimes_[i]->config());
  }
  void set_shard(Shard shard) { shard_ = shard; }

  bool start(std::string& error) override {
    if (!cfg_.daemon.sip_trace.empty() && !trace_.open(cfg_.daemon.sip_trace, error)) {
      return false;
    }
    if (!open_dns(error)) return false;
    std::vector<const config::AccountConfig*> configs;
    configs.reserve(runtimes_.size());
    for (const auto& rt : runtimes_) configs.push_back(&rt->config());
    if (!shared_ports_.open(io_, cfg_, configs, error)) return false;
    if (trace_.is_open()) shared_ports_.set_trace(trace_.hook());
    for (auto& rt : runtimes_) {
      if (!open_runtime(*rt, error)) return false;
    }
    for (auto& rt : runtimes_) {
      if (rt->account() != nullptr) rt->account()->start();
      rt->observe();
    }
    return true;
  }

  ListenerId add_listener(EventHandler handler) override {
    if (!events_.wanted()) {
      for (auto& rt : runtimes_) rt->reset_watch();  // report from now on, not the past
    }
    return events_.add(std::move(handler));
  }
  void remove_listener(ListenerId id) override { events_.remove(id); }

  bool reload(std::string& report) override;
  bool account_settings(int index, std::vector<AccountSetting>& out) const override;
  void apply_config(config::Config next, std::string& report);
  int change_settings(int index, const SettingChanges& changes,
                      std::vector<SettingProblem>& problems) override;

  void stop(std::chrono::milliseconds deadline, std::function<void()> done) override {
    stopping_ = true;
    auto finish = std::make_shared<std::function<void()>>(std::move(done));
    auto left = std::make_shared<int>(0);
    auto one_done = [this, finish, left] {
      if (--*left > 0 || !*finish) return;
      stop_timer_.cancel();
      auto f = std::move(*finish);
      *finish = nullptr;
      f();
    };
    for (auto& rt : runtimes_) {
      if (rt->account() != nullptr) ++*left;
    }
    ++*left;  // released below, so `done` never runs synchronously inside stop()
    stop_timer_.arm_in(deadline, [finish] {
      if (!*finish) return;
      auto f = std::move(*finish);
      *finish = nullptr;
      f();
    });
    for (auto& rt : runtimes_) {
      if (rt->account() != nullptr) rt->account()->stop(one_done);
      rt->observe();
    }
    timers_.schedule_in(base::Duration{0}, one_done);
  }

  std::vector<AccountStatus> accounts() const override {
    std::vector<AccountStatus> out;
    for (const auto& rt : runtimes_) out.push_back(status_of(*rt));
    return out;
  }

  AccountPage account_page(const AccountQuery& query) const override {
    engine::PageBuilder page(query);
    for (const auto& slot : runtimes_) {
      const engine::AccountRuntime& rt = shown(*slot);
      const account::Account* a = rt.account();
      const auto state = a != nullptr ? account::to_string(a->state()) : "disabled";
      page.add(state, rt.config().name, [&] { return status_of(*slot); });
    }
    return page.finish();
  }

  // [daemon] metrics_per_account: "auto" is per account up to kMetricsPerAccountAuto accounts.
  bool metrics_per_account() const {
    using config::AutoSwitch;
    const AutoSwitch s = cfg_.daemon.metrics_per_account;
    return s == AutoSwitch::automatic ? runtimes_.size() <= config::kMetricsPerAccountAuto
                                      : s == AutoSwitch::on;
  }

  std::string metrics_text() const override {
    engine::EngineTotals totals;
    totals.per_account = metrics_per_account();
    totals.states = account_page(AccountQuery{{}, {}, 0, 0}).states;
    totals.registrations = registration_stats_;
    std::vector<engine::AccountMetrics> all;
    engine::AccountMetrics counters;  // without series per account: one account at a time
    for (const auto& rt : runtimes_) {
      if (const account::Account* a = std::as_const(*rt).account()) {
        a->add_subscriptions_to(totals.subscriptions);
      }
      if (!totals.per_account) {
        counters.txn = rt->txn() != nullptr ? rt->txn()->counters() : txn::Counters{};
        counters.transport = rt->transport() != nullptr ? rt->transport()->counters()
                                                        : transport::TransportCounters{};
        engine::add_to_totals(totals, counters);
        continue;
      }
      engine::AccountMetrics m{status_of(*rt), {}, {}, {}};
      if (rt->txn() != nullptr) m.txn = rt->txn()->counters();
      const account::Account* a = std::as_const(*rt).account();
      if (a != nullptr && a->calls() != nullptr) m.calls = a->calls()->totals();
      // A shared socket's counters are not one account's (see /metrics' shared_port lines).
      if (rt->transport() != nullptr && !rt->shares_transport()) {
        m.transport = rt->transport()->counters();
      }
      all.push_back(std::move(m));
    }
    engine::DnsMetrics dns;
    if (dns_)
      dns = {dns_->counters().queries, dns_->counters().cache_hits, dns_->counters().failures};
    std::vector<engine::SharedPortMetrics> shared;
    for (const auto& port : shared_ports_.ports()) {
      shared.push_back({std::string(config::to_string(port.transport)), port.demux->counters()});
    }
    return engine::format_metrics(
               all,
               {registration_gate_.holding(), registration_gate_.waiting(),
                registration_gate_.capacity(), registration_gate_.waited_total()},
               dns, totals, shared) +
           engine::shard_metrics(shard_);
  }

  bool reregister(int index) override {
    if (index < 1 || index > static_cast<int>(runtimes_.size())) return false;
    auto* a = runtimes_[index - 1]->account();
    if (a == nullptr) return false;
    a->reregister_now();
    runtimes_[index - 1]->observe();
    return true;
  }

  std::vector<CallStatus> calls() const override { return engine::all_calls(runtimes_, history_); }
  std::optional<CallStatus> call(std::uint64_t id) const override {
    return engine::find_call(runtimes_, history_, id);
  }
  CallReply place_call(const CallRequest& request) override {
    return engine::place_call(runtimes_, request);
  }
  CallReply answer_call(std::uint64_t id) override {
    return ended_before(engine::answer_call(runtimes_, id), id);
  }
  CallReply end_call(std::uint64_t id, bool decline) override {
    return ended_before(engine::end_call(runtimes_, id, decline), id);
  }

  std::string http_listen() const override { return cfg_.daemon.http_listen.to_string(); }
  std::string log_level() const override {
    return std::string(config::to_string(cfg_.daemon.log_level));
  }
  bool http_settings(HttpSettings& out) const override {
    out = http_settings_of(cfg_.daemon);
    return true;
  }
  bool logs_to_journal() const override {
    return cfg_.daemon.log_target == config::LogTarget::journal;
  }

 private:
  // Binds an active account's socket(s) and builds its stack (inactive: nothing to do).
  // `transport = "auto"`: the account comes later, once DNS chose its transport; it starts then.
  bool open_runtime(engine::AccountRuntime& rt, std::string& error) {
    if (!rt.config().active) return true;
    rt.set_events(&events_);
    rt.set_shared_ports(&shared_ports_);
    auto opened = [this](engine::AccountRuntime& late, const std::string& /*error: logged*/) {
      if (late.account() == nullptr) return late.observe();
      attach(late);
      if (!stopping_) late.account()->start();
      late.observe();
    };
    if (!rt.open(io_, timers_, registration_gate_, cfg_, store_, dns_.get(), error, &call_env_,
                 &registration_stats_, opened)) {
      return false;
    }
    if (rt.account() != nullptr) attach(rt);
    return true;
  }
  // What the engine hooks into a freshly opened account: the trace (calls report through
  // call_env_).
  void attach(engine::AccountRuntime& rt) {
    if (trace_.is_open()) rt.set_trace(trace_.hook());
  }
  // One resolver (and cache) for every account: [daemon] dns_servers, else the system's.
  bool open_dns(std::string& error) {
    transport::DnsOptions o;
    // Checked at load: every entry is an address. c-ares wants a bare IPv6 without a port.
    for (const auto& one : config::split_list(cfg_.daemon.dns_servers)) {
      auto hp = config::parse_ip_port(one);
      if (!hp) {
        error = "[daemon] dns_servers: entry \"" + one + "\": " + hp.error();
        return false;
      }
      o.servers.push_back(hp->port ? hp->to_string() : hp->host.str());
    }
    auto made = transport::DnsResolver::create(io_, o);
    if (!made.ok()) {
      error = "[daemon] dns_servers: " + made.error();
      return false;
    }
    dns_ = std::move(*made);
    return true;
  }
  // A call no account knows may be one of the history's (an earlier run's): 409, as for a call
  // that ended in this run, not 404.
  CallReply ended_before(CallReply reply, std::uint64_t id) const {
    if (reply.status != 404 || !history_.find(id)) return reply;
    return CallReply{409, "call " + std::to_string(id) + " has ended", id};
  }
  void retire(std::unique_ptr<engine::AccountRuntime> rt);
  void on_retired(engine::AccountRuntime* rt);
  void start_pending();

  // A changed account's slot shows its old runtime while that one ends its subscriptions and
  // unregisters ("unregistering"), not its replacement's "disabled" before anything has left.
  const engine::AccountRuntime& shown(const engine::AccountRuntime& rt) const {
    if (rt.account() != nullptr) return rt;
    for (const auto& r : retiring_) {
      if (r.rt->index() == rt.index()) return *r.rt;
    }
    return rt;
  }

  // The status of a slot (as shown(): a retiring runtime while it unregisters).
  AccountStatus status_of(const engine::AccountRuntime& slot) const {
    const engine::AccountRuntime& rt = shown(slot);
    AccountStatus s;
    const auto& c = rt.config();
    s.index = rt.index();
    s.name = c.name;
    s.transport = std::string(config::to_string(rt.transport_in_use()));
    s.local_port = rt.local_port();
    s.state = "disabled";
    const auto* a = rt.account();
    if (rt.selecting()) s.state = "registering";  // "auto": DNS is choosing the transport
    if (!rt.open_error().empty()) {
      s.state = "failed";
      s.last_error = rt.open_error();
    }
    if (!rt.select_error().empty() && !rt.selecting()) {  // "auto" waits to choose again
      s.state = "failed";
      s.last_error = rt.select_error();
      s.failure_class = std::string(usage::reg::to_string(usage::reg::FailureClass::kDns));
      s.next_attempt_in_s = whole_seconds(rt.next_selection_in());
    }
    if (a == nullptr) return s;
    const account::Snapshot snap = a->snapshot();
    s.aor = snap.aor;
    s.state = std::string(account::to_string(snap.state));
    s.granted_expires_s = snap.granted_expires_s;
    s.next_refresh_in_s = whole_seconds(snap.next_refresh_in);
    s.next_attempt_in_s = whole_seconds(snap.next_attempt_in);
    s.last_status_code = snap.last_status_code;
    s.last_error = snap.last_error;
    s.failure_class = std::string(usage::reg::to_string(snap.failure_class));
    s.keepalive_misses = snap.keepalive_misses;
    s.contact = snap.contact;
    s.unregister_outcome = snap.unregister_outcome;
    s.warnings = snap.warnings;
    s.registrations_ok = snap.registrations_ok;
    s.registration_failures = snap.registration_failures;
    s.keepalive_misses_total = snap.keepalive_misses_total;
    if (rt.txn() != nullptr) {
      s.transactions = rt.txn()->counters().client_started;
      s.retransmissions = rt.txn()->counters().retransmissions;
    }
    s.last_refresh_latency_s = static_cast<double>(snap.last_refresh_latency.count()) / 1000.0;
    s.server_target = snap.server_target;
    s.server_target_reason = snap.server_target_reason;
    s.server_target_rank = snap.server_target_rank;
    s.failovers = snap.failovers;
    if (!snap.outbound_instance.empty()) {
      const auto seconds_of = [](base::Duration d) {
        return static_cast<double>(d.count()) / 1000.0;
      };
      s.outbound =
          OutboundStatus{snap.outbound_instance,
                         snap.outbound_supported,
                         snap.flow_timer_s,
                         snap.pub_gruu,
                         snap.temp_gruu,
                         snap.flow_keepalive,
                         seconds_of(snap.flow_interval),
                         snap.last_pong_age ? std::optional<double>(seconds_of(*snap.last_pong_age))
                                            : std::nullopt,
                         snap.flow_failures};
    }
    s.mwi = engine::public_mwi(snap.mwi);
    for (const auto& w : snap.subscriptions) {
      s.subscriptions.push_back({w.event, w.uri, w.state, w.granted_expires_s,
                                 whole_seconds(w.next_refresh_in), whole_seconds(w.next_attempt_in),
                                 w.last_error, w.counters.subscribes_ok, w.counters.failures});
    }
    for (const auto& b : snap.blf) s.blf.push_back(engine::public_blf(b));
    return s;
  }

  // Each account's identity as the config file names it (stored_settings.hpp), kept only where
  // it is not the identity of the account's settings now (a stored change of user_id,
  // sip_server or auth_id): a fleet keeps none, where a string each was ~80 bytes an account.
  // from_file_ false: an engine not built from a file (its changes over HTTP are not stored).
  std::unordered_map<std::size_t, std::string> file_id_exceptions_;
  bool from_file_ = false;
  Shard shard_;  // the slice of the file's accounts this engine runs (reloads too)

  asio::io_context& io_;
  base::AsioTimers timers_;
  config::Config cfg_;  // [daemon] and [timers]; the accounts live in their runtimes
  std::string config_path_;
  engine::StateStore store_;
  engine::SipTrace trace_;
  engine::EventBus events_{timers_};
  base::Timer stop_timer_;
  // Registration attempts in flight across all accounts: a burst (the daemon's start, a
  // registrar back after an outage, SIGTERM) queues the rest rather than flooding the
  // registrar's socket, and keeps the memory of transactions in flight bounded.
  base::Gate registration_gate_{timers_,
                                static_cast<std::size_t>(cfg_.daemon.registrations_in_flight)};
  // Calls: the RTP port range and what every call shares (before the runtimes: they use it).
  media::PortAllocator rtp_ports_{static_cast<std::uint16_t>(cfg_.daemon.rtp_port_min),
                                  static_cast<std::uint16_t>(cfg_.daemon.rtp_port_max)};
  account::CallMediaEnv call_env_{io_, timers_, rtp_ports_, cfg_.daemon.call_record_dir};
  // Ended calls, kept in state_dir (before the runtimes, whose calls add to it).
  engine::CallHistory history_{engine::CallHistory::path_in(cfg_.daemon.state_dir)};
  std::unique_ptr<transport::DnsResolver> dns_;  // outlives the runtimes that ask it
  // Every account's registration outcomes added up (/metrics without series per account);
  // kept across reloads, so its counters only grow.
  account::RegistrationStats registration_stats_;
  engine::SharedPorts shared_ports_;  // [daemon] shared_port; outlives the runtimes
  std::vector<std::unique_ptr<engine::AccountRuntime>> runtimes_;
  // SIGHUP: runtimes being unregistered before their replacements (pending_) start.
  struct Retiring {
    std::unique_ptr<engine::AccountRuntime> rt;
    std::unique_ptr<base::Timer> deadline;
  };
  std::vector<Retiring> retiring_;
  std::vector<Retiring> dropping_;                // retired, destroyed on the next turn of the loop
  std::vector<engine::AccountRuntime*> pending_;  // in runtimes_, opened once retiring_ is empty
  bool stopping_ = false;
};

// How long a changed or removed account may take to unregister before it is dropped anyway.
constexpr std::chrono::seconds kRetireDeadline{5};

bool EngineImpl::reload(std::string& report) {
  if (stopping_) {
    report = "the engine is stopping";
    return false;
  }
  if (config_path_.empty()) {
    report = "this engine was not built from a config file: nothing to reload";
    return false;
  }
  if (!retiring_.empty() || !pending_.empty()) {  // pending_ points into runtimes_: keep it so
    report = "the previous reload is still unregistering accounts; try again in a few seconds";
    return false;
  }
  std::vector<std::string> ids;
  auto loaded = engine::load_shard(config_path_, shard_, &ids);
  if (!loaded.ok()) {
    report = config::check_report(loaded, config_path_).text;
    return false;
  }
  apply_config(std::move(loaded->config), report);
  set_file_identities(std::move(ids));
  return true;
}

// Moves the running engine to `next` (a reloaded file, or the running config with one account's
// settings changed over HTTP): unchanged accounts keep running, changed ones restart.
void EngineImpl::apply_config(config::Config next, std::string& report) {
  std::vector<const config::AccountConfig*> current;
  for (const auto& rt : runtimes_) current.push_back(&rt->config());
  const engine::ReloadPlan plan = engine::plan_reload(cfg_, current, next);
  for (const auto& key : plan.restart_needed) {
    spdlog::warn("reload: {} changed; it applies at the next start, the running value stays", key);
  }
  if (plan.log_level_changed) cfg_.daemon.log_level = next.daemon.log_level;
  cfg_.daemon.metrics_per_account = next.daemon.metrics_per_account;  // the next scrape's
  if (plan.in_flight_changed) {
    cfg_.daemon.registrations_in_flight = next.daemon.registrations_in_flight;
    cfg_.daemon.admission = next.daemon.admission;
    apply_admission();
  }
  if (plan.timers_changed) {
    cfg_.timers = next.timers;
    for (auto& rt : runtimes_) rt->set_timer_config(cfg_.timers);
  }
  int counts[4] = {0, 0, 0, 0};
  std::vector<std::unique_ptr<engine::AccountRuntime>> next_runtimes;
  for (std::size_t i = 0; i < plan.slots.size(); ++i) {
    const engine::SlotAction action = plan.slots[i];
    ++counts[static_cast<int>(action)];
    if (action == engine::SlotAction::kKeep) {
      next_runtimes.push_back(std::move(runtimes_[i]));
      continue;
    }
    if (i < runtimes_.size()) retire(std::move(runtimes_[i]));
    if (action == engine::SlotAction::kRemove) continue;
    next_runtimes.push_back(std::make_unique<engine::AccountRuntime>(static_cast<int>(i + 1),
                                                                     std::move(next.accounts[i])));
    pending_.push_back(next_runtimes.back().get());
  }
  runtimes_ = std::move(next_runtimes);
  report = "reload: " + std::to_string(counts[0]) + " unchanged, " + std::to_string(counts[1]) +
           " changed, " + std::to_string(counts[2]) + " added, " + std::to_string(counts[3]) +
           " removed" + (plan.timers_changed ? ", [timers] applied" : "") +
           (plan.log_level_changed ? ", log_level applied" : "") +
           (plan.in_flight_changed ? ", registrations_in_flight/admission applied" : "");
  if (retiring_.empty()) start_pending();
}

bool EngineImpl::account_settings(int index, std::vector<AccountSetting>& out) const {
  if (index < 1 || index > static_cast<int>(runtimes_.size())) return false;
  const config::AccountConfig& a = runtimes_[index - 1]->config();
  out.clear();
  auto add = [&](std::string_view key, std::string value) {
    AccountSetting s{std::string(key), std::move(value), "string"};
    if (const config::KeyInfo* info = config::find_key(config::account_keys(), key)) {
      s.type = std::string(info->toml_type());
      s.allowed = info->allowed();
      s.min = info->min;
      s.max = info->max;
      s.choices.assign(info->choices.begin(), info->choices.end());
      s.unit = std::string(info->unit);
      s.default_text = std::string(info->default_text);
      s.help = std::string(info->help);
    }
    out.push_back(std::move(s));
  };
  config::for_each_setting(a, [&](std::string_view key, const std::string& value) {
    add(key, value);
    if (key == "blf") out.back().items = a.blf;  // the one list key
  });
  add("password", a.password.empty() ? "unset" : "set");
  return true;
}

int EngineImpl::change_settings(int index, const SettingChanges& changes,
                                std::vector<SettingProblem>& problems) {
  problems.clear();
  if (index < 1 || index > static_cast<int>(runtimes_.size())) return 404;
  if (stopping_ || !retiring_.empty() || !pending_.empty()) {
    problems.push_back({"", "", "", "a reload is still unregistering accounts; try again"});
    return 409;
  }
  const config::SettingList list = engine::to_setting_list(changes);
  config::Config current = cfg_;
  for (const auto& rt : runtimes_) current.accounts.push_back(rt->config());
  auto update = config::update_account(current, index, list);
  if (!update.ok()) {
    for (const auto& p : update.error().errors) {
      problems.push_back({p.key, p.value, p.allowed, p.message});
    }
    return 400;
  }
  const auto i = static_cast<std::size_t>(index - 1);
  const std::string file_id = from_file_ ? file_identity(i) : std::string();
  current.accounts[i] = std::move(update->account);
  std::string report;
  apply_config(std::move(current), report);
  spdlog::info("settings of account[{}] changed over HTTP: {}", index, report);
  if (from_file_) {
    // Still stored under the file's identity when the change named the account anew.
    if (engine::stored_settings_identity(runtimes_[i]->config()) != file_id) {
      file_id_exceptions_.insert_or_assign(i, file_id);
    } else {
      file_id_exceptions_.erase(i);
    }
    const std::string path = engine::stored_settings_path(cfg_.daemon);
    std::string error;
    if (!engine::store_settings(path, file_id, changes, error)) {
      spdlog::error("settings of account[{}] applied but not stored (lost at restart): {}", index,
                    error);
    }
  }
  return 200;
}

// Unregisters the account (its binding may name another server, user or port than the new
// config), bounded by kRetireDeadline, then drops it.
void EngineImpl::retire(std::unique_ptr<engine::AccountRuntime> rt) {
  engine::AccountRuntime* raw = rt.get();
  account::Account* account = rt->account();
  if (account == nullptr) return;  // never opened (inactive): nothing to unregister
  spdlog::info("reload: account[{}] '{}' changed or removed: unregistering", rt->index(),
               rt->config().name);
  auto deadline = std::make_unique<base::Timer>(timers_);
  deadline->arm_in(kRetireDeadline, [this, raw] { on_retired(raw); });
  retiring_.push_back({std::move(rt), std::move(deadline)});
  account->stop([this, raw] { on_retired(raw); });
  raw->observe();
}

void EngineImpl::on_retired(engine::AccountRuntime* rt) {
  auto it = std::find_if(retiring_.begin(), retiring_.end(),
                         [rt](const Retiring& r) { return r.rt.get() == rt; });
  if (it == retiring_.end()) return;  // both the stop and the deadline came: once is enough
  // Not destroyed from inside its own callback chain: the loop drops it a moment later.
  dropping_.push_back(std::move(*it));
  retiring_.erase(it);
  timers_.schedule_in(base::Duration{0}, [this] { dropping_.clear(); });
  if (retiring_.empty()) start_pending();
}

void EngineImpl::start_pending() {
  // From the loop: the retired sockets are closed by then, so a new account may take a port
  // an old one held.
  timers_.schedule_in(base::Duration{0}, [this] {
    auto pending = std::move(pending_);
    pending_.clear();
    if (stopping_) return;
    for (auto* rt : pending) {
      std::string error;
      if (!open_runtime(*rt, error)) {
        spdlog::error("reload: {}", error);
        continue;
      }
      if (rt->account() != nullptr) rt->account()->start();
      rt->observe();
    }
  });
}

}  // namespace

namespace engine {
std::unique_ptr<Engine> make_engine(asio::io_context& io, config::LoadedConfig loaded,
                                    std::string config_path) {
  return std::make_unique<EngineImpl>(io, std::move(loaded), std::move(config_path));
}
}  // namespace engine

std::unique_ptr<Engine> Engine::create(asio::io_context& io, const std::string& config_path,
                                       std::string& error, Shard shard) {
  std::vector<std::string> ids;
  auto loaded = engine::load_shard(config_path, shard, &ids);
  if (!loaded.ok()) {
    error = config::check_report(loaded, config_path).text;
    return nullptr;
  }
  auto engine = std::make_unique<EngineImpl>(io, std::move(*loaded), config_path);
  engine->set_file_identities(std::move(ids));
  engine->set_shard(shard);
  return engine;
}

}  // namespace sipline
