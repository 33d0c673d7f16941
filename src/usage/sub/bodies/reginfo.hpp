// RFC 3680 application/reginfo+xml and a view answering "what does the registrar say about
// contact X of AOR Y" across NOTIFYs.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "usage/sub/bodies/common.hpp"

namespace sipline::usage::sub::bodies {

enum class RegState { kInit, kActive, kTerminated };
enum class ContactState { kActive, kTerminated };
enum class ContactEvent {
  kRegistered,
  kCreated,
  kRefreshed,
  kShortened,
  kExpired,
  kDeactivated,
  kProbation,
  kUnregistered,
  kRejected,
};

struct RegContact {
  std::string id;
  ContactState state = ContactState::kActive;
  ContactEvent event = ContactEvent::kRegistered;
  std::optional<std::uint32_t> expires;
  std::string uri;
};

struct Registration {
  std::string aor;
  std::string id;
  RegState state = RegState::kInit;
  std::vector<RegContact> contacts;
};

struct RegInfo {
  std::uint32_t version = 0;
  bool full = true;
  std::vector<Registration> registrations;
};

BodyResult<RegInfo> parse_reginfo(std::string_view body, const BodyLimits& limits = {});

// SIP URI equality, tolerant where RFC 3261 §19.1.4 allows cheaply: scheme, host and parameter
// names case-insensitive, parameter order irrelevant, user part case-sensitive; angle brackets
// stripped. Headers (?...) are compared as a case-insensitive string.
bool sip_uri_equal(std::string_view a, std::string_view b);

struct ContactStatus {
  enum class Kind { kUnknown, kActive, kTerminated };
  Kind kind = Kind::kUnknown;
  std::uint32_t expires = 0;                       // kActive
  ContactEvent event = ContactEvent::kRegistered;  // kActive and kTerminated
};

class RegInfoView {
 public:
  Applied apply(const RegInfo& doc);
  ContactStatus query(std::string_view aor, std::string_view contact_uri) const;
  std::optional<std::uint32_t> version() const { return version_; }
  void reset();

 private:
  std::optional<std::uint32_t> version_;
  std::vector<Registration> regs_;
};

}  // namespace sipline::usage::sub::bodies
