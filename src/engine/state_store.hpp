// The state directory: the last contact each account registered, so that
// unregister_before_new_registration = "instance" removes this instance's stale binding after a
// restart on another address or port.
//
// Contacts are keyed by the account's identity (AOR and auth user), never by its position in the
// configuration: accounts reordered, inserted or removed between two runs each find their own
// previous contact. One file, `contacts`, holds every identity: a line "<aor>\t<auth user>\t
// <contact>" each. Saving is batched: save_contact() only notes the contact, and one flush a short
// while later rewrites the file (a registration burst of 1000 accounts is one write, not 1000
// synchronous writes on the loop). The destructor flushes what is left, so a contact saved just
// before SIGTERM is not lost. Identities with no account in this run are kept (written back), so
// an account put back later still finds its contact.
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
#include <map>
#include <string>
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
  std::vector<std::string> load_contacts(const ContactOwner& owner) const;
  // Notes the contact and schedules a flush; a contact equal to the known one changes nothing,
  // nor does an owner or contact that cannot be written on one line.
  void save_contact(const ContactOwner& owner, const std::string& contact);
  // The identity's RFC 5626 instance UUID ("f81d4fae-7dec-41d0-a765-00a0c91e6bf6"): the one
  // kept, else a new version 4 UUID, noted and flushed like a contact. "" for an owner that
  // cannot be written.
  std::string instance(const ContactOwner& owner);
  // Writes now when anything changed: appends the changed lines, or rewrites the file atomically
  // (write_atomically: temp file, fsync, rename). A failure is logged once, never fatal; the next
  // change rewrites the file whole.
  void flush();
  // Writes so far, whole or appended (for tests).
  std::size_t writes() const { return writes_; }
  // Lines in the contacts file now (for tests: appends add, a rewrite compacts).
  std::size_t contact_lines() const { return contacts_.lines; }
  // Index-keyed entries of older versions found and ignored (for tests).
  std::size_t ignored_legacy() const { return ignored_legacy_; }

 private:
  // Keyed by "<aor>\t<auth user>", as the line starts.
  using Table = std::map<std::string, std::string, std::less<>>;
  // One state file: its table (every identity known, written or not), the entries changed
  // since the last write, and how many lines the file holds.
  struct File {
    explicit File(const char* n) : name(n) {}
    const char* name;
    Table table;
    std::vector<Table::const_iterator> changed;
    std::size_t lines = 0;
    bool rewritten = false;  // rewritten whole in this run: appending is safe from then on
  };
  std::string path(const char* file) const;
  void read(File& file, bool count_legacy);
  void count_legacy_files();
  void set(File& file, std::string key, const std::string& value);
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
