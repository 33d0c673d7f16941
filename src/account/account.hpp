// One account: composes the registration and keep-alive usages and owns the policy of
// account-settings.md — when to register, refresh, retry, unregister, and what state to show.
// Every state change goes through transition(); every timer is a base::Timer (generation-safe).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "account/calls.hpp"
#include "account/registration_stats.hpp"
#include "account/watchers.hpp"
#include "auth/nonce_cache.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "base/timer.hpp"
#include "config/config.hpp"
#include "transport/transport.hpp"
#include "txn/next_hop.hpp"
#include "txn/transaction_layer.hpp"
#include "usage/flow/flow.hpp"
#include "usage/options/keepalive.hpp"
#include "usage/reg/registration.hpp"

namespace sipline::account {

enum class State : std::uint8_t {
  kDisabled,
  kUnregistering,
  kRegistering,
  kRegistered,
  kRefreshing,
  kFailed,
};
std::string_view to_string(State s);

// What the account runs on: its transaction layer and transport, the loop's timers, randomness
// for protocol tokens and, separately, for jitter (so a test can pin one without the other), and
// optionally the engine's gate for registration attempts.
struct Stack {
  txn::TransactionLayer& txn;
  transport::Transport& transport;
  base::TimerService& timers;
  base::Random& random;
  base::Random& jitter;
  // Shared by every account of an engine: bounds the registration attempts in flight at once.
  base::Gate* registration_gate = nullptr;
  // The engine's RTP ports, loop and call ids: without it the account takes no calls.
  CallMediaEnv* calls = nullptr;
  // The engine's registration figures (/metrics aggregates): each attempt's outcome adds to it.
  RegistrationStats* registration_stats = nullptr;
};

struct Snapshot {
  int index = 0;
  std::string name;
  std::string aor;
  State state = State::kDisabled;
  std::uint32_t granted_expires_s = 0;
  std::optional<base::Duration> next_refresh_in;
  std::optional<base::Duration> next_attempt_in;
  int last_status_code = 0;
  std::string last_error;
  usage::reg::FailureClass failure_class = usage::reg::FailureClass::kNone;
  std::uint32_t keepalive_misses = 0;
  std::string contact;
  std::string unregister_outcome;
  std::vector<std::string> warnings;
  std::uint64_t registrations_ok = 0;
  std::uint64_t registration_failures = 0;
  std::uint64_t keepalive_misses_total = 0;
  std::uint64_t register_requests = 0;
  base::Duration last_refresh_latency{0};
  // Subscriptions (calls-and-subscriptions.md).
  MwiStatus mwi;
  std::vector<WatchSnapshot> subscriptions;
  std::vector<BlfLamp> blf;
  std::uint64_t notifies_rejected = 0;
  // RFC 3263 location (server found by DNS): where REGISTERs go now, why, how often it moved.
  std::string server_target;           // "udp:192.0.2.10:5060"; the configured one otherwise
  std::string server_target_reason;    // "most preferred", "fail-over from ...: timeout", ...
  std::size_t server_target_rank = 0;  // 0: the most preferred of the DNS answer
  std::uint64_t failovers = 0;
  // RFC 5626 outbound (`outbound = true`): our instance ("" when off) and what the last 2xx
  // said: Require: outbound, Flow-Timer, and our binding's GRUUs (RFC 5627).
  std::string outbound_instance;
  bool outbound_supported = false;
  std::optional<std::uint32_t> flow_timer_s;
  std::string pub_gruu;
  std::string temp_gruu;
  // Its flow keep-alive (RFC 5626 §4.4): "crlf" / "stun" ("" when not running), the interval
  // drawn last, when the last pong came, and how many flows failed (each re-registered at once).
  std::string flow_keepalive;
  base::Duration flow_interval{0};
  std::optional<base::Duration> last_pong_age;
  std::uint64_t flow_failures = 0;
};

class Account {
 public:
  struct Hooks {
    // A binding was confirmed for this contact: persist it (state_dir) for "instance".
    std::function<void(const std::string& contact)> on_contact_registered;
    // Set when the server is located by DNS (RFC 3263): asked at each attempt for the targets
    // in preference order (answers later; the resolver caches by TTL). Unset: the fixed target.
    using TargetsCallback =
        std::function<void(base::Result<std::vector<transport::Target>, std::string>)>;
    using TargetsCallbackUser = std::function<void(TargetsCallback)>;
    TargetsCallbackUser resolve_targets;
  };

