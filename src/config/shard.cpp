#include "config/shard.hpp"

#include <iterator>

namespace sipline::config {

Slice shard_slice(std::size_t total, std::size_t index, std::size_t count) {
  const std::size_t base = total / count;
  const std::size_t extra = total % count;  // the first `extra` slices have one more
  Slice s;
  s.begin = index * base + (index < extra ? index : extra);
  s.end = s.begin + base + (index < extra ? 1 : 0);
  return s;
}

namespace {
template <typename T>
void keep(std::vector<T>& list, const Slice& s) {
  list.erase(list.begin() + static_cast<std::ptrdiff_t>(s.end), list.end());
  list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(s.begin));
}
}  // namespace

void keep_shard(Config& config, std::size_t index, std::size_t count,
                std::vector<std::string>* per_account) {
  if (count <= 1) return;
  const std::size_t total = config.accounts.size();
  const Slice s = shard_slice(total, index, count);
  keep(config.accounts, s);
  if (per_account != nullptr && per_account->size() == total) keep(*per_account, s);
}

}  // namespace sipline::config
