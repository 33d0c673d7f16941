#include "state_store.hpp"

#include <spdlog/spdlog.h>

#include "atomic_file.hpp"
#include "base/random.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>

namespace sipline::engine {
namespace {

constexpr std::size_t kMaxLine = 1024;
// Appended lines past which a file is rewritten: twice its table, and this many more (so a
// small table is not rewritten at every change).
constexpr std::size_t kSlackLines = 64;

// One field of a state file line; false for what cannot have come from us.
bool usable(std::string_view field) {
  return !field.empty() && field.size() < kMaxLine &&
         field.find_first_of("\t\r\n") == std::string::npos;
}

bool usable(const ContactOwner& owner) {
  return usable(owner.aor) && usable(owner.auth_user);
}

// A table's key: the identity as the file's line starts, "<aor>\t<auth user>" (one string, where
// a ContactOwner was two: 32 bytes less an account).
std::string key_of(const ContactOwner& owner) {
  std::string key;
  key.reserve(owner.aor.size() + 1 + owner.auth_user.size());
  key.append(owner.aor).append(1, '\t').append(owner.auth_user);
  return key;
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
  read(contacts_, true);
  read(instances_, false);
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

void StateStore::read(File& file, bool count_legacy) {
  std::ifstream in(path(file.name));
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline: a line cut short by a crash
    ++file.lines;
    const std::size_t t1 = line.find('\t');
    const std::size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string::npos) {
      if (count_legacy && legacy_line(line)) ++ignored_legacy_;
      continue;
    }
    const std::string_view l = line;
    if (!usable(l.substr(0, t1)) || !usable(l.substr(t1 + 1, t2 - t1 - 1)) ||
        !usable(l.substr(t2 + 1))) {
      continue;
    }
    file.table.insert_or_assign(line.substr(0, t2), line.substr(t2 + 1));  // a later line wins
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
  if (const auto it = contacts_.table.find(key_of(owner)); it != contacts_.table.end()) {
    return {it->second};
  }
  return {};
}

void StateStore::save_contact(const ContactOwner& owner, const std::string& contact) {
  if (!usable(owner) || !usable(contact)) return;
  std::string key = key_of(owner);
  const auto it = contacts_.table.find(key);
  if (it != contacts_.table.end() && it->second == contact) return;
  set(contacts_, std::move(key), contact);
}

std::string StateStore::instance(const ContactOwner& owner) {
  if (!usable(owner)) return {};
  std::string key = key_of(owner);
  if (const auto it = instances_.table.find(key); it != instances_.table.end()) {
    return it->second;
  }
  std::string made = base::uuid_v4();
  set(instances_, std::move(key), made);
  return made;
}

void StateStore::set(File& file, std::string key, const std::string& value) {
  const auto [it, inserted] = file.table.insert_or_assign(std::move(key), value);
  file.changed.push_back(it);
  schedule_flush();
}

void StateStore::schedule_flush() {
  if (!timer_.armed()) timer_.arm_in(kFlushDelay, [this] { flush(); });
}

void StateStore::flush() {
  timer_.cancel();
  if (!instances_.changed.empty()) write(instances_);
  if (contacts_.changed.empty()) return;
  if (write(contacts_) && !legacy_files_.empty()) {
    std::error_code ec;
    for (const auto& old : legacy_files_) std::filesystem::remove(old, ec);  // ignored anyway
    legacy_files_.clear();
  }
}

bool StateStore::write(File& file) {
  // An entry changed twice since the last write is one line.
  auto& changed = file.changed;
  const auto by_node = [](Table::const_iterator a, Table::const_iterator b) {
    return std::less<>{}(&*a, &*b);
  };
  std::sort(changed.begin(), changed.end(), by_node);
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  const bool whole =
      !file.rewritten || file.lines + changed.size() > 2 * file.table.size() + kSlackLines;
  const bool ok = whole ? rewrite(file) : append(file);
  changed.clear();
  // A failed write leaves the file unknown: the next one rewrites it whole.
  if (!ok) file.rewritten = false;
  return ok;
}

bool StateStore::append(File& file) {
  std::ofstream out(path(file.name), std::ios::app);
  for (const auto& it : file.changed) out << it->first << '\t' << it->second << '\n';
  out.flush();
  if (!out) {
    warn_once("cannot append to " + path(file.name));
    return false;
  }
  ++writes_;
  file.lines += file.changed.size();
  return true;
}

bool StateStore::rewrite(File& file) {
  std::string text;
  for (const auto& [key, value] : file.table)
    text.append(key).append(1, '\t').append(value) += '\n';
  std::string error;
  if (!write_atomically(path(file.name), text, error)) {
    warn_once("cannot write " + error);
    return false;
  }
  ++writes_;
  file.lines = file.table.size();
  file.rewritten = true;
  return true;
}

void StateStore::warn_once(const std::string& what) {
  if (!warned_) spdlog::warn("state_dir {}: {}", dir_, what);
  warned_ = true;
}

}  // namespace sipline::engine
