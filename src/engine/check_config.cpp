// `sipline check`: the config layer's report, as the public API's plain value.
#include "config/load.hpp"
#include "shard.hpp"
#include "sipline/engine.hpp"

namespace sipline {

CheckReport check_config_file(const std::string& path, Shard shard) {
  // With the settings changed over HTTP applied, each listed as a warning; then the shard's
  // slice, named on a last line so the operator sees which accounts this index runs.
  std::size_t total = 0;
  auto loaded = engine::load_shard(path, shard, nullptr, &total);
  config::CheckReport report = config::check_report(loaded, path);
  if (loaded.ok() && shard.count > 1) {
    report.text += engine::shard_report_line(shard, total, loaded->config.accounts) + "\n";
  }
  return CheckReport{report.ok, std::move(report.text)};
}

}  // namespace sipline
