// StateStore: contacts are keyed by identity (AOR and auth user), batched into one flush, flushed
// on destruction and read back; the index-keyed entries of older versions are ignored.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

ContactOwner owner(int i) {
  return {"alice" + std::to_string(i) + "@example.com", "auth" + std::to_string(i)};
}

std::string contact(int i) {
  return "<sip:alice" + std::to_string(i) + "@127.0.0.1:5060>;+sip.instance=\"<urn:uuid:1>\"";
}

TEST_F(StateStoreTest, ManySavesAreOneDelayedWrite) {
  StateStore store(dir_, timers_);
  for (int i = 1; i <= 1000; ++i) store.save_contact(owner(i), contact(i));
  for (int i = 1; i <= 1000; ++i) store.save_contact(owner(i), contact(i) + ";x");
  EXPECT_EQ(store.writes(), 0u);
  EXPECT_EQ(timers_.pending(), 1u);
  EXPECT_EQ(store.load_contacts(owner(7)), std::vector<std::string>{contact(7) + ";x"});
  timers_.advance(StateStore::kFlushDelay - base::Duration{1});
  EXPECT_EQ(store.writes(), 0u);
  timers_.advance(base::Duration{1});
  EXPECT_EQ(store.writes(), 1u);
  EXPECT_EQ(timers_.pending(), 0u);
  StateStore again(dir_, timers_);
  for (int i = 1; i <= 1000; ++i) {
    EXPECT_EQ(again.load_contacts(owner(i)), std::vector<std::string>{contact(i) + ";x"}) << i;
  }
}

TEST_F(StateStoreTest, UnchangedContactWritesNothing) {
  {
    StateStore store(dir_, timers_);
    store.save_contact(owner(1), contact(1));
    timers_.advance(StateStore::kFlushDelay);
    store.save_contact(owner(1), contact(1));
    EXPECT_EQ(timers_.pending(), 0u);
    EXPECT_EQ(store.writes(), 1u);
  }
  StateStore restarted(dir_, timers_);
  restarted.save_contact(owner(1), contact(1));
  restarted.flush();
  EXPECT_EQ(restarted.writes(), 0u);
}

TEST_F(StateStoreTest, DestructorFlushesPendingChanges) {
  {
    StateStore store(dir_, timers_);
    store.save_contact(owner(3), contact(3));
    store.save_contact(owner(4), contact(4));
    EXPECT_EQ(store.writes(), 0u);
  }
  EXPECT_EQ(timers_.pending(), 0u);  // the destroyed store's flush timer is gone
  StateStore again(dir_, timers_);
  EXPECT_EQ(again.load_contacts(owner(3)), std::vector<std::string>{contact(3)});
  EXPECT_EQ(again.load_contacts(owner(4)), std::vector<std::string>{contact(4)});
  EXPECT_TRUE(again.load_contacts(owner(5)).empty());
}

TEST_F(StateStoreTest, FlushWritesAtOnceAndLaterChangesFlushAgain) {
  StateStore store(dir_, timers_);
  store.save_contact(owner(1), contact(1));
  store.flush();
  EXPECT_EQ(store.writes(), 1u);
  EXPECT_EQ(timers_.pending(), 0u);
  store.flush();
  EXPECT_EQ(store.writes(), 1u);
  store.save_contact(owner(2), contact(2));
  timers_.advance(StateStore::kFlushDelay);
  EXPECT_EQ(store.writes(), 2u);
  StateStore again(dir_, timers_);
  EXPECT_EQ(again.load_contacts(owner(1)), std::vector<std::string>{contact(1)});
  EXPECT_EQ(again.load_contacts(owner(2)), std::vector<std::string>{contact(2)});
}

// Issue 12 defect 2: accounts swapped in the configuration each find their own contact.
TEST_F(StateStoreTest, InstanceIsMadeOncePerIdentityAndKeptAcrossRestarts) {
  std::string first;
  {
    StateStore store(dir_, timers_);
    first = store.instance(owner(1));
    // RFC 4122 version 4: 8-4-4-4-12 lower-case hex, version nibble 4, variant 10xx.
    ASSERT_EQ(first.size(), 36u);
    for (std::size_t i : {8u, 13u, 18u, 23u}) EXPECT_EQ(first[i], '-') << first;
    EXPECT_EQ(first[14], '4') << first;
    EXPECT_NE(std::string("89ab").find(first[19]), std::string::npos) << first;
    EXPECT_EQ(first.find_first_not_of("0123456789abcdef-"), std::string::npos) << first;
    EXPECT_EQ(store.instance(owner(1)), first);
    EXPECT_NE(store.instance(owner(2)), first);
    store.save_contact(owner(1), contact(1));
    timers_.advance(StateStore::kFlushDelay);
    EXPECT_EQ(timers_.pending(), 0u);
  }
  StateStore restarted(dir_, timers_);
  EXPECT_EQ(restarted.instance(owner(1)), first);
  EXPECT_EQ(restarted.load_contacts(owner(1)), std::vector<std::string>{contact(1)});
  restarted.flush();
  EXPECT_EQ(restarted.writes(), 0u);  // nothing new to write
}

