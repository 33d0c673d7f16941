// base::AdmissionControl (AIMD over the gate's capacity) as a table of answer sequences, and the
// Gate that follows it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/admission.hpp"
#include "base/gate.hpp"

namespace sipline::base {
namespace {

// One step: `count` answers of one kind, each admitted in the epoch `epoch` (-1: the current
// one), then the capacity expected.
struct Step {
  Answer answer;
  int count;
  int epoch;
  std::size_t want;
};

struct Row {
  std::string name;
  std::size_t start;
  AdmissionLimits limits;
  std::vector<Step> steps;
};

constexpr Answer kOk = Answer::kAnswered;
constexpr Answer k503 = Answer::kOverloaded;
constexpr Answer kLost = Answer::kLost;
constexpr Answer kLate = Answer::kDelayed;

TEST(AdmissionControl, Table) {
  const std::vector<Row> rows = {
      {"a window of answers adds one place",
       64,
       {},
       {{kOk, 63, -1, 64}, {kOk, 1, -1, 65}, {kOk, 64, -1, 65}, {kOk, 1, -1, 66}}},
      {"a timeout halves", 64, {}, {{kLost, 1, -1, 32}}},
      {"a 503 halves", 64, {}, {{k503, 1, -1, 32}}},
      {"an answer after a retransmission halves, once per wave",
       64,
       {},
       {{kLate, 1, 0, 32}, {kLate, 20, 0, 32}, {kOk, 32, -1, 33}, {kLate, 1, -1, 16}}},
      {"the rest of the halved wave does not halve again",
       64,
       {},
       {{kLost, 1, 0, 32}, {kLost, 40, 0, 32}, {k503, 10, 0, 32}, {kLost, 1, 1, 16}}},
      {"halving stops at the floor",
       64,
       {},
       {{kLost, 1, -1, 32}, {kLost, 1, -1, 16}, {kLost, 1, -1, 8}, {kLost, 1, -1, 8}}},
      {"growth stops at the ceiling", 4095, {}, {{kOk, 4095, -1, 4096}, {kOk, 5000, -1, 4096}}},
      {"a start below the floor is the floor", 4, {}, {{kLost, 1, -1, 4}, {kOk, 4, -1, 5}}},
      {"a start above the ceiling is the ceiling", 5000, {}, {{kOk, 5000, -1, 5000}}},
      {"a decrease starts a new window",
       10,
       {.floor = 2, .ceiling = 100},
       {{kOk, 9, -1, 10}, {kLost, 1, -1, 5}, {kOk, 4, -1, 5}, {kOk, 1, -1, 6}}},
      {"answers of an old wave still count as answers",
       10,
       {.floor = 2, .ceiling = 100},
       {{kLost, 1, -1, 5}, {kOk, 5, 0, 6}}},
  };
  for (const Row& row : rows) {
    AdmissionControl c(row.start, row.limits);
    int step = 0;
    for (const Step& s : row.steps) {
      ++step;
      for (int i = 0; i < s.count; ++i) {
        c.on_answer(s.answer, s.epoch < 0 ? c.epoch() : static_cast<std::uint64_t>(s.epoch));
      }
      EXPECT_EQ(c.capacity(), s.want) << row.name << ", step " << step;
    }
  }
}

TEST(AdmissionControl, AnAnswerIsDelayedOnlyAfterARetransmission) {
  EXPECT_EQ(answer_for_status(200), Answer::kAnswered);
  EXPECT_EQ(answer_for_status(401, false), Answer::kAnswered);
  EXPECT_EQ(answer_for_status(200, true), Answer::kDelayed);
  EXPECT_EQ(answer_for_status(503, true), Answer::kOverloaded);
  EXPECT_EQ(answer_for_status(0, true), Answer::kLost);
}

// "Grow while responses come back fast": an answer that took more than twice the fastest one
// plus the slack (a queue building at the registrar) holds the capacity where it is.
TEST(AdmissionControl, SlowAnswersDoNotGrowIt) {
  using std::chrono::milliseconds;
  AdmissionControl c(4, {.floor = 1, .ceiling = 100});
  for (int i = 0; i < 4; ++i) c.on_answer(kOk, c.epoch(), milliseconds(5));
  EXPECT_EQ(c.capacity(), 5u);  // fast: a window of 4 grew it
  for (int i = 0; i < 20; ++i) c.on_answer(kOk, c.epoch(), milliseconds(36));  // > 2*5 + 25
  EXPECT_EQ(c.capacity(), 5u);
  EXPECT_EQ(c.slow_answers(), 20u);
  for (int i = 0; i < 5; ++i) c.on_answer(kOk, c.epoch(), milliseconds(35));  // at the edge
  EXPECT_EQ(c.capacity(), 6u);
  c.on_answer(kOk, c.epoch(), milliseconds(1));  // a new fastest: the bar is 27 ms now
  for (int i = 0; i < 6; ++i) c.on_answer(kOk, c.epoch(), milliseconds(28));
  EXPECT_EQ(c.capacity(), 6u);
  for (int i = 0; i < 6; ++i) c.on_answer(kOk, c.epoch());  // no time known: counts as fast
  EXPECT_EQ(c.capacity(), 7u);
}

TEST(AdmissionControl, GateFollowsItAndLetsHoldersFinish) {
  VirtualTimers timers;
  Gate gate(timers, 64);
  gate.adapt(AdmissionControl(2, {.floor = 1, .ceiling = 8}));
  EXPECT_EQ(gate.capacity(), 2u);
  bool g = false;
  int granted = 0;
  auto t1 = gate.acquire([] {}, g);
  auto t2 = gate.acquire([] {}, g);
  auto t3 = gate.acquire([&] { ++granted; }, g);
  EXPECT_FALSE(g);
  gate.release(t1, Answer::kLost);
  timers.advance(Duration{0});
  EXPECT_EQ(gate.capacity(), 1u);
  EXPECT_EQ(granted, 0) << "t2 still holds the one place left";
  gate.release(t3, Answer::kLost);  // a waiter's answer is not counted
  EXPECT_EQ(gate.capacity(), 1u);
  auto t4 = gate.acquire([&] { ++granted; }, g);
  gate.release(t2, Answer::kAnswered);  // one window of 1 answered: 2 places
  timers.advance(Duration{0});
  EXPECT_EQ(gate.capacity(), 2u);
  EXPECT_EQ(granted, 1);
  gate.release(t4, Answer::kAnswered);
  EXPECT_EQ(gate.holding(), 0u);

  gate.adapt(std::nullopt);  // fixed from now on: answers change nothing
  gate.set_capacity(3);
  auto t5 = gate.acquire([] {}, g);
  gate.release(t5, Answer::kLost);
  EXPECT_EQ(gate.capacity(), 3u);
}

}  // namespace
}  // namespace sipline::base
