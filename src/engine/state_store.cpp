#include "state_store.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <filesystem>
#include <fstream>

namespace sipline::engine {
namespace {

constexpr std::size_t kMaxLine = 1024;

// One line of a state file; false for lines that cannot have come from us.
bool usable(const std::string& contact) {
  return !contact.empty() && contact.size() < kMaxLine &&
         contact.find_first_of("\r\n") == std::string::npos;
}

}  // namespace

StateStore::StateStore(std::string dir, base::TimerService& timers)
    : dir_(std::move(dir)), timer_(timers) {
  read_contacts();
}

std::string StateStore::contacts_path() const {
  return dir_ + "/contacts";
}

std::string StateStore::legacy_path(int index) const {
  return dir_ + "/account-" + std::to_string(index) + ".contact";
}

void StateStore::read_contacts() {
  std::ifstream in(contacts_path());
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    int index = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + space, index);
    std::string contact = line.substr(space + 1);
    if (ec != std::errc{} || end != line.data() + space || !usable(contact)) continue;
    contacts_[index] = std::move(contact);
  }
}

std::vector<std::string> StateStore::load_contacts(int index) const {
  if (const auto it = contacts_.find(index); it != contacts_.end()) return {it->second};
  std::vector<std::string> out;
  std::ifstream in(legacy_path(index));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.size() < kMaxLine) out.push_back(line);
  }
  return out;
}

void StateStore::save_contact(int index, const std::string& contact) {
  if (!usable(contact)) return;
  const auto it = contacts_.find(index);
  if (it != contacts_.end() && it->second == contact) return;
  // The first save of an account that only has an old-style file: unchanged needs no write.
  if (it == contacts_.end() && load_contacts(index) == std::vector<std::string>{contact}) {
    contacts_[index] = contact;
    return;
  }
  contacts_[index] = contact;
  dirty_ = true;
  if (!timer_.armed()) timer_.arm_in(kFlushDelay, [this] { flush(); });
}

void StateStore::flush() {
  timer_.cancel();
  if (!dirty_) return;
  dirty_ = false;
  write_contacts();
}

bool StateStore::write_contacts() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  const std::string final_path = contacts_path();
  const std::string tmp = final_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& [index, contact] : contacts_) out << index << ' ' << contact << '\n';
    out.flush();
    if (!out) {
      warn_once("cannot write " + tmp);
      return false;
    }
  }
  ++writes_;
  std::filesystem::rename(tmp, final_path, ec);
  if (ec) {
    warn_once("cannot rename " + tmp + ": " + ec.message());
    return false;
  }
  return true;
}

void StateStore::warn_once(const std::string& what) {
  if (!warned_) spdlog::warn("state_dir {}: {}", dir_, what);
  warned_ = true;
}

}  // namespace sipline::engine
