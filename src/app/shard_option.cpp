#include "app/shard_option.hpp"

#include <charconv>
#include <string_view>

namespace sipline::app {
namespace {

// A whole number written with digits only (no sign, no spaces), at most kMaxShards.
bool whole_number(std::string_view text, std::size_t& out) {
  if (text.empty() || text.size() > 7) return false;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && p == end && out <= kMaxShards;
}

std::string quoted(std::string_view v) {
  return "\"" + std::string(v) + "\"";
}

std::string count_range() {
  return "1.." + std::to_string(kMaxShards);
}

std::string index_range(std::size_t count) {
  return "0.." + std::to_string(count - 1);
}

bool from_flag(const std::string& option, Shard& out, std::string& error) {
  const std::string what = "--shard " + quoted(option);
  const auto slash = option.find('/');
  std::size_t index = 0, count = 0;
  if (slash == std::string::npos ||
      !whole_number(std::string_view(option).substr(0, slash), index) ||
      !whole_number(std::string_view(option).substr(slash + 1), count)) {
    error = what + ": expected I/N, two whole numbers (e.g. 0/3: the first of 3 shards), N in " +
            count_range();
    return false;
  }
  if (count == 0) {
    error = what + ": the count N must be " + count_range();
    return false;
  }
  if (index >= count) {
    error = what + ": the index I must be " + index_range(count) +
            " (0-based, below N = " + std::to_string(count) + ")";
    return false;
  }
  out = Shard{index, count};
  return true;
}

const char* variable(const EnvLookup& env, const char* name) {
  const char* v = env ? env(name) : nullptr;
  return v != nullptr && *v != '\0' ? v : nullptr;
}

bool from_environment(const EnvLookup& env, Shard& out, std::string& error) {
  const char* index_text = variable(env, kShardIndexVariable);
  const char* count_text = variable(env, kShardCountVariable);
  if (index_text == nullptr && count_text == nullptr) return true;  // every account
  const std::string index_var =
      std::string(kShardIndexVariable) + " = " + quoted(index_text != nullptr ? index_text : "");
  const std::string count_var =
      std::string(kShardCountVariable) + " = " + quoted(count_text != nullptr ? count_text : "");
  std::size_t count = 0, index = 0;
  if (count_text == nullptr) {
    error = index_var + " is set but " + kShardCountVariable +
            " is not: set it to the number of shards (the Job's completions), " + count_range();
    return false;
  }
  if (!whole_number(count_text, count) || count == 0) {
    error = count_var + ": the number of shards must be a whole number " + count_range();
    return false;
  }
  if (index_text == nullptr) {
    error = count_var + " is set but " + kShardIndexVariable +
            " is not (Kubernetes sets it in an Indexed Job): give each process its index " +
            index_range(count) + ", or use --shard I/N";
    return false;
  }
  if (!whole_number(index_text, index) || index >= count) {
    error = index_var + ": the index must be a whole number " + index_range(count) + " (" +
            count_var + ")";
    return false;
  }
  out = Shard{index, count};
  return true;
}

}  // namespace

bool resolve_shard(const std::string& option, const EnvLookup& env, Shard& out,
                   std::string& error) {
  out = Shard{};
  if (!option.empty()) return from_flag(option, out, error);
  return from_environment(env, out, error);
}

}  // namespace sipline::app
