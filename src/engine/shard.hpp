// The engine's side of sipline::Shard (include/sipline/engine.hpp): the config file loaded as
// at every start and reload, then cut to the shard's slice (config/shard.hpp); the line
// `sipline check` adds; the shard's gauge on /metrics.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "config/load.hpp"
#include "sipline/engine.hpp"

namespace sipline::engine {

// load_with_stored_settings, then only `shard`'s accounts (and identities). `total` (when given)
// receives the number of accounts of the whole file.
config::ConfigResult load_shard(const std::string& config_path, const Shard& shard,
                                std::vector<std::string>* identities = nullptr,
                                std::size_t* total = nullptr);

// "shard 1/3: accounts 11..20 of 30 (Phone 1610 .. Phone 1619)", or "shard 4/4: no accounts
// (the file has 3)"; `slice` is the shard's accounts.
std::string shard_report_line(const Shard& shard, std::size_t total,
                              const std::vector<config::AccountConfig>& slice);

// sipline_shard_info{index="I",count="N"} 1, with its HELP and TYPE lines.
std::string shard_metrics(const Shard& shard);

}  // namespace sipline::engine
