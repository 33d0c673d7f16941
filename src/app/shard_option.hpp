// Which shard of the config this process runs (sipline::Shard, docs/fleet.md): `--shard I/N`
// when given, else $JOB_COMPLETION_INDEX (Kubernetes sets it in each pod of an Indexed Job)
// with the count from $SIPLINE_SHARDS (the Job's manifest sets it); neither: every account.
// An empty variable counts as unset. The flag wins over the environment.
#pragma once
#include <cstddef>
#include <functional>
#include <string>

#include "sipline/engine.hpp"

namespace sipline::app {

inline constexpr std::size_t kMaxShards = 1'000'000;
inline constexpr const char* kShardIndexVariable = "JOB_COMPLETION_INDEX";
inline constexpr const char* kShardCountVariable = "SIPLINE_SHARDS";

// The environment as getenv shows it (nullptr: unset); tests pass their own.
using EnvLookup = std::function<const char*(const char*)>;

// False with `error` naming the flag or variable, its value and the allowed range for: not
// two whole numbers, a count of 0 or above kMaxShards, an index >= the count, one of the two
// variables without the other.
bool resolve_shard(const std::string& option, const EnvLookup& env, Shard& out, std::string& error);

}  // namespace sipline::app
