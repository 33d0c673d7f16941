// The call history in state_dir/calls.jsonl: ended calls read back with their figures after a
// "restart" (a new CallHistory on the same file), latest first; mode 0600; compacted to the last
// 1000; corrupt, mistyped and torn lines reported by line number and skipped, the file then
// rewritten clean; an unwritable place costs persistence, not the calls.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "call_history.hpp"

namespace sipline::engine {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

class CallHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("sipline-history-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path() const { return CallHistory::path_in((dir_ / "state").string()); }
  std::vector<std::string> file_lines() const {
    std::ifstream in(path());
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  void write_file(const std::string& text) const {
    fs::create_directories(fs::path(path()).parent_path());
    std::ofstream(path(), std::ios::binary) << text;
  }
  fs::path dir_;
};

// Whole milliseconds: what the file keeps.
Clock::time_point at_ms(std::int64_t ms) {
  return Clock::time_point(std::chrono::milliseconds(ms));
}

CallStatus ended_call(std::uint64_t id) {
  CallStatus c;
  c.id = id;
  c.account = static_cast<int>(id % 3) + 1;
  c.direction = id % 2 == 0 ? "in" : "out";
  c.remote = "sip:" + std::to_string(1000 + id) + "@127.0.0.1:5060";
  c.anonymous = id % 5 == 0;
  c.state = "ended";
  const std::int64_t start = 1'780'000'000'000 + static_cast<std::int64_t>(id) * 60'000;
  c.started_at = at_ms(start);
  c.answered_at = at_ms(start + 1'250);
  c.ended_at = at_ms(start + 6'500);
  c.duration_s = 5.25;
  c.outcome = CallOutcomeStatus{200, "OK", id % 2 == 0 ? "remote" : "local"};
  c.codec = "PCMU";
  c.rtp = {262 + id, 261, 1, 0.875};
  return c;
}

void expect_same(const CallStatus& a, const CallStatus& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.account, b.account);
  EXPECT_EQ(a.direction, b.direction);
  EXPECT_EQ(a.remote, b.remote);
  EXPECT_EQ(a.anonymous, b.anonymous);
  EXPECT_EQ(a.state, "ended");
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.answered_at, b.answered_at);
  EXPECT_EQ(a.ended_at, b.ended_at);
  EXPECT_DOUBLE_EQ(a.duration_s, b.duration_s);
  ASSERT_TRUE(a.outcome && b.outcome);
  EXPECT_EQ(a.outcome->status, b.outcome->status);
  EXPECT_EQ(a.outcome->reason, b.outcome->reason);
  EXPECT_EQ(a.outcome->ended_by, b.outcome->ended_by);
  EXPECT_EQ(a.codec, b.codec);
  EXPECT_EQ(a.rtp.sent, b.rtp.sent);
  EXPECT_EQ(a.rtp.received, b.rtp.received);
  EXPECT_EQ(a.rtp.lost, b.rtp.lost);
  EXPECT_DOUBLE_EQ(a.rtp.jitter_ms, b.rtp.jitter_ms);
}

TEST_F(CallHistoryTest, EndedCallsComeBackAfterARestartWithTheirFigures) {
  {
    CallHistory h(path());
    EXPECT_TRUE(h.calls().empty());
    EXPECT_EQ(h.max_id(), 0u);
    for (std::uint64_t id = 1; id <= 3; ++id) h.add(ended_call(id));
    ASSERT_EQ(h.calls().size(), 3u);
    EXPECT_EQ(h.calls().front().id, 3u);  // at once, before the disk
  }                                       // the destructor writes what is queued
  CallHistory again(path());
  EXPECT_TRUE(again.problems().empty());
  ASSERT_EQ(again.calls().size(), 3u);
  EXPECT_EQ(again.max_id(), 3u);
  for (std::size_t i = 0; i < 3; ++i) expect_same(again.calls()[i], ended_call(3 - i));
  ASSERT_TRUE(again.find(2));
  expect_same(*again.find(2), ended_call(2));
  EXPECT_FALSE(again.find(4));
  // An unanswered call (no answered_at, a 486) and an anonymous one keep their nulls.
  CallStatus busy = ended_call(4);
  busy.answered_at.reset();
  busy.duration_s = 0;
  busy.outcome = CallOutcomeStatus{486, "Busy Here", "remote"};
  busy.codec = "";
  busy.rtp = {};
  again.add(busy);
  again.flush();
  CallHistory third(path());
  ASSERT_EQ(third.calls().size(), 4u);
  expect_same(third.calls().front(), busy);
}

TEST_F(CallHistoryTest, TheFileIsOnlyTheOwnersAndOneLinePerCall) {
  CallHistory h(path());
  h.add(ended_call(1));
  h.add(ended_call(2));
  h.flush();
  struct stat st {};
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto lines = file_lines();
  ASSERT_EQ(lines.size(), 2u);  // oldest first
  EXPECT_EQ(lines[0], CallHistory::to_line(ended_call(1)));
  EXPECT_EQ(lines[1], CallHistory::to_line(ended_call(2)));
}

TEST_F(CallHistoryTest, AFileMadeWithWiderAccessIsNarrowedOnTheFirstWrite) {
  write_file(CallHistory::to_line(ended_call(1)) + "\n");
  ::chmod(path().c_str(), 0644);
  CallHistory h(path());
  h.add(ended_call(2));
  h.flush();
  struct stat st {};
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(CallHistoryTest, KeepsTheLast1000AndCompactsTheFile) {
  const std::uint64_t n = 2 * CallHistory::kKeep + 345;
  {
    CallHistory h(path());
    for (std::uint64_t id = 1; id <= n; ++id) {
      h.add(ended_call(id));
      if (id % 200 == 0) h.flush();  // many small writes, as calls end one by one
    }
    EXPECT_EQ(h.calls().size(), CallHistory::kKeep);
    EXPECT_EQ(h.calls().front().id, n);
    EXPECT_EQ(h.calls().back().id, n - CallHistory::kKeep + 1);
    h.flush();
    const auto lines = file_lines();
    EXPECT_GE(lines.size(), CallHistory::kKeep);
    EXPECT_LT(lines.size(), 2 * CallHistory::kKeep);
    EXPECT_EQ(lines.back(), CallHistory::to_line(ended_call(n)));
  }
  CallHistory again(path());
  EXPECT_TRUE(again.problems().empty());
  ASSERT_EQ(again.calls().size(), CallHistory::kKeep);
  EXPECT_EQ(again.calls().front().id, n);
  EXPECT_EQ(again.calls().back().id, n - CallHistory::kKeep + 1);
  EXPECT_EQ(again.max_id(), n);
}

TEST_F(CallHistoryTest, BadLinesAreReportedAndSkippedAndTheFileRewrittenClean) {
  std::string bad_outcome = CallHistory::to_line(ended_call(3));
  bad_outcome.replace(bad_outcome.find("\"local\""), 7, "\"nobody\"");
  std::string text = CallHistory::to_line(ended_call(1)) + "\n";  // 1 good
  text += "{not json at all\n";                                   // 2
  text += "[1,2,3]\n";                                            // 3
  text += "{\"id\":\"7\",\"account\":1}\n";                       // 4 id of the wrong type
  text += CallHistory::to_line(ended_call(2)) + "\n";             // 5 good
  text += bad_outcome + "\n";                                     // 6
  text += "\n";                                                   // 7 empty
  text += std::string("{\"id\":9,\xff\xfe}\n");                   // 8 not UTF-8
  text += CallHistory::to_line(ended_call(4)) + "\n";             // 9 good
  text += CallHistory::to_line(ended_call(5)).substr(0, 40);      // 10 torn by a crash
  write_file(text);
  {
    CallHistory h(path());
    std::ostringstream all;
    for (const auto& p : h.problems()) all << p << "\n";
    ASSERT_EQ(h.problems().size(), 7u) << all.str();
    EXPECT_NE(h.problems()[0].find("line 2:"), std::string::npos) << all.str();
    EXPECT_NE(h.problems()[1].find("line 3:"), std::string::npos) << all.str();
    EXPECT_NE(h.problems()[2].find("line 4: \"id\""), std::string::npos) << all.str();
    EXPECT_NE(h.problems()[3].find("line 6: outcome"), std::string::npos) << all.str();
    EXPECT_NE(h.problems()[4].find("line 7:"), std::string::npos) << all.str();
    EXPECT_NE(h.problems()[5].find("line 8:"), std::string::npos) << all.str();
    EXPECT_NE(h.problems()[6].find("line 10: cut short"), std::string::npos) << all.str();
    ASSERT_EQ(h.calls().size(), 3u);
    EXPECT_EQ(h.calls()[0].id, 4u);
    EXPECT_EQ(h.calls()[1].id, 2u);
    EXPECT_EQ(h.calls()[2].id, 1u);
    // Appended after the torn line: on a line of its own, because the file was rewritten.
    h.add(ended_call(6));
  }
  const auto lines = file_lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[3], CallHistory::to_line(ended_call(6)));
  CallHistory clean(path());
  EXPECT_TRUE(clean.problems().empty());
  ASSERT_EQ(clean.calls().size(), 4u);
  EXPECT_EQ(clean.calls().front().id, 6u);
}

TEST_F(CallHistoryTest, ManyBadLinesAreNamedUpToALimitThenCounted) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "garbage " + std::to_string(i) + "\n";
  text += CallHistory::to_line(ended_call(1)) + "\n";
  write_file(text);
  CallHistory h(path());
  ASSERT_EQ(h.calls().size(), 1u);
  ASSERT_LE(h.problems().size(), 21u);
  EXPECT_EQ(h.problems().back(), "500 line(s) skipped in all");
}

TEST_F(CallHistoryTest, NotAFileOfCallsIsSkippedWhole) {
  fs::create_directories(path());  // a directory where the file should be
  CallHistory h(path());
  EXPECT_EQ(h.problems().size(), 1u);
  EXPECT_TRUE(h.calls().empty());
  h.add(ended_call(1));  // cannot be written: kept in memory, no crash
  h.flush();
  EXPECT_EQ(h.calls().size(), 1u);
}

TEST_F(CallHistoryTest, AnUnwritablePlaceKeepsTheCallsInMemory) {
  const std::string under_a_file = (dir_ / "file").string();
  std::ofstream(under_a_file) << "x";
  CallHistory h(CallHistory::path_in(under_a_file));
  for (std::uint64_t id = 1; id <= 3; ++id) h.add(ended_call(id));
  h.flush();
  ASSERT_EQ(h.calls().size(), 3u);
  EXPECT_EQ(h.calls().front().id, 3u);
}

TEST_F(CallHistoryTest, RemoteBytesThatAreNotUtf8DoNotStopTheWriter) {
  CallStatus c = ended_call(1);
  c.remote = std::string("sip:\xff\xfe@127.0.0.1");
  {
    CallHistory h(path());
    h.add(c);
    h.add(ended_call(2));
  }
  CallHistory again(path());
  EXPECT_TRUE(again.problems().empty());
  ASSERT_EQ(again.calls().size(), 2u);
  EXPECT_EQ(again.calls()[1].remote.substr(0, 4), "sip:");
}

}  // namespace
}  // namespace sipline::engine
