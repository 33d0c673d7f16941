// Loading a TOML config file: every problem at once (syntax, types, ranges, unknown keys,
// missing keys, port clashes), with file and line; warnings apart.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "config/config.hpp"
#include "config/problem.hpp"

namespace sipline::config {

struct LoadedConfig {
  Config config;
  std::vector<Problem> warnings;
};
// The config, or every problem (errors and warnings, each sorted by position).
using ConfigResult = base::Result<LoadedConfig, Diagnostics>;

// Parses `text` as a sipline config; problems name `source_name` as their file. Relative
// password_file / tls_ca_file paths are resolved against `base_dir` ("" = the working directory).
ConfigResult parse_config(std::string_view text, std::string_view source_name,
                          const std::string& base_dir = "");

// Reads and parses the file at `path`; relative paths inside resolve against its directory.
ConfigResult load_config(const std::string& path);

// The report of `sipline check` for a result (`source` names the file in the summary line).
CheckReport check_report(const ConfigResult& result, std::string_view source);
// load_config + check_report.
CheckReport check_config_file(const std::string& path);

}  // namespace sipline::config