  // `previous_contacts`: contacts registered by an earlier run (state_dir), for "instance".
  // `cfg` is not copied (thousands of accounts): it must outlive the Account.
  Account(int index, const config::AccountConfig& cfg, Stack stack, transport::Target target,
          std::vector<std::string> previous_contacts, Hooks hooks = {});
  ~Account();
  Account(const Account&) = delete;
  Account& operator=(const Account&) = delete;

  // Runs "unregister before new registration", then registers and keeps registered.
  void start();
  // RFC 5626 outbound (`outbound = true`): the instance ID ("<urn:uuid:...>", kept in state_dir
  // by the engine) every REGISTER carries. Set before start().
  void set_outbound_instance(std::string instance) { identity_.instance = std::move(instance); }
  // Unregisters our binding (if any) and calls `done` once (never synchronously).
  void stop(std::function<void()> done);
  // Re-register now (HTTP POST .../register).
  void reregister_now();
  // A TCP/TLS connection to our server broke (from the transport).
  void on_transport_error(const transport::TransportError& error);
  // A keep-alive pong (RFC 5626 §4.4), for the flow keep-alive of an outbound account.
  void on_pong(const transport::Pong& pong) {
    if (flow_) flow_->on_pong(pong);
  }

  Snapshot snapshot() const;
  // Adds this account's subscriptions to an engine-wide tally (cheaper than snapshot()).
  void add_subscriptions_to(SubscriptionTally& tally) const;
  State state() const { return state_; }
  const config::AccountConfig& config() const { return cfg_; }
  const transport::Target& target() const { return identity_.target; }
  int index() const { return index_; }
  // The account's calls: nullptr until its first call, in or out (a fleet's accounts mostly
  // never call; ~430 bytes each), or made at start when it has a media_file (a bad file is
  // reported then). Always nullptr when the stack has no media.
  Calls* calls() { return calls_.get(); }
  const Calls* calls() const { return calls_.get(); }
  // The calls, made now if they were not yet (to place one); nullptr without media.
  Calls* open_calls();

 private:
  void transition(State next);
  // Names the Contact from the transport's source address; false (Contact kept) when none.
  bool refresh_identity();
  void unregister_previous();
  // `relocate`: ask the targets again and start at the most preferred (fail-back); false: stay
  // on the current target.
  void begin_register(bool relocate = true);
  // Runs `then` once the targets are known (at once when the target is fixed); a failed look-up
  // fails the attempt with class dns.
  void locate(std::function<void()> then);
  void use_target(std::size_t rank, std::string reason);
  // The one walk through the targets, for every request (REGISTER, SUBSCRIBE, out-of-dialog
  // INVITE): a timeout, a transport error or a 503 without Retry-After moves the account to the
  // next target at once, within the same attempt (RFC 3263 §4.3). True: send again, to
  // identity_.target (also when another request had already moved past f.target). False: no
  // target left, a fixed server, or a failure that does not move.
  bool fail_over(const txn::NextHopFailure& f);
  // A request other than REGISTER moved the account: its binding is on the target left behind,
  // so REGISTER at the new one now (not from the most preferred: that one just failed).
  void register_after_move();
  // The hook SUBSCRIBE and INVITE fail over through: fail_over(), then register_after_move()
  // when it was this request that moved the account.
  txn::FailOver other_request_fail_over();
  void send_register();
  void on_registered(const usage::reg::Outcome& o);
  void on_register_failed(const usage::reg::Outcome& o);
  void on_lease_expired();
  void reregister_at_once(std::string_view why, bool new_connection);
  void start_keepalive(const usage::reg::Outcome& o,
                       std::optional<base::Duration> first = std::nullopt);
  void stop_keepalive();
  void make_watchers();
  Watchers& watchers();  // made on first use
  void on_reg_event(RegEventAction action, const std::string& why);
  void unbind_and_finish(std::function<void()> done);
  bool lease_valid() const;
  std::uint32_t requested_expires_s() const;

  int index_;
  const config::AccountConfig& cfg_;
  Stack stack_;
  // Request-URI, AOR, Contact and target of every request: read by reg_ and keepalive_.
  txn::Identity identity_;
  // Hooks::on_contact_registered (Hooks::resolve_targets lives in loc_: DNS accounts only).
  std::function<void(const std::string& contact)> on_contact_registered_;
  // Nonces and their counts shared by the registration and the subscriptions: with
  // add_auth_header_on_reregister a SUBSCRIBE reuses the REGISTER's nonce instead of being
  // challenged first.
  auth::NonceCache nonces_;
  usage::reg::Registration reg_;
  std::unique_ptr<usage::options::Keepalive> keepalive_;  // only when options_keepalive
  // Runs while registered with an instance (outbound); made at the first such registration.
  std::unique_ptr<usage::flow::FlowKeepalive> flow_;
  // Subscriptions and the NOTIFY server side: made with the account when it subscribes to
  // anything, else at the first NOTIFY (unsolicited MWI); null until then.
  std::unique_ptr<Watchers> watchers_;
  std::unique_ptr<Calls> calls_;
  base::Timer refresh_timer_;
  base::Timer retry_timer_;
  base::Timer lease_timer_;
  // The next step outside the callback that decides it: the next target's REGISTER after a
  // failure, or stop()'s finish (stop() cancels the first, so they never overlap).
  base::Timer failover_timer_;

