// The state directory: the last contact each account registered, so that
// unregister_before_new_registration = "instance" removes this instance's stale binding after a
// restart on another address or port. One small file per account: account-N.contact.
#pragma once
#include <string>
#include <vector>

namespace sipline::engine {

class StateStore {
 public:
  explicit StateStore(std::string dir) : dir_(std::move(dir)) {}
  std::vector<std::string> load_contacts(int index) const;
  // Writes atomically (temp file + rename); a failure is logged once, never fatal.
  void save_contact(int index, const std::string& contact);

 private:
  std::string path(int index) const;
  std::string dir_;
  bool warned_ = false;
};

}  // namespace sipline::engine
