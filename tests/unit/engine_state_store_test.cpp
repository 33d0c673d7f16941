// StateStore: contacts are batched into one flush, flushed on destruction, and read back (also
// from the one-file-per-account layout of older versions).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/timers.hpp"
#include "state_store.hpp"

namespace sipline::engine {
namespace {

namespace fs = std::filesystem;
using base::VirtualTimers;

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = (fs::temp_directory_path() /
            ("sipline-state-" + std::to_string(::getpid()) + "-" + info->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string dir_;
  VirtualTimers timers_;
};

std::string contact(int i) {
  return "<sip:alice" + std::to_string(i) + "@127.0.0.1:5060>;+sip.instance=\"<urn:uuid:1>\"";
}

TEST_F(StateStoreTest, ManySavesAreOneDelayedWrite) {
  StateStore store(dir_, timers_);
  for (int i = 1; i <= 1000; ++i) store.save_contact(i, contact(i));
  for (int i = 1; i <= 1000; ++i) store.save_contact(i, contact(i) + ";x");
  EXPECT_EQ(store.writes(), 0u);
  EXPECT_EQ(timers_.pending(), 1u);
  EXPECT_EQ(store.load_contacts(7), std::vector<std::string>{contact(7) + ";x"});
  timers_.advance(StateStore::kFlushDelay - base::Duration{1});
  EXPECT_EQ(store.writes(), 0u);
  timers_.advance(base::Duration{1});
  EXPECT_EQ(store.writes(), 1u);
  EXPECT_EQ(timers_.pending(), 0u);
  StateStore again(dir_, timers_);
  for (int i = 1; i <= 1000; ++i) {
    EXPECT_EQ(again.load_contacts(i), std::vector<std::string>{contact(i) + ";x"}) << i;
  }
}

TEST_F(StateStoreTest, UnchangedContactWritesNothing) {
  {
    StateStore store(dir_, timers_);
    store.save_contact(1, contact(1));
    timers_.advance(StateStore::kFlushDelay);
    store.save_contact(1, contact(1));
    EXPECT_EQ(timers_.pending(), 0u);
    EXPECT_EQ(store.writes(), 1u);
  }
  StateStore restarted(dir_, timers_);
  restarted.save_contact(1, contact(1));
  restarted.flush();
  EXPECT_EQ(restarted.writes(), 0u);
}

TEST_F(StateStoreTest, DestructorFlushesPendingChanges) {
  {
    StateStore store(dir_, timers_);
    store.save_contact(3, contact(3));
    store.save_contact(4, contact(4));
    EXPECT_EQ(store.writes(), 0u);
  }
  EXPECT_EQ(timers_.pending(), 0u);  // the destroyed store's flush timer is gone
  StateStore again(dir_, timers_);
  EXPECT_EQ(again.load_contacts(3), std::vector<std::string>{contact(3)});
  EXPECT_EQ(again.load_contacts(4), std::vector<std::string>{contact(4)});
  EXPECT_TRUE(again.load_contacts(5).empty());
}

TEST_F(StateStoreTest, FlushWritesAtOnceAndLaterChangesFlushAgain) {
  StateStore store(dir_, timers_);
  store.save_contact(1, contact(1));
  store.flush();
  EXPECT_EQ(store.writes(), 1u);
  EXPECT_EQ(timers_.pending(), 0u);
  store.flush();
  EXPECT_EQ(store.writes(), 1u);
  store.save_contact(2, contact(2));
  timers_.advance(StateStore::kFlushDelay);
  EXPECT_EQ(store.writes(), 2u);
  StateStore again(dir_, timers_);
  EXPECT_EQ(again.load_contacts(1), std::vector<std::string>{contact(1)});
  EXPECT_EQ(again.load_contacts(2), std::vector<std::string>{contact(2)});
}

TEST_F(StateStoreTest, ReadsOldPerAccountFiles) {
  fs::create_directories(dir_);
  std::ofstream(dir_ + "/account-2.contact") << contact(2) << "\n";
  std::ofstream(dir_ + "/account-5.contact") << contact(5) << "\n";
  StateStore store(dir_, timers_);
  EXPECT_EQ(store.load_contacts(2), std::vector<std::string>{contact(2)});
  store.save_contact(2, contact(2));  // what the old file says: nothing to write
  EXPECT_EQ(timers_.pending(), 0u);
  store.save_contact(5, contact(50));
  store.flush();
  EXPECT_EQ(store.writes(), 1u);
  StateStore again(dir_, timers_);
  EXPECT_EQ(again.load_contacts(2), std::vector<std::string>{contact(2)});
  EXPECT_EQ(again.load_contacts(5), std::vector<std::string>{contact(50)});
}

TEST_F(StateStoreTest, IgnoresMalformedLines) {
  fs::create_directories(dir_);
  std::ofstream(dir_ + "/contacts") << "garbage\nx1 <sip:a@b>\n7 " << contact(7) << "\n8 \n";
  StateStore store(dir_, timers_);
  EXPECT_EQ(store.load_contacts(7), std::vector<std::string>{contact(7)});
  EXPECT_TRUE(store.load_contacts(8).empty());
}

TEST_F(StateStoreTest, UnwritableDirectoryIsNotFatal) {
  fs::create_directories(dir_);
  std::ofstream(dir_ + "/blocker") << "x";
  StateStore store(dir_ + "/blocker/sub", timers_);
  store.save_contact(1, contact(1));
  store.flush();
  EXPECT_EQ(store.writes(), 0u);
  EXPECT_EQ(store.load_contacts(1), std::vector<std::string>{contact(1)});
}

}  // namespace
}  // namespace sipline::engine
