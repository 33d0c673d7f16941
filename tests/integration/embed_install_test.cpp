// The embedding story end to end: install the dev component to a temporary prefix, build
// examples/embed against it out of tree (find_package, then pkg-config with no extra flags),
// and run the program to register an account at a real Kamailio.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/kamailio.hpp"
#include "support/net.hpp"
#include "support/process.hpp"

namespace sipline::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

class EmbedInstall : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sipline-embed-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "state");
    RunResult r = run_command({CMAKE_COMMAND_PATH, "--install", SIPLINE_BUILD_DIR, "--prefix",
                               (dir_ / "prefix").string(), "--component", "dev"},
                              seconds(60));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // Runs the program against a fresh Kamailio; returns its output after checking exit 0.
  void expect_registers(const fs::path& program) {
    Kamailio kam;
    kam.start();
    const std::uint16_t port = free_port();
    RunResult r =
        run_command({program.string(), "127.0.0.1:" + std::to_string(kam.udp_port()), "1000",
                     Kamailio::password("1000"), std::to_string(port), (dir_ / "state").string()},
                    seconds(30));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("account_state account 1 sip:1000@127.0.0.1: disabled -> registering"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("registration account 1 sip:1000@127.0.0.1: ok 200, expires 3600 s"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("registering -> registered"), std::string::npos) << r.output;
  }

  fs::path dir_;
};

TEST_F(EmbedInstall, FindPackageBuildsTheExampleOutOfTreeAndItRegisters) {
  const fs::path build = dir_ / "build";
  RunResult conf = run_command({CMAKE_COMMAND_PATH, "-S", SIPLINE_SOURCE_DIR "/examples/embed",
                                "-B", build.string(), "-DCMAKE_CXX_COMPILER=" CXX_COMPILER_PATH,
                                "-DCMAKE_PREFIX_PATH=" + (dir_ / "prefix").string()},
                               seconds(120));
  ASSERT_EQ(conf.exit_code, 0) << conf.output;
  RunResult make = run_command({CMAKE_COMMAND_PATH, "--build", build.string()}, seconds(300));
  ASSERT_EQ(make.exit_code, 0) << make.output;
  expect_registers(build / "register_once");
}

TEST_F(EmbedInstall, PkgConfigAloneIsEnoughToLink) {
  const fs::path pc_dir = dir_ / "prefix" / "lib" / "pkgconfig";
  const fs::path program = dir_ / "register_once_pc";
  // PKG_CONFIG_PATH points at the prefix; nothing else is added by hand.
  const std::string cmd = "export PKG_CONFIG_PATH=" + pc_dir.string() +
                          "; " CXX_COMPILER_PATH " -o " + program.string() +
                          " " SIPLINE_SOURCE_DIR "/examples/embed/main.cpp" +
                          " $(pkg-config --cflags --libs sipline)";
  RunResult make = run_command({"/bin/sh", "-c", cmd}, seconds(300));
  ASSERT_EQ(make.exit_code, 0) << cmd << "\n" << make.output;
  expect_registers(program);
}

}  // namespace
}  // namespace sipline::test
