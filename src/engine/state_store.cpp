#include "state_store.hpp"

#include <spdlog/spdlog.h>

#include "atomic_file.hpp"
#include "base/random.hpp"

#include <fcntl.h>
#include <unistd.h>

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

std::uint64_t key_hash(std::string_view text) {
  return std::hash<std::string_view>{}(text);
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

StateStore::File::~File() {
  if (fd >= 0) ::close(fd);
}

void StateStore::read(File& file, bool count_legacy) {
  std::ifstream in(path(file.name), std::ios::binary);
  if (!in) return;  // no file yet: the first write makes it (not clean: made whole, mode 0600)
  bool junk = false;
  std::string line;
  std::uint64_t offset = 0;
  while (std::getline(in, line)) {
    const std::uint64_t at = offset;
    offset += line.size() + 1;
    if (in.eof()) {  // no newline: a line cut short by a crash
      junk = true;
      break;
    }
    ++file.lines;
    const std::size_t t1 = line.find('\t');
    const std::size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string::npos) {
      if (count_legacy && legacy_line(line)) ++ignored_legacy_;
      junk = true;
      continue;
    }
    const std::string_view l = line;
    if (!usable(l.substr(0, t1)) || !usable(l.substr(t1 + 1, t2 - t1 - 1)) ||
        !usable(l.substr(t2 + 1))) {
      junk = true;
      continue;
    }
    // A later line wins.
    file.table[key_hash(l.substr(0, t2))] = Entry{at, key_hash(l.substr(t2 + 1)), kNone};
  }
  file.size = offset;
  // Anything but our own latest lines (older versions' lines, malformed or cut ones): the first
  // write rewrites the file with ours only. Lines a later one replaced are dropped when
  // appending has made the file twice its table.
  file.clean = !junk;
}

std::string StateStore::line_at(File& file, std::uint64_t offset) {
  if (file.fd < 0) file.fd = ::open(path(file.name).c_str(), O_RDONLY | O_CLOEXEC);
  if (file.fd < 0) return {};
  std::string buf(3 * kMaxLine + 2, '\0');  // three fields under kMaxLine, two tabs
  const ssize_t n = ::pread(file.fd, buf.data(), buf.size(), static_cast<off_t>(offset));
  if (n <= 0) return {};
  buf.resize(static_cast<std::size_t>(n));
  const std::size_t end = buf.find('\n');
  if (end == std::string::npos) return {};
  buf.resize(end);
  return buf;
}

std::optional<std::string> StateStore::value(File& file, std::string_view key) {
  const auto it = file.table.find(key_hash(key));
  if (it == file.table.end()) return std::nullopt;
  const Entry& e = it->second;
  std::string line = e.pending != kNone ? file.pending[e.pending].second : line_at(file, e.offset);
  // Another identity of the same hash, or a file changed under us: not ours.
  if (line.size() <= key.size() || !line.starts_with(key) || line[key.size()] != '\t') {
    return std::nullopt;
  }
  return line.substr(key.size() + 1);
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

std::vector<std::string> StateStore::load_contacts(const ContactOwner& owner) {
  if (auto v = value(contacts_, key_of(owner))) return {std::move(*v)};
  return {};
}

void StateStore::save_contact(const ContactOwner& owner, const std::string& contact) {
  if (!usable(owner) || !usable(contact)) return;
  const std::string key = key_of(owner);
  const auto [it, made] = contacts_.table.try_emplace(key_hash(key));
  if (!made && it->second.value_hash == key_hash(contact) && value(contacts_, key) == contact) {
    return;
  }
  set(contacts_, key, it->second, contact);
}

std::string StateStore::instance(const ContactOwner& owner) {
  if (!usable(owner)) return {};
  const std::string key = key_of(owner);
  if (auto v = value(instances_, key)) return std::move(*v);
  std::string made = base::uuid_v4();
  set(instances_, key, instances_.table[key_hash(key)], made);
  return made;
}

void StateStore::set(File& file, std::string_view key, Entry& e, const std::string& value) {
  std::string line;
  line.reserve(key.size() + 1 + value.size());
  line.append(key).append(1, '\t').append(value);
  e.value_hash = key_hash(value);
  if (e.pending != kNone) {
    file.pending[e.pending].second = std::move(line);  // changed twice before a write: one line
  } else {
    e.pending = static_cast<std::uint32_t>(file.pending.size());
    file.pending.emplace_back(&e, std::move(line));
  }
  schedule_flush();
}

void StateStore::schedule_flush() {
  if (!timer_.armed()) timer_.arm_in(kFlushDelay, [this] { flush(); });
}

void StateStore::flush() {
  timer_.cancel();
  if (!instances_.pending.empty()) write(instances_);
  if (contacts_.pending.empty()) return;
  if (write(contacts_) && !legacy_files_.empty()) {
    std::error_code ec;
    for (const auto& old : legacy_files_) std::filesystem::remove(old, ec);  // ignored anyway
    legacy_files_.clear();
  }
}

bool StateStore::write(File& file) {
  const bool whole =
      !file.clean || file.lines + file.pending.size() > 2 * file.table.size() + kSlackLines;
  const bool ok = whole ? rewrite(file) : append(file);
  // A failed write leaves the file unknown: the lines stay pending, and the next write
  // rewrites it whole.
  if (!ok) {
    file.clean = false;
    return false;
  }
  file.pending.clear();
  return true;
}

bool StateStore::append(File& file) {
  std::string text;
  for (const auto& [entry, line] : file.pending) text.append(line) += '\n';
  std::ofstream out(path(file.name), std::ios::app | std::ios::binary);
  out << text;
  out.flush();
  if (!out) {
    warn_once("cannot append to " + path(file.name));
    return false;
  }
  ++writes_;
  for (const auto& [entry, line] : file.pending) {
    entry->offset = file.size;
    entry->pending = kNone;
    file.size += line.size() + 1;
  }
  file.lines += file.pending.size();
  return true;
}

bool StateStore::rewrite(File& file) {
  // Every identity's latest line, read back from the file unless it is pending. An entry
  // whose line cannot be read back (the file changed under us) is left out.
  std::string text;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> offsets;  // key hash, new offset
  offsets.reserve(file.table.size());
  for (const auto& [h, e] : file.table) {
    const std::string line =
        e.pending != kNone ? file.pending[e.pending].second : line_at(file, e.offset);
    if (line.empty()) continue;
    offsets.emplace_back(h, text.size());
    text.append(line) += '\n';
  }
  std::string error;
  if (!write_atomically(path(file.name), text, error)) {
    warn_once("cannot write " + error);
    return false;
  }
  ++writes_;
  if (file.fd >= 0) ::close(file.fd);  // the old file: the next read opens the new one
  file.fd = -1;
  std::unordered_map<std::uint64_t, Entry> table;
  table.reserve(offsets.size());
  for (const auto& [h, offset] : offsets) {
    table.emplace(h, Entry{offset, file.table.at(h).value_hash, kNone});
  }
  file.table = std::move(table);
  file.size = text.size();
  file.lines = offsets.size();
  file.clean = true;
  return true;
}

void StateStore::warn_once(const std::string& what) {
  if (!warned_) spdlog::warn("state_dir {}: {}", dir_, what);
  warned_ = true;
}

}  // namespace sipline::engine
