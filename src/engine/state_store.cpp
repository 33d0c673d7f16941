#include "state_store.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace sipline::engine {

std::string StateStore::path(int index) const {
  return dir_ + "/account-" + std::to_string(index) + ".contact";
}

std::vector<std::string> StateStore::load_contacts(int index) const {
  std::vector<std::string> out;
  std::ifstream in(path(index));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.size() < 1024) out.push_back(line);
  }
  return out;
}

void StateStore::save_contact(int index, const std::string& contact) {
  if (load_contacts(index) == std::vector<std::string>{contact}) return;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  const std::string final_path = path(index);
  const std::string tmp = final_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << contact << "\n";
    if (!out) {
      if (!warned_) spdlog::warn("state_dir {}: cannot write {}", dir_, tmp);
      warned_ = true;
      return;
    }
  }
  std::filesystem::rename(tmp, final_path, ec);
  if (ec && !warned_) {
    spdlog::warn("state_dir {}: cannot rename {}: {}", dir_, tmp, ec.message());
    warned_ = true;
  }
}

}  // namespace sipline::engine
