#include "shard.hpp"

#include "config/shard.hpp"
#include "stored_settings.hpp"

namespace sipline::engine {

config::ConfigResult load_shard(const std::string& config_path, const Shard& shard,
                                std::vector<std::string>* identities, std::size_t* total) {
  auto loaded = load_with_stored_settings(config_path, identities);
  if (loaded.ok()) {
    if (total != nullptr) *total = loaded->config.accounts.size();
    config::keep_shard(loaded->config, shard.index, shard.count, identities);
  }
  return loaded;
}

std::string shard_report_line(const Shard& shard, std::size_t total,
                              const std::vector<config::AccountConfig>& slice) {
  std::string line =
      "shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + ": ";
  if (slice.empty()) {
    return line + "no accounts (the file has " + std::to_string(total) + ")";
  }
  const config::Slice s = config::shard_slice(total, shard.index, shard.count);
  return line + "accounts " + std::to_string(s.begin + 1) + ".." + std::to_string(s.end) + " of " +
         std::to_string(total) + " (" + slice.front().name + " .. " + slice.back().name + ")";
}

std::string shard_metrics(const Shard& shard) {
  return "# HELP sipline_shard_info The slice of the config's accounts this daemon runs "
         "(--shard I/N, JOB_COMPLETION_INDEX); always 1.\n"
         "# TYPE sipline_shard_info gauge\n"
         "sipline_shard_info{index=\"" +
         std::to_string(shard.index) + "\",count=\"" + std::to_string(shard.count) + "\"} 1\n";
}

}  // namespace sipline::engine
