// SIGHUP: what a new config changes in a running engine, decided without touching it. Accounts
// are matched by position (account[N] of the old file against account[N] of the new one): an
// unchanged account keeps running untouched (its registration, timers and counters); a changed
// one is unregistered and started anew from its new settings; new positions are added, missing
// ones removed (unregistered). [timers], log_level and registrations_in_flight apply at once; the
// other [daemon] keys (http_listen, state_dir, sip_trace, TLS certificate) need a restart and keep
// their old values.
#pragma once
#include <string>
#include <vector>

#include "config/config.hpp"

namespace sipline::engine {

enum class SlotAction { kKeep, kReplace, kAdd, kRemove };

struct ReloadPlan {
  std::vector<SlotAction> slots;  // one per position, max(old, new) long
  bool timers_changed = false;
  bool log_level_changed = false;
  bool in_flight_changed = false;  // [daemon] registrations_in_flight or admission
  // "[daemon] http_listen", ...: changed, but applied only at the next start.
  std::vector<std::string> restart_needed;
  bool changes_anything() const;
};

// `running`: the [daemon] and [timers] the engine runs with; `accounts`: the config of each
// running position, in order.
ReloadPlan plan_reload(const config::Config& running,
                       const std::vector<const config::AccountConfig*>& accounts,
                       const config::Config& next);

}  // namespace sipline::engine
