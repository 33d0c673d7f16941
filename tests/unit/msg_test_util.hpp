// Helpers for the msg tests: loading message files, CRLF literals.
#pragma once
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace sipline::msg::testing {

inline std::string load_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every regular file in a directory, sorted by name.
inline std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::filesystem::path rfc4475_dir() {
  return std::filesystem::path(SIPLINE_MSG_DATA_DIR) / "rfc4475";
}
inline std::filesystem::path examples_dir() {
  return SIPLINE_EXAMPLES_DIR;
}

// "a\nb\n" -> "a\r\nb\r\n": lets tests write messages readably.
inline std::string crlf(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 32);
  for (char c : s) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

}  // namespace sipline::msg::testing
