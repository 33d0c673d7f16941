// The subcommands of `sipline`; each returns the process exit code
// (0 success, 1 runtime failure, 2 usage or config error).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sipline/engine.hpp"

namespace sipline::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr const char* kDefaultConfig = "/etc/sipline/sipline.toml";

// `-c` when given, else $SIPLINE_CONFIG when set and not empty, else kDefaultConfig.
std::string resolve_config_path(const std::string& option);

// `shard`: the slice of the accounts to run / show (app/shard_option.hpp).
int run_daemon(const std::string& config_path, Shard shard = {});    // sipline run
int check_config(const std::string& config_path, Shard shard = {});  // sipline check
// sipline status: the accounts the filters select (every one by default), the counts by state.
struct StatusOptions {
  bool json = false;
  std::string state;  // state names, comma-separated; "": every state
  std::string name;   // a substring of the name
  std::size_t offset = 0;
  std::optional<std::size_t> limit;
};
int show_status(const std::string& config_path, const StatusOptions& o);
int parse_messages(const std::vector<std::string>& files, bool json);  // sipline parse

struct CallOptions {
  int account = 1;
  bool anonymous = false;
  bool wait = false;       // print each state until the call ends
  int hangup_after_s = 0;  // > 0: hang up that long after the answer (implies waiting)
  std::string uri;         // a SIP URI or a bare user / number
};
int place_call(const std::string& config_path, const CallOptions& o);  // sipline call
int list_calls(const std::string& config_path, bool json);             // sipline calls
int hangup_call(const std::string& config_path, std::uint64_t id);     // sipline hangup

}  // namespace sipline::app
