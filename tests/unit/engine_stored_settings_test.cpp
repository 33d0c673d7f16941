// Settings changed over HTTP, stored in state_dir/settings.json: applied over the config file by
// identity (not position), listed as warnings, skipped when they no longer fit, mode 0600.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <asio/io_context.hpp>

#include "sipline/engine.hpp"
#include "stored_settings.hpp"

namespace sipline::engine {
namespace {

class StoredSettings : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sipline-stored-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // A config with accounts of these users (in this order) on 127.0.0.1.
  std::string write_config(std::initializer_list<const char*> users) {
    std::ofstream out(dir_ / "sipline.toml");
    out << "[daemon]\nstate_dir = \"" << (dir_ / "state").string() << "\"\nhttp_listen = \"\"\n";
    int port = 15060;
    for (const char* u : users) {
      out << "\n[[account]]\nsip_server = \"127.0.0.1\"\nuser_id = \"" << u
          << "\"\npassword = \"pw\"\nlocal_sip_port = " << port++ << "\n";
    }
    return (dir_ / "sipline.toml").string();
  }
  std::string settings_file() const { return (dir_ / "state" / "settings.json").string(); }
  std::filesystem::path dir_;
};

TEST_F(StoredSettings, AppliedByIdentityWhateverThePositionAndListedAsWarnings) {
  const std::string path = write_config({"1001", "1002"});
  std::vector<std::string> ids;
  auto first = load_with_stored_settings(path, &ids);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(ids.size(), 2u);
  std::string error;
  ASSERT_TRUE(store_settings(
      settings_file(), ids[1],
      {{"register_expiration_min", std::int64_t{7}}, {"password", std::string("new-secret")}},
      error))
      << error;
  ASSERT_TRUE(store_settings(settings_file(), ids[1],
                             {{"register_expiration_min", std::int64_t{9}}},
                             error));  // changed again: the newest value stays

  write_config({"1000", "1002", "1001"});  // reordered, one inserted
  auto loaded = load_with_stored_settings(path);
  ASSERT_TRUE(loaded.ok());
  const auto& accounts = loaded->config.accounts;
  EXPECT_EQ(accounts[0].register_expiration_min.count(), 60);  // default, untouched
  EXPECT_EQ(accounts[1].user_id, "1002");
  EXPECT_EQ(accounts[1].register_expiration_min.count(), 9);
  EXPECT_EQ(accounts[1].password, "new-secret");
  EXPECT_EQ(accounts[2].register_expiration_min.count(), 60);
  std::string warnings;
  for (const auto& w : loaded->warnings)
    warnings += w.key + "=" + w.value + ": " + w.message + "\n";
  EXPECT_NE(warnings.find("account[2].register_expiration_min=9: changed over HTTP"),
            std::string::npos)
      << warnings;
  EXPECT_NE(warnings.find("account[2].password=(set)"), std::string::npos) << warnings;
  EXPECT_EQ(warnings.find("new-secret"), std::string::npos) << "the password leaked";

  struct stat st {};
  ASSERT_EQ(::stat(settings_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// Changes over HTTP are stored under the account's identity in the config file, also after a
// change that named the account anew (user_id): the next change is stored under the file's
// identity still, and both apply at the next start.
TEST_F(StoredSettings, ChangesAfterARenameAreStoredUnderTheFileIdentity) {
  const std::string path = write_config({"1001", "1002"});
  {
    asio::io_context io;
    std::string error;
    auto engine = Engine::create(io, path, error);
    ASSERT_NE(engine, nullptr) << error;
    // Each change restarts the account: the next one waits until the loop has done that (409
    // until then).
    auto change = [&](int index, SettingChanges changes) {
      std::vector<SettingProblem> problems;
      for (int i = 0; i < 100; ++i) {
        const int code = engine->change_settings(index, changes, problems);
        if (code != 409) return code;
        io.run_for(std::chrono::milliseconds(20));
      }
      return 409;
    };
    ASSERT_EQ(change(2, {{"user_id", std::string("2002")}}), 200);
    ASSERT_EQ(change(2, {{"register_expiration_min", std::int64_t{5}}}), 200);
    ASSERT_EQ(change(1, {{"register_expiration_min", std::int64_t{7}}}), 200);
  }
  auto loaded = load_with_stored_settings(path);
  ASSERT_TRUE(loaded.ok());
  const auto& accounts = loaded->config.accounts;
  EXPECT_EQ(accounts[0].user_id, "1001");
  EXPECT_EQ(accounts[0].register_expiration_min.count(), 7);
  EXPECT_EQ(accounts[1].user_id, "2002");
  EXPECT_EQ(accounts[1].register_expiration_min.count(), 5);
}

TEST_F(StoredSettings, AChangeThatNoLongerFitsIsSkippedWithAWarningAndKept) {
  const std::string path = write_config({"1001", "1002"});
  std::vector<std::string> ids;
  ASSERT_TRUE(load_with_stored_settings(path, &ids).ok());
  std::string error;
  // 1002 moves onto the port 1001 holds: a clash, so nothing of 1002's entry applies.
  ASSERT_TRUE(store_settings(
      settings_file(), ids[1],
      {{"register_expiration_min", std::int64_t{5}}, {"local_sip_port", std::int64_t{15060}}},
      error));
  auto loaded = load_with_stored_settings(path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->config.accounts[1].register_expiration_min.count(), 60);
  ASSERT_FALSE(loaded->warnings.empty());
  EXPECT_NE(loaded->warnings.back().message.find("no longer fits"), std::string::npos)
      << loaded->warnings.back().message;
  EXPECT_TRUE(std::filesystem::exists(settings_file()));
}

TEST_F(StoredSettings, AFileSiplineDidNotWriteIsIgnoredWithAWarning) {
  const std::string path = write_config({"1001"});
  std::filesystem::create_directories(dir_ / "state");
  std::ofstream(settings_file()) << "{not json";
  auto loaded = load_with_stored_settings(path);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->warnings.size(), 1u);
  EXPECT_NE(loaded->warnings[0].message.find("ignored"), std::string::npos);
}

}  // namespace
}  // namespace sipline::engine
