#include "reload.hpp"

#include <algorithm>

namespace sipline::engine {

bool ReloadPlan::changes_anything() const {
  return timers_changed || log_level_changed || in_flight_changed ||
         std::any_of(slots.begin(), slots.end(),
                     [](SlotAction a) { return a != SlotAction::kKeep; });
}

ReloadPlan plan_reload(const config::Config& running,
                       const std::vector<const config::AccountConfig*>& accounts,
                       const config::Config& next) {
  ReloadPlan plan;
  const std::size_t n = std::max(accounts.size(), next.accounts.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i >= next.accounts.size()) {
      plan.slots.push_back(SlotAction::kRemove);
    } else if (i >= accounts.size()) {
      plan.slots.push_back(SlotAction::kAdd);
    } else {
      plan.slots.push_back(*accounts[i] == next.accounts[i] ? SlotAction::kKeep
                                                            : SlotAction::kReplace);
    }
  }
  const auto& a = running.daemon;
  const auto& b = next.daemon;
  if (a.http_listen != b.http_listen) plan.restart_needed.push_back("[daemon] http_listen");
  if (a.state_dir != b.state_dir) plan.restart_needed.push_back("[daemon] state_dir");
  if (a.sip_trace != b.sip_trace) plan.restart_needed.push_back("[daemon] sip_trace");
  if (a.tls_cert_file != b.tls_cert_file || a.tls_key_file != b.tls_key_file) {
    plan.restart_needed.push_back("[daemon] tls_cert_file/tls_key_file");
  }
  plan.log_level_changed = a.log_level != b.log_level;
  plan.in_flight_changed =
      a.registrations_in_flight != b.registrations_in_flight || a.admission != b.admission;
  plan.timers_changed = running.timers.t1 != next.timers.t1 ||
                        running.timers.t2 != next.timers.t2 || running.timers.t4 != next.timers.t4;
  return plan;
}

}  // namespace sipline::engine
