// sipline check / parse / call: thin wrappers over the public API.
#include <cstdlib>
#include <iostream>

#include "app/commands.hpp"
#include "sipline/engine.hpp"

namespace sipline::app {

std::string resolve_config_path(const std::string& option) {
  if (!option.empty()) return option;
  const char* env = std::getenv("SIPLINE_CONFIG");
  if (env != nullptr && *env != '\0') return env;
  return kDefaultConfig;
}

int check_config(const std::string& config_path, Shard shard) {
  CheckReport report = check_config_file(config_path, shard);
  std::ostream& out = report.ok ? std::cout : std::cerr;
  out << report.text;
  if (!report.text.empty() && report.text.back() != '\n') out << "\n";
  return report.ok ? kExitOk : kExitUsage;
}

int parse_messages(const std::vector<std::string>& files, bool json) {
  return parse_files(files, json, std::cout, std::cerr) == 0 ? kExitOk : kExitFailure;
}

}  // namespace sipline::app
