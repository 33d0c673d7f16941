// A file in the test temp directory that no other test process can share: ctest runs each test
// as its own process, in parallel, so a fixed name let one test truncate another's file.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace sipline_test {

inline std::string unique_temp_file(const std::string& name, const std::string& bytes) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string path = ::testing::TempDir() + "sipline_" + std::to_string(::getpid()) + "_" +
                     (info != nullptr ? info->name() : "none") + "_" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace sipline_test
