// Shards: the I-th of N contiguous slices of a config's accounts, taken after [[fleet]]
// expansion, so that N daemons given the same config and indices 0..N-1 (a Kubernetes Indexed
// Job's pods, docs/fleet.md) run disjoint slices that add up to every account. Slice sizes
// differ by at most one: the first `total % N` slices have one account more.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace sipline::config {

// Accounts [begin, end) of the list.
struct Slice {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
};

// Slice `index` (0-based, < count) of `count` over `total` accounts. Requires count >= 1 and
// index < count (the caller validates them).
Slice shard_slice(std::size_t total, std::size_t index, std::size_t count);

// Keeps only slice `index` of `count` of `config.accounts` and, when given, of `per_account`
// (a list kept beside the accounts, e.g. their identities, the same length).
void keep_shard(Config& config, std::size_t index, std::size_t count,
                std::vector<std::string>* per_account = nullptr);

}  // namespace sipline::config
