// Shards (config/shard.hpp): the I-th of N contiguous slices of the expanded account list.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/shard.hpp"

namespace sipline::config {
namespace {

// For every N in 1..7 and several list sizes: the slices are contiguous and in order (each
// begins where the one before ended), so they are disjoint and their union is the whole list;
// their sizes differ by at most one.
TEST(ConfigShard, SlicesAreDisjointCoverTheListAndDifferByAtMostOne) {
  for (std::size_t total : {0u, 1u, 2u, 3u, 5u, 6u, 7u, 10u, 30u, 31u, 100u, 1001u}) {
    for (std::size_t n = 1; n <= 7; ++n) {
      SCOPED_TRACE("total " + std::to_string(total) + ", N " + std::to_string(n));
      std::vector<int> owner(total, -1);
      std::size_t smallest = total + 1, largest = 0, next = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const Slice s = shard_slice(total, i, n);
        EXPECT_EQ(s.begin, next) << "slice " << i;
        ASSERT_LE(s.begin, s.end);
        ASSERT_LE(s.end, total);
        for (std::size_t k = s.begin; k < s.end; ++k) {
          EXPECT_EQ(owner[k], -1) << "account " << k << " in slices " << owner[k] << " and " << i;
          owner[k] = static_cast<int>(i);
        }
        smallest = std::min(smallest, s.size());
        largest = std::max(largest, s.size());
        next = s.end;
      }
      EXPECT_EQ(next, total);
      EXPECT_EQ(std::count(owner.begin(), owner.end(), -1), 0);
      EXPECT_LE(largest - smallest, 1u);
    }
  }
}

TEST(ConfigShard, TheFirstSlicesTakeTheRemainder) {
  // 10 over 3: 4, 3, 3.
  EXPECT_EQ(shard_slice(10, 0, 3).begin, 0u);
  EXPECT_EQ(shard_slice(10, 0, 3).end, 4u);
  EXPECT_EQ(shard_slice(10, 1, 3).begin, 4u);
  EXPECT_EQ(shard_slice(10, 1, 3).end, 7u);
  EXPECT_EQ(shard_slice(10, 2, 3).begin, 7u);
  EXPECT_EQ(shard_slice(10, 2, 3).end, 10u);
  // More shards than accounts: the last ones are empty.
  EXPECT_EQ(shard_slice(2, 2, 4).size(), 0u);
  EXPECT_EQ(shard_slice(2, 3, 4).size(), 0u);
}

Config numbered(int n, std::vector<std::string>& ids) {
  Config c;
  for (int k = 1; k <= n; ++k) {
    AccountConfig a = default_account(k);
    a.user_id = std::to_string(1000 + k);
    c.accounts.push_back(a);
    ids.push_back(a.user_id + "@h");
  }
  return c;
}

TEST(ConfigShard, KeepShardCutsTheAccountsAndTheListBesideThem) {
  std::vector<std::string> ids;
  Config c = numbered(30, ids);
  keep_shard(c, 1, 3, &ids);
  ASSERT_EQ(c.accounts.size(), 10u);
  ASSERT_EQ(ids.size(), 10u);
  // Accounts 11..20 of the whole list, with the names and ports the whole list gave them.
  EXPECT_EQ(c.accounts.front().name, "Account 11");
  EXPECT_EQ(c.accounts.front().local_sip_port, 5060 + 2 * 10);
  EXPECT_EQ(c.accounts.back().user_id, "1020");
  EXPECT_EQ(ids.front(), "1011@h");
  EXPECT_EQ(ids.back(), "1020@h");
}

TEST(ConfigShard, OneShardKeepsEverything) {
  std::vector<std::string> ids;
  Config c = numbered(5, ids);
  const Config before = c;
  keep_shard(c, 0, 1, &ids);
  EXPECT_EQ(c.accounts, before.accounts);
  EXPECT_EQ(ids.size(), 5u);
}

}  // namespace
}  // namespace sipline::config
