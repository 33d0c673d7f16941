// Loads the benchmark's messages from a directory of *.sip files.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "parsers.hpp"

namespace sipline::bench {

std::vector<TestMessage> load_messages(const std::string& dir, std::string* error) {
  namespace fs = std::filesystem;
  std::vector<TestMessage> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sip") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    out.push_back({entry.path().stem().string(), buf.str()});
  }
  if (ec) {
    *error = "cannot read " + dir + ": " + ec.message();
    return {};
  }
  if (out.empty()) *error = "no *.sip files in " + dir;
  std::sort(out.begin(), out.end(),
            [](const TestMessage& a, const TestMessage& b) { return a.name < b.name; });
  return out;
}

}  // namespace sipline::bench
