// The subscriptions of one account (calls-and-subscriptions.md "Subscriptions"): MWI to
// `mwi_uri`, one dialog-event watch per `blf` entry and, with `subscribe_reg_event`, the reg
// event of the account's own AOR. Answers the account's NOTIFYs (matched by Call-ID and tags,
// unsolicited MWI only from the server), keeps the lamps (MWI counts, BLF states) and tells the
// account when the registrar's reg-event document says our binding is gone or shortened.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "account/watch.hpp"
#include "usage/sub/bodies/dialog_info.hpp"
#include "usage/sub/bodies/mwi.hpp"
#include "usage/sub/bodies/reginfo.hpp"
#include "usage/sub/notify.hpp"

namespace sipline::account {

struct MwiStatus {
  bool known = false;  // a message-summary body has been received
  bool waiting = false;
  usage::sub::bodies::MessageCounts voice;
};

struct BlfLamp {
  std::string uri;
  std::string state;  // "idle" | "ringing" | "busy" | "unknown" (no document yet)
  std::string remote;
};

struct WatchSnapshot {
  std::string event;  // "message-summary" | "dialog" | "reg"
  std::string uri;
  std::string state;  // to_string(WatchState)
  std::uint32_t granted_expires_s = 0;
  std::optional<base::Duration> next_refresh_in;
  std::optional<base::Duration> next_attempt_in;
  std::string last_error;
  WatchCounters counters;
};

// Subscriptions of many accounts added up (engine-wide metrics): no strings copied, the names
// are the packages' and states' own constants.
struct SubscriptionTally {
  std::map<std::pair<std::string_view, std::string_view>, std::size_t> by_event_state;
  WatchCounters counters;  // summed
};

// What the registrar's reg-event document asks of the account.
enum class RegEventAction : std::uint8_t { kNone, kReregisterNow, kReregisterAfterWait };

class Watchers {
 public:
  struct Callbacks {
    // The registrar dropped or shortened our binding (reg event): `why` is what it said.
    std::function<void(RegEventAction, const std::string& why)> on_reg_event;
  };

  // `cfg` and `identity` must outlive the Watchers. `resources` are resolved by the account
  // (mwi_uri or the AOR; blf entries as URIs).
  Watchers(const config::AccountConfig& cfg, WatchStack stack, const txn::Identity& identity,
           std::string mwi_uri, std::vector<std::string> blf_uris, Callbacks callbacks);
  ~Watchers();
  Watchers(const Watchers&) = delete;
  Watchers& operator=(const Watchers&) = delete;

  // Starts every subscription not yet going (after the account is registered).
  void start();
  // Ends every subscription (Expires: 0 where there is a dialog); `done` once all are answered
  // (never synchronously). Before the account unregisters.
  void stop(std::function<void()> done);
  bool empty() const { return entries_.empty(); }

  // The NOTIFY server side: answers `notify` through `respond` and updates the lamps.
  // `trusted`: the addresses of sip_server / outbound_proxy (unsolicited MWI).
  void on_notify(const msg::Message& notify, const transport::Address& source,
                 std::span<const transport::Address> trusted,
                 const std::function<void(std::string)>& respond);

  // How long our binding is still granted (for "shortened"), from the account.
  void set_lease_left(std::function<std::uint32_t()> fn) { lease_left_ = std::move(fn); }

  MwiStatus mwi() const { return mwi_; }
  std::vector<WatchSnapshot> snapshots() const;
  void add_to(SubscriptionTally& tally) const;
  std::vector<BlfLamp> blf() const;
  std::uint64_t notifies_rejected() const { return notifies_rejected_; }

 private:
  struct Lamp {
    usage::sub::bodies::BlfView view;
    bool known = false;  // a NOTIFY has told the state (an empty body: nothing going on)
  };
  struct Entry {
    std::unique_ptr<Watch> watch;
    std::optional<Lamp> lamp;  // dialog watches only
  };
  Entry* owner_of(const usage::sub::Subscription* s);
  void apply_body(Entry& e, const usage::sub::Body& body);
  void apply_reginfo(const usage::sub::bodies::RegInfo& doc);

  const config::AccountConfig& cfg_;
  const txn::Identity& identity_;
  Callbacks callbacks_;
  std::vector<Entry> entries_;
  usage::sub::bodies::RegInfoView reg_view_;
  std::function<std::uint32_t()> lease_left_;
  MwiStatus mwi_;
  std::string to_tag_;  // our To tag for unsolicited NOTIFYs answered outside any dialog
  std::uint64_t notifies_rejected_ = 0;
};

}  // namespace sipline::account
