// The Engine behind include/sipline/engine.hpp: loads the config, opens one AccountRuntime per
// active account on the caller's io_context, and hands out snapshots.
#include <asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "account_runtime.hpp"
#include "base/asio_timers.hpp"
#include "base/gate.hpp"
#include "base/timer.hpp"
#include "config/load.hpp"
#include "metrics.hpp"
#include "sip_trace.hpp"
#include "sipline/engine.hpp"
#include "state_store.hpp"

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
  EngineImpl(asio::io_context& io, config::LoadedConfig loaded)
      : io_(io),
        timers_(io),
        cfg_(std::move(loaded.config)),
        store_(cfg_.daemon.state_dir, timers_),
        stop_timer_(timers_) {
    for (std::size_t i = 0; i < cfg_.accounts.size(); ++i) {
      runtimes_.push_back(
          std::make_unique<engine::AccountRuntime>(static_cast<int>(i + 1), cfg_.accounts[i]));
    }
  }

  bool start(std::string& error) override {
    if (!cfg_.daemon.sip_trace.empty() && !trace_.open(cfg_.daemon.sip_trace, error)) {
      return false;
    }
    for (auto& rt : runtimes_) {
      if (!rt->config().active) continue;
      if (!rt->open(io_, timers_, registration_gate_, cfg_, store_, error)) return false;
      if (trace_.is_open()) rt->set_trace(trace_.hook());
    }
    for (auto& rt : runtimes_) {
      if (rt->account() != nullptr) rt->account()->start();
    }
    return true;
  }

  void stop(std::chrono::milliseconds deadline, std::function<void()> done) override {
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
    }
    timers_.schedule_in(base::Duration{0}, one_done);
  }

  std::vector<AccountStatus> accounts() const override {
    std::vector<AccountStatus> out;
    for (const auto& rt : runtimes_) out.push_back(status_of(*rt));
    return out;
  }

  std::string metrics_text() const override {
    std::vector<engine::AccountMetrics> all;
    for (const auto& rt : runtimes_) {
      engine::AccountMetrics m{status_of(*rt), {}, {}};
      if (rt->txn() != nullptr) m.txn = rt->txn()->counters();
      if (rt->transport() != nullptr) m.transport = rt->transport()->counters();
      all.push_back(std::move(m));
    }
    return engine::format_metrics(
        all, {registration_gate_.holding(), registration_gate_.waiting(),
              registration_gate_.capacity(), registration_gate_.waited_total()});
  }

  bool reregister(int index) override {
    if (index < 1 || index > static_cast<int>(runtimes_.size())) return false;
    auto* a = runtimes_[index - 1]->account();
    if (a == nullptr) return false;
    a->reregister_now();
    return true;
  }

  std::string http_listen() const override { return cfg_.daemon.http_listen.to_string(); }
  std::string log_level() const override {
    return std::string(config::to_string(cfg_.daemon.log_level));
  }

 private:
  AccountStatus status_of(const engine::AccountRuntime& rt) const {
    AccountStatus s;
    const auto& c = rt.config();
    s.index = rt.index();
    s.name = c.name;
    s.transport = std::string(config::to_string(c.transport));
    s.local_port = rt.local_port();
    s.state = "disabled";
    const auto* a = rt.account();
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
    return s;
  }

  asio::io_context& io_;
  base::AsioTimers timers_;
  config::Config cfg_;
  engine::StateStore store_;
  engine::SipTrace trace_;
  base::Timer stop_timer_;
  // Registration attempts in flight across all accounts: a burst (the daemon's start, a
  // registrar back after an outage, SIGTERM) queues the rest rather than flooding the
  // registrar's socket, and keeps the memory of transactions in flight bounded.
  base::Gate registration_gate_{timers_, engine::kRegistrationsInFlight};
  std::vector<std::unique_ptr<engine::AccountRuntime>> runtimes_;
};

}  // namespace

std::unique_ptr<Engine> Engine::create(asio::io_context& io, const std::string& config_path,
                                       std::string& error) {
  auto loaded = config::load_config(config_path);
  if (!loaded.ok()) {
    error = config::check_report(loaded, config_path).text;
    return nullptr;
  }
  return std::make_unique<EngineImpl>(io, std::move(*loaded));
}

}  // namespace sipline
