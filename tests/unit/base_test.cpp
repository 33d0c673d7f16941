#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <vector>

#include "base/chunked_array.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "base/shared_text.hpp"
#include "base/timers.hpp"

using namespace sipline::base;
using namespace std::chrono_literals;

TEST(VirtualTimers, FireInTimeOrderAndMoveTheClock) {
  VirtualTimers t;
  const auto t0 = t.now();
  std::vector<std::pair<int, Duration>> fired;
  t.schedule_in(300ms,
                [&] { fired.emplace_back(3, std::chrono::duration_cast<Duration>(t.now() - t0)); });
  t.schedule_in(100ms,
                [&] { fired.emplace_back(1, std::chrono::duration_cast<Duration>(t.now() - t0)); });
  auto id = t.schedule_in(200ms, [&] { fired.emplace_back(2, 0ms); });
  t.cancel(id);
  t.advance(250ms);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0], std::make_pair(1, Duration(100ms)));
  t.advance(100ms);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[1], std::make_pair(3, Duration(300ms)));
  EXPECT_EQ(t.now() - t0, 350ms);
  EXPECT_EQ(t.pending(), 0u);
}

TEST(VirtualTimers, TimerScheduledFromTimerFiresInSameAdvance) {
  VirtualTimers t;
  int n = 0;
  std::function<void()> again = [&] {
    if (++n < 5) t.schedule_in(10ms, again);
  };
  t.schedule_in(10ms, again);
  t.advance(1s);
  EXPECT_EQ(n, 5);
}

TEST(SeededRandom, SameSeedSameSequenceAndTokensAreTokenChars) {
  SeededRandom a(42), b(42), c(43);
  EXPECT_EQ(a.next_u64(), b.next_u64());
  EXPECT_NE(a.next_u64(), c.next_u64());
  auto br = a.branch();
  EXPECT_EQ(br.rfind("z9hG4bK", 0), 0u);
  EXPECT_EQ(br.size(), 7u + 16u);
  for (char ch : a.token(200)) EXPECT_TRUE((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z'));
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(a.call_id());
  EXPECT_EQ(seen.size(), 1000u);
}

// Kernel CSPRNG through the per-thread pool: unpredictable across instances (no shared seed),
// no stuck bits, and the pool refills (far more words drawn than one 4 KiB batch holds).
TEST(SecureRandom, DistinctTokensAndBalancedBits) {
  SecureRandom a, b;
  std::set<std::uint64_t> words;
  int ones[64] = {};
  constexpr int kWords = 20000;
  for (int i = 0; i < kWords; ++i) {
    std::uint64_t w = (i % 2 ? a : b).next_u64();
    words.insert(w);
    for (int bit = 0; bit < 64; ++bit) ones[bit] += static_cast<int>((w >> bit) & 1);
  }
  EXPECT_EQ(words.size(), static_cast<std::size_t>(kWords));
  for (int bit = 0; bit < 64; ++bit) {
    EXPECT_GT(ones[bit], kWords * 45 / 100) << bit;
    EXPECT_LT(ones[bit], kWords * 55 / 100) << bit;
  }
  for (char ch : a.token(200)) EXPECT_TRUE((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z'));
  EXPECT_NE(a.call_id(), b.call_id());
  unsigned char raw[64] = {};
  secure_bytes(raw, sizeof raw);
  EXPECT_NE(std::count(std::begin(raw), std::end(raw), 0), 64);
}

TEST(Result, HoldsValueOrError) {
  Result<int, std::string> good(5);
  Result<int, std::string> bad(fail(std::string("nope")));
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "nope");
}

#include "base/timer.hpp"

TEST(Timer, RearmReplacesAndCancelStops) {
  VirtualTimers t;
  int fired = 0;
  {
    Timer timer(t);
    timer.arm_in(100ms, [&] { fired += 1; });
    timer.arm_in(200ms, [&] { fired += 10; });
    t.advance(150ms);
    EXPECT_EQ(fired, 0);
    t.advance(100ms);
    EXPECT_EQ(fired, 10);
    EXPECT_FALSE(timer.armed());
    timer.arm_in(100ms, [&] { fired += 100; });
  }  // destroyed while armed: never fires
  t.advance(1s);
  EXPECT_EQ(fired, 10);
}

TEST(SharedText, CopiesShareOneBufferAndEmptyHoldsNone) {
  const SharedText a(std::string("sipline/0.1.0 with a long product token"));
  const SharedText b = a;  // NOLINT: the copy is the point
  EXPECT_TRUE(b.shares_with(a));
  EXPECT_EQ(b, a);
  EXPECT_EQ(b.str(), "sipline/0.1.0 with a long product token");
  const SharedText other(std::string("sipline/0.1.0 with a long product token"));
  EXPECT_FALSE(other.shares_with(a));  // equal text, made apart: equal, not shared
  EXPECT_EQ(other, a);
  SharedText empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty, "");
  EXPECT_EQ(SharedText(std::string()), empty);  // "" holds no buffer
  EXPECT_TRUE(SharedText(std::string()).shares_with(empty));
}

TEST(SharedText, ReadsAndConcatenatesAsAString) {
  SharedText t("ua");
  const std::string& s = t;
  EXPECT_EQ(s, "ua");
  EXPECT_EQ(t + "/1", "ua/1");
  EXPECT_EQ("x-" + t, "x-ua");
  EXPECT_EQ(std::string_view(t), "ua");
  t = std::string("changed");
  EXPECT_EQ(t, "changed");
  SharedText moved = std::move(t);
  EXPECT_EQ(moved, "changed");
  moved.clear();
  EXPECT_TRUE(moved.empty());
}

// Growing never moves an element (a chunk is added, nothing copied); keep_if keeps the order;
// chunks no element uses are kept for reuse until clear_unused().
TEST(ChunkedArray, GrowsWithoutMovingAndKeepsTheOrderWhenFiltered) {
  ChunkedArray<std::string, 4> a;
  a.push_back("first");
  const std::string* first = &a[0];
  for (int i = 1; i < 10; ++i) a.push_back(std::to_string(i));
  EXPECT_EQ(&a[0], first);
  EXPECT_EQ(a.size(), 10U);
  EXPECT_EQ(a.back(), "9");
  a.keep_if([](const std::string& s) { return s == "first" || (s.size() == 1 && s[0] % 2 == 1); });
  ASSERT_EQ(a.size(), 6U);
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < a.size(); ++i) kept.push_back(a[i]);
  EXPECT_EQ(kept, (std::vector<std::string>{"first", "1", "3", "5", "7", "9"}));
  a.pop_back();
  EXPECT_EQ(a.back(), "7");
  a.clear_unused();
  a.push_back("again");  // past the freed chunk: a new one
  EXPECT_EQ(a[5], "again");
  EXPECT_EQ(a[0], "first");
}

// A branch prefix is kept inline: up to 15 characters, a longer one is refused.
TEST(SeededRandom, BranchPrefixUpToFifteenCharacters) {
  SeededRandom r{3};
  r.set_branch_prefix("s2147483647x");  // the longest an account id makes
  EXPECT_TRUE(r.branch().starts_with("z9hG4bKs2147483647x"));
  EXPECT_EQ(r.branch().size(), 7u + 12u + 16u);
  EXPECT_THROW(r.set_branch_prefix("0123456789abcdef"), std::length_error);
  r.set_branch_prefix("");
  EXPECT_EQ(r.branch().size(), 7u + 16u);
}