  State state_ = State::kDisabled;
  std::uint32_t min_expires_s_ = 0;  // raised by a 423: asked for from then on
  base::TimePoint lease_end_{};
  base::TimePoint attempt_started_{};
  bool stopping_ = false;
  // Status.
  std::uint32_t granted_s_ = 0;
  int last_status_ = 0;
  base::SharedText last_error_;  // 8 bytes, nothing allocated while there is none (most accounts)
  usage::reg::FailureClass failure_ = usage::reg::FailureClass::kNone;
  // What the status shows beside the last error, rarely set (a restart's "unregister before new
  // registration" outcome, sip_registration = false): made on first use.
  struct Notes {
    std::string unregister_outcome;
    std::vector<std::string> warnings;
    // Contacts a start() unbinds besides ours: an earlier run's (state_dir), then ours of
    // before a change of address. None on a first run, and none once registered.
    std::vector<std::string> previous_contacts;
  };
  std::unique_ptr<Notes> notes_;
  Notes& notes() {
    if (!notes_) notes_ = std::make_unique<Notes>();
    return *notes_;
  }
  std::uint32_t ok_count_ = 0;  // a registration a second would take 136 years to wrap them
  std::uint32_t fail_count_ = 0;
  base::Duration last_latency_{0};
  // The binding our last 2xx holds (target, Contact, lease end): after a fail-over or a
  // fail-back, the one left at the previous target is removed (Expires: 0) while its lease
  // may still run, so two registrars never both route calls to us.
  struct Bound {
    transport::Target target;
    std::string contact;
    base::TimePoint until{};
  };
  // The old target's identity and its Expires: 0; made only for a move between targets.
  struct Leaver {
    txn::Identity identity;
    usage::reg::Registration reg;
  };
  // DNS location (RFC 3263): the last answer, the rank in use, why, a guard for late answers,
  // and what a move between targets needs. Made only for a server located by DNS
  // (Hooks::resolve_targets): a fixed server never moves, and the ~290 bytes were paid by every
  // account of a fleet.
  struct Location {
    explicit Location(Hooks::TargetsCallbackUser resolve) : resolve_targets(std::move(resolve)) {}
    Hooks::TargetsCallbackUser resolve_targets;
    std::vector<transport::Target> targets;
    std::size_t rank = 0;
    std::string reason;
    std::uint64_t failovers = 0;
    std::uint64_t generation = 0;
    transport::Target register_target;  // where the REGISTER in flight went
    std::optional<Bound> bound;
    std::unique_ptr<Leaver> leaver;
    // Expires with the account: a late DNS answer finds it gone (the only callback that can
    // outlive the account, so the token lives here, not in every account).
    std::shared_ptr<bool> life = std::make_shared<bool>(true);
  };
  std::unique_ptr<Location> loc_;
  // Where the REGISTER in flight went (a fixed server: the one target).
  const transport::Target& register_target() const {
    return loc_ ? loc_->register_target : identity_.target;
  }
  void leave_old_binding(const Bound& old);
  // What the last 2xx said of outbound (RFC 5626) and GRUUs (RFC 5627), for the status: the
  // Outcome's fields of that name (not the whole Outcome, 184 bytes an account), kept only
  // when it said any (80 bytes that most of a fleet's registrars never fill).
  struct OutboundSeen {
    bool outbound = false;
    std::optional<std::uint32_t> flow_timer_s;
    std::string pub_gruu;
    std::string temp_gruu;
  };
  std::unique_ptr<OutboundSeen> outbound_seen_;
  bool previous_pending_ = false;  // start() has not reached unregister_previous() yet
  // identity_.contact is the Contact our last 2xx bound (Notes::previous_contacts then holds none).
  bool contact_registered_ = false;
  // A fleet account's first refresh and keep-alive are still to be spread (spread_phase); so
  // are the next ones after an attempt that took at least kRespreadAfter (it left in a herd).
  static constexpr base::Duration kRespreadAfter{1000};
  bool phase_pending_ = cfg_.spread_first_refresh;
};

}  // namespace sipline::account
