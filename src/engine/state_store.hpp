// The state directory: the last contact each account registered, so that
// unregister_before_new_registration = "instance" removes this instance's stale binding after a
// restart on another address or port.
//
// Contacts are keyed by the account's identity (AOR and auth user), never by its position in the
// configuration: accounts reordered, inserted or removed between two runs each find their own
// previous contact. One file, `contacts`, holds every identity: a line "<aor>\t<auth user>\t
// <contact>" each; a later line for an identity replaces an earlier one. Saving is batched:
// save_contact() only notes the line, and one flush a short while later appends the lines noted
// since the last (a registration burst of 1000 accounts is one write, not 1000 synchronous
// writes on the loop). The file is written whole instead (temp file, fsync, rename) when it is
// new or holds anything but our lines, and when replaced lines have made it more than twice its
// identities. The store keeps where each identity's line is and a hash of its value, not the
// text: values are read back from the file when an account opens. The destructor flushes what
// is left, so a contact saved just before SIGTERM is not lost. Identities with no account in
// this run are kept, so an account put back later still finds its contact.
//
// Older versions keyed contacts by the account's index ("<index> <contact>" lines, or one
// account-N.contact file per account). Such an entry names no identity, so it cannot be told
// apart from another account's after a reorder: it is ignored (one log line with the count), and
// the binding it names ends at its own expiry. The next write drops the old lines and files.
//
// A second file, `instances`, keeps each identity's RFC 5626 instance ID (a UUID made once, on
// the first run with outbound = true) in the same line format, so a restart registers the same
// instance and the registrar replaces its binding instead of adding one.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/timer.hpp"

namespace sipline::engine {

// Who a contact belongs to: the account's AOR as the registrar keys it ("user@server") and
// its digest user.
struct ContactOwner {
  std::string aor;
  std::string auth_user;
  auto operator<=>(const ContactOwner&) const = default;
};

class StateStore {
 public:
  // How long after the first unsaved change the flush runs.
  static constexpr base::Duration kFlushDelay{200};

  // Reads `dir`/contacts (if any); timers schedule the flushes.
  StateStore(std::string dir, base::TimerService& timers);
  ~StateStore() { flush(); }
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The identity's last contact (saved, or waiting to be written); empty when none.
  std::vector<std::string> load_contacts(const ContactOwner& owner);
  // Notes the contact and schedules a flush; a contact equal to the known one changes nothing,
  // nor does an owner or contact that cannot be written on one line.
  void save_contact(const ContactOwner& owner, const std::string& contact);
  // The identity's RFC 5626 instance UUID ("f81d4fae-7dec-41d0-a765-00a0c91e6bf6"): the one
  // kept, else a new version 4 UUID, noted and flushed like a contact. "" for an owner that
  // cannot be written.
  std::string instance(const ContactOwner& owner);
  // Writes now when anything changed: appends the changed lines, or rewrites the file atomically
  // (write_atomically: temp file, fsync, rename). A failure is logged once, never fatal; the
  // lines stay pending and the next write rewrites the file whole.
  void flush();
  // Writes so far, whole or appended (for tests).
  std::size_t writes() const { return writes_; }
  // Lines in the contacts file now (for tests: appends add, a rewrite compacts).
  std::size_t contact_lines() const { return contacts_.lines; }
  // Index-keyed entries of older versions found and ignored (for tests).
  std::size_t ignored_legacy() const { return ignored_legacy_; }

 private:
  // Where an identity's latest line is, not the line: the file holds the text, and a value is
  // read back from it (pread) when an account opens. 10,000 accounts kept ~200 bytes each in
  // a table of their keys and contacts, for the few reads a run makes. Keyed by the hash of
  // "<aor>\t<auth user>" (as the line starts); a read checks the key it finds, so two identities
  // of one hash (odds 2^-64) only lose each other's entry.
  struct Entry {
    std::uint64_t offset = 0;       // of its line in the file
    std::uint64_t value_hash = 0;   // of its value: an unchanged save writes nothing
    std::uint32_t pending = kNone;  // its line waiting for the next write, or kNone
  };
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};
  // One state file: where each identity's line is, the lines not written yet, and what the file
  // holds.
  struct File {
    explicit File(const char* n) : name(n) {}
    ~File();
    const char* name;
    std::unordered_map<std::uint64_t, Entry> table;
    // The entry (nodes of an unordered_map keep their address) and its whole line.
    std::vector<std::pair<Entry*, std::string>> pending;
    std::uint64_t size = 0;  // bytes in the file
    std::size_t lines = 0;   // lines in the file
    bool clean = false;      // the file holds our lines only, each ended: appending is safe
    int fd = -1;             // the file, open for reading values back (-1: open on use)
  };
  std::string path(const char* file) const;
  void read(File& file, bool count_legacy);
  void count_legacy_files();
  // The value of `key`'s entry, read from its pending line or the file; nullopt when unknown.
  std::optional<std::string> value(File& file, std::string_view key);
  // The line at `offset` of the file (without its newline); "" when it cannot be read.
  std::string line_at(File& file, std::uint64_t offset);
  void set(File& file, std::string_view key, Entry& entry, const std::string& value);
  // Appends the changed lines, or rewrites the file (see above). False when it failed.
  bool write(File& file);
  bool rewrite(File& file);
  bool append(File& file);
  void schedule_flush();
  void warn_once(const std::string& what);

  std::string dir_;
  base::Timer timer_;
  File contacts_{"contacts"};
  File instances_{"instances"};  // identity -> RFC 5626 instance UUID
  std::size_t writes_ = 0;
  std::size_t ignored_legacy_ = 0;
  std::vector<std::string> legacy_files_;  // account-N.contact, removed by the next write
  bool warned_ = false;
};

}  // namespace sipline::engine
