#include "state_store.hpp"

#include <spdlog/spdlog.h>

#include "base/random.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>

namespace sipline::engine {
namespace {

constexpr std::size_t kMaxLine = 1024;
constexpr const char* kContacts = "contacts";
constexpr const char* kInstances = "instances";

// One field of a state file line; false for what cannot have come from us.
bool usable(const std::string& field) {
  return !field.empty() && field.size() < kMaxLine &&
         field.find_first_of("\t\r\n") == std::string::npos;
}

bool usable(const ContactOwner& owner) {
  return usable(owner.aor) && usable(owner.auth_user);
}

// "<index> <contact>": the line format of older versions, keyed by the account's position.
bool legacy_line(const std::string& line) {
  const std::size_t space = line.find(' ');
  if (space == std::string::npos || space == 0) return false;
  int index = 0;
  const auto [end, ec] = std::from_chars(line.data(), line.data() + space, index);
  return ec == std::errc{} && end == line.data() + space && usable(line.substr(space + 1));
}

}  // namespace

StateStore::StateStore(std::string dir, base::TimerService& timers)
    : dir_(std::move(dir)), timer_(timers) {
  read_table(kContacts, contacts_, true);
  read_table(kInstances, instances_, false);
  count_legacy_files();
  if (ignored_legacy_ > 0) {
    spdlog::info(
        "state_dir {}: {} contact(s) saved by an older version are keyed by account position, "
        "not identity: ignored (those bindings end at their expiry)",
        dir_, ignored_legacy_);
  }
}

std::string StateStore::path(const char* file) const {
  return dir_ + "/" + file;
}

void StateStore::read_table(const char* file, Table& table, bool count_legacy) {
  std::ifstream in(path(file));
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t t1 = line.find('\t');
    const std::size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string::npos) {
      if (count_legacy && legacy_line(line)) ++ignored_legacy_;
      continue;
    }
    ContactOwner owner{line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1)};
    std::string value = line.substr(t2 + 1);
    if (!usable(owner) || !usable(value)) continue;
    table[std::move(owner)] = std::move(value);
  }
}

void StateStore::count_legacy_files() {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with("account-") && name.ends_with(".contact")) {
      legacy_files_.push_back(it->path().string());
      ++ignored_legacy_;
    }
  }
}

std::vector<std::string> StateStore::load_contacts(const ContactOwner& owner) const {
  if (const auto it = contacts_.find(owner); it != contacts_.end()) return {it->second};
  return {};
}

void StateStore::save_contact(const ContactOwner& owner, const std::string& contact) {
  if (!usable(owner) || !usable(contact)) return;
  const auto it = contacts_.find(owner);
  if (it != contacts_.end() && it->second == contact) return;
  contacts_[owner] = contact;
  dirty_ = true;
  schedule_flush();
}

std::string StateStore::instance(const ContactOwner& owner) {
  if (!usable(owner)) return {};
  if (const auto it = instances_.find(owner); it != instances_.end()) return it->second;
  std::string made = base::uuid_v4();
  instances_[owner] = made;
  instances_dirty_ = true;
  schedule_flush();
  return made;
}

void StateStore::schedule_flush() {
  if (!timer_.armed()) timer_.arm_in(kFlushDelay, [this] { flush(); });
}

void StateStore::flush() {
  timer_.cancel();
  if (instances_dirty_) {
    instances_dirty_ = false;
    write_table(kInstances, instances_);
  }
  if (!dirty_) return;
  dirty_ = false;
  if (write_table(kContacts, contacts_)) {
    std::error_code ec;
    for (const auto& old : legacy_files_) std::filesystem::remove(old, ec);  // ignored anyway
    legacy_files_.clear();
  }
}

bool StateStore::write_table(const char* file, const Table& table) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  const std::string final_path = path(file);
  const std::string tmp = final_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& [owner, value] : table) {
      out << owner.aor << '\t' << owner.auth_user << '\t' << value << '\n';
    }
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
