// The subcommands of `sipline`; each returns the process exit code
// (0 success, 1 runtime failure, 2 usage or config error).
#pragma once
#include <string>
#include <vector>

namespace sipline::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr const char* kDefaultConfig = "/etc/sipline/sipline.toml";

// `-c` when given, else $SIPLINE_CONFIG when set and not empty, else kDefaultConfig.
std::string resolve_config_path(const std::string& option);

int run_daemon(const std::string& config_path);                        // sipline run
int check_config(const std::string& config_path);                      // sipline check
int show_status(const std::string& config_path, bool json);            // sipline status
int parse_messages(const std::vector<std::string>& files, bool json);  // sipline parse
int place_call(const std::string& uri);                                // sipline call

}  // namespace sipline::app