TEST_F(StateStoreTest, ContactsFollowIdentityNotPosition) {
  {
    StateStore store(dir_, timers_);
    store.save_contact(owner(1), contact(1));
    store.save_contact(owner(2), contact(2));
  }
  StateStore again(dir_, timers_);
  EXPECT_EQ(again.load_contacts(owner(2)), std::vector<std::string>{contact(2)});
  EXPECT_EQ(again.load_contacts(owner(1)), std::vector<std::string>{contact(1)});
  // Same AOR, another auth user (or the reverse): another identity.
  EXPECT_TRUE(again.load_contacts({owner(1).aor, owner(2).auth_user}).empty());
  EXPECT_TRUE(again.load_contacts({owner(2).aor, owner(1).auth_user}).empty());
}

// An identity with no account in this run keeps its entry: it is written back with the others.
TEST_F(StateStoreTest, AbsentIdentitiesAreKept) {
  {
    StateStore store(dir_, timers_);
    store.save_contact(owner(1), contact(1));
    store.save_contact(owner(2), contact(2));
  }
  {
    StateStore store(dir_, timers_);
    store.save_contact(owner(2), contact(20));
  }
  StateStore again(dir_, timers_);
  EXPECT_EQ(again.load_contacts(owner(1)), std::vector<std::string>{contact(1)});
  EXPECT_EQ(again.load_contacts(owner(2)), std::vector<std::string>{contact(20)});
}

TEST_F(StateStoreTest, IgnoresIndexKeyedEntriesOfOlderVersions) {
  fs::create_directories(dir_);
  std::ofstream(dir_ + "/account-2.contact") << contact(2) << "\n";
  std::ofstream(dir_ + "/account-5.contact") << contact(5) << "\n";
  std::ofstream(dir_ + "/contacts") << "1 " << contact(1) << "\n3 " << contact(3) << "\n";
  StateStore store(dir_, timers_);
  EXPECT_EQ(store.ignored_legacy(), 4u);
  for (int i = 1; i <= 5; ++i) EXPECT_TRUE(store.load_contacts(owner(i)).empty()) << i;
  store.save_contact(owner(1), contact(10));
  store.flush();
  EXPECT_EQ(store.writes(), 1u);
  StateStore again(dir_, timers_);
  EXPECT_EQ(again.ignored_legacy(), 0u);  // the write dropped the old lines and files
  EXPECT_FALSE(fs::exists(dir_ + "/account-2.contact"));
  EXPECT_EQ(again.load_contacts(owner(1)), std::vector<std::string>{contact(10)});
}

TEST_F(StateStoreTest, IgnoresMalformedLines) {
  fs::create_directories(dir_);
  std::ofstream(dir_ + "/contacts")
      << "garbage\nx1 <sip:a@b>\n\tauth\t<sip:a@b>\n"
      << "b@c\t\t<sip:a@b>\nb@c\tauth\t\n"
      << owner(7).aor << '\t' << owner(7).auth_user << '\t' << contact(7) << "\n";
  StateStore store(dir_, timers_);
  EXPECT_EQ(store.load_contacts(owner(7)), std::vector<std::string>{contact(7)});
  EXPECT_TRUE(store.load_contacts({"b@c", "auth"}).empty());
  EXPECT_TRUE(store.load_contacts({"b@c", ""}).empty());
  EXPECT_EQ(store.ignored_legacy(), 0u);
  store.save_contact({"a\tb", "auth"}, contact(1));  // cannot be written on one line
  store.save_contact(owner(3), "<sip:x>\r\nVia: y");
  EXPECT_EQ(timers_.pending(), 0u);
}

// A rewrite renames a new file over the old one; an append keeps the file.
ino_t inode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

