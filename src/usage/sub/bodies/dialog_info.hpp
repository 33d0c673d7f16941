// RFC 4235 application/dialog-info+xml and a BLF (busy lamp field) view over NOTIFYs.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "usage/sub/bodies/common.hpp"

namespace sipline::usage::sub::bodies {

enum class DialogState { kTrying, kProceeding, kEarly, kConfirmed, kTerminated };
enum class DialogDirection { kUnspecified, kInitiator, kRecipient };

struct Party {
  std::string uri;      // <identity> (or <target uri=...> when no identity)
  std::string display;  // identity's display attribute
  bool operator==(const Party&) const = default;
};

struct Dialog {
  std::string id;
  DialogState state = DialogState::kTrying;
  DialogDirection direction = DialogDirection::kUnspecified;
  Party remote;
  Party local;
};

struct DialogInfo {
  std::uint32_t version = 0;
  bool full = true;  // state="full" | "partial"
  std::string entity;
  std::vector<Dialog> dialogs;
};

BodyResult<DialogInfo> parse_dialog_info(std::string_view body, const BodyLimits& limits = {});

enum class BlfState { kIdle, kRinging, kBusy };

// Keeps the monitored entity's dialogs across NOTIFYs: full replaces, partial merges by dialog
// id (terminated dialogs are dropped), versions ordered by decide_version().
class BlfView {
 public:
  Applied apply(const DialogInfo& doc);
  // idle: no dialog or all terminated; ringing: any early; busy: trying/proceeding/confirmed.
  BlfState state() const;
  // The remote party of the dialog that decides state() (ringing or busy), empty when idle.
  Party remote() const;
  const std::vector<Dialog>& dialogs() const { return dialogs_; }
  std::optional<std::uint32_t> version() const { return version_; }
  void reset();  // a new subscription: the next document must be full

 private:
  std::optional<std::uint32_t> version_;
  std::vector<Dialog> dialogs_;
};

}  // namespace sipline::usage::sub::bodies
