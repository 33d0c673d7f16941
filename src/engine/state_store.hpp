// The state directory: the last contact each account registered, so that
// unregister_before_new_registration = "instance" removes this instance's stale binding after a
// restart on another address or port.
//
// One file, `contacts`, holds every account: a line "<index> <contact>" each. Saving is batched:
// save_contact() only notes the contact, and one flush a short while later rewrites the file
// (a registration burst of 1000 accounts is one write, not 1000 synchronous writes on the loop).
// The destructor flushes what is left, so a contact saved just before SIGTERM is not lost.
// Older versions wrote one file per account (account-N.contact): an account missing from
// `contacts` is still read from there.
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "base/timer.hpp"

namespace sipline::engine {

class StateStore {
 public:
  // How long after the first unsaved change the flush runs.
  static constexpr base::Duration kFlushDelay{200};

  // Reads `dir`/contacts (if any); timers schedule the flushes.
  StateStore(std::string dir, base::TimerService& timers);
  ~StateStore() { flush(); }
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The account's last contact (saved, or waiting to be written); empty when none.
  std::vector<std::string> load_contacts(int index) const;
  // Notes the contact and schedules a flush; a contact equal to the known one changes nothing.
  void save_contact(int index, const std::string& contact);
  // Writes now when anything changed, atomically (temp file + rename). A failure is logged once,
  // never fatal; the next change tries again.
  void flush();
  // Files written so far (for tests).
  std::size_t writes() const { return writes_; }

 private:
  std::string contacts_path() const;
  std::string legacy_path(int index) const;
  void read_contacts();
  bool write_contacts();
  void warn_once(const std::string& what);

  std::string dir_;
  base::Timer timer_;
  std::map<int, std::string> contacts_;  // every account known, written or not
  bool dirty_ = false;
  std::size_t writes_ = 0;
  bool warned_ = false;
};

}  // namespace sipline::engine