std::size_t file_lines(const std::string& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

// After the run's first write, a flush appends only what changed: a burst that saves one contact
// at a time, flushing in between, writes each line once, not the whole table each time.
TEST_F(StateStoreTest, AFlushAppendsOnlyTheChangedLines) {
  StateStore store(dir_, timers_);
  for (int i = 1; i <= 100; ++i) store.save_contact(owner(i), contact(i));
  store.flush();
  EXPECT_EQ(file_lines(dir_ + "/contacts"), 100u);
  const ino_t rewritten = inode(dir_ + "/contacts");
  for (int i = 101; i <= 150; ++i) {
    store.save_contact(owner(i), contact(i));
    store.flush();
  }
  EXPECT_EQ(store.writes(), 51u);
  EXPECT_EQ(inode(dir_ + "/contacts"), rewritten);  // appended to, never replaced
  EXPECT_EQ(file_lines(dir_ + "/contacts"), 150u);
  EXPECT_EQ(store.contact_lines(), 150u);
  // Changed twice before a flush: one line.
  store.save_contact(owner(3), contact(30));
  store.save_contact(owner(3), contact(31));
  store.flush();
  EXPECT_EQ(file_lines(dir_ + "/contacts"), 151u);
  StateStore again(dir_, timers_);
  EXPECT_EQ(again.load_contacts(owner(3)), std::vector<std::string>{contact(31)});  // later wins
  for (int i = 4; i <= 150; ++i) {
    EXPECT_EQ(again.load_contacts(owner(i)), std::vector<std::string>{contact(i)}) << i;
  }
}

// Appended lines past twice the table (and a small slack) make the next write a rewrite: the
// file stays within a bound of its table however often contacts change.
TEST_F(StateStoreTest, AFileOfManyChangesIsRewrittenWhole) {
  StateStore store(dir_, timers_);
  for (int i = 1; i <= 10; ++i) store.save_contact(owner(i), contact(i));
  store.flush();
  std::size_t most = 0;
  for (int round = 0; round < 200; ++round) {
    store.save_contact(owner(1 + round % 10), contact(round + 1000));
    store.flush();
    most = std::max(most, file_lines(dir_ + "/contacts"));
  }
  EXPECT_LE(most, 2u * 10u + 64u + 1u);
  EXPECT_GT(most, 10u);  // appended in between
  EXPECT_EQ(file_lines(dir_ + "/contacts"), store.contact_lines());
  StateStore again(dir_, timers_);
  for (int i = 1; i <= 10; ++i) {
    const int last = 199 - ((199 - (i - 1)) % 10);  // the last round that changed owner(i)
    const std::vector<std::string> want{contact(last + 1000)};
    EXPECT_EQ(again.load_contacts(owner(i)), want) << i;
    // Values are read back from the file: the store that rewrote it reads the new one.
    EXPECT_EQ(store.load_contacts(owner(i)), want) << i;
  }
}

// The store keeps where each line is, not the line: a value comes from the file (or from the
// lines not written yet). A file cut short under it loses the entries it no longer holds and
// nothing else; a save of an unchanged contact still writes nothing.
TEST_F(StateStoreTest, ValuesAreReadBackFromTheFile) {
  {
    StateStore store(dir_, timers_);
    store.save_contact(owner(1), contact(1));
    store.save_contact(owner(2), contact(2));
  }
  StateStore store(dir_, timers_);
  EXPECT_EQ(store.load_contacts(owner(2)), std::vector<std::string>{contact(2)});
  store.save_contact(owner(3), contact(3));  // pending: read from memory until written
  EXPECT_EQ(store.load_contacts(owner(3)), std::vector<std::string>{contact(3)});
  store.save_contact(owner(1), contact(1));
  store.flush();
  EXPECT_EQ(file_lines(dir_ + "/contacts"), 3u);
  std::string first_line;
  std::getline(std::ifstream(dir_ + "/contacts"), first_line);
  fs::resize_file(dir_ + "/contacts", first_line.size() + 1);  // only the first line is left
  for (int i = 1; i <= 3; ++i) {
    const bool kept = first_line.starts_with(owner(i).aor + "\t");
    EXPECT_EQ(store.load_contacts(owner(i)),
              kept ? std::vector<std::string>{contact(i)} : std::vector<std::string>{})
        << i;
  }
}

// The first file of a state_dir is written whole (temp file, fsync, rename), owner-only.
TEST_F(StateStoreTest, TheFirstFileIsWrittenWholeForTheOwnerOnly) {
  StateStore store(dir_, timers_);
  store.save_contact(owner(1), contact(1));
  store.flush();
  struct stat st {};
  ASSERT_EQ(::stat((dir_ + "/contacts").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// A crash while appending can leave a line without its newline: it is not read (it may be cut
// inside the contact), and the next run's first write leaves it out of the file.
TEST_F(StateStoreTest, ALineCutShortByACrashIsIgnoredAndDropped) {
  {
    StateStore store(dir_, timers_);
    store.save_contact(owner(1), contact(1));
    store.save_contact(owner(2), contact(2));
  }
  {
    std::ofstream(dir_ + "/contacts", std::ios::app)
        << owner(2).aor << '\t' << owner(2).auth_user << "\t<sip:alice2@127.0.0.1:50";
  }
  StateStore store(dir_, timers_);
  EXPECT_EQ(store.load_contacts(owner(2)), std::vector<std::string>{contact(2)});
  store.save_contact(owner(3), contact(3));
  store.flush();
  EXPECT_EQ(file_lines(dir_ + "/contacts"), 3u);  // rewritten: the cut line is gone
  StateStore again(dir_, timers_);
  EXPECT_EQ(again.load_contacts(owner(1)), std::vector<std::string>{contact(1)});
  EXPECT_EQ(again.load_contacts(owner(2)), std::vector<std::string>{contact(2)});
  EXPECT_EQ(again.load_contacts(owner(3)), std::vector<std::string>{contact(3)});
}

TEST_F(StateStoreTest, UnwritableDirectoryIsNotFatal) {
  fs::create_directories(dir_);
  std::ofstream(dir_ + "/blocker") << "x";
  StateStore store(dir_ + "/blocker/sub", timers_);
  store.save_contact(owner(1), contact(1));
  store.flush();
  EXPECT_EQ(store.writes(), 0u);
  EXPECT_EQ(store.load_contacts(owner(1)), std::vector<std::string>{contact(1)});
}

}  // namespace
}  // namespace sipline::engine
