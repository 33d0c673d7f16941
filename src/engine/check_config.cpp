// `sipline check`: the config layer's report, as the public API's plain value.
#include "config/load.hpp"
#include "sipline/engine.hpp"

namespace sipline {

CheckReport check_config_file(const std::string& path) {
  config::CheckReport report = config::check_config_file(path);
  return CheckReport{report.ok, std::move(report.text)};
}

}  // namespace sipline
