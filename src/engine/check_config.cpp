// `sipline check`: the config layer's report, as the public API's plain value.
#include "config/load.hpp"
#include "sipline/engine.hpp"
#include "stored_settings.hpp"

namespace sipline {

CheckReport check_config_file(const std::string& path) {
  // With the settings changed over HTTP applied, each listed as a warning.
  config::CheckReport report = config::check_report(engine::load_with_stored_settings(path), path);
  return CheckReport{report.ok, std::move(report.text)};
}

}  // namespace sipline
