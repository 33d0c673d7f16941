// sipline's public API: what the daemon, the CLI, the HTTP side (and embedders) use.
// Nothing here exposes the internal layers; all types are plain values.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace asio {
class io_context;
}

namespace sipline {

std::string_view version();

// Message-waiting indication (RFC 3842) of an account: the voice-message counts.
struct MwiStatus {
  bool waiting = false;
  std::uint32_t new_msgs = 0;  // JSON "new"
  std::uint32_t old_msgs = 0;  // JSON "old"
  std::uint32_t urgent_new = 0;
  std::uint32_t urgent_old = 0;
  bool operator==(const MwiStatus&) const = default;
};

// One subscription of an account (MWI, a BLF entry, the reg event).
struct SubscriptionStatus {
  std::string event;  // message-summary | dialog | reg
  std::string uri;
  // idle | subscribing | active | failed | terminated | unsubscribing | stopped
  std::string state;
  std::uint32_t granted_expires_s = 0;
  std::optional<std::int64_t> next_refresh_in_s;
  std::optional<std::int64_t> next_attempt_in_s;
  std::string last_error;
  std::uint64_t refreshes = 0;  // accepted SUBSCRIBEs (initial and refreshes)
  std::uint64_t failures = 0;   // failed SUBSCRIBE attempts
  bool operator==(const SubscriptionStatus&) const = default;
};

// A busy lamp: the state of a watched line (RFC 4235).
struct BlfStatus {
  std::string uri;
  std::string state;   // idle | ringing | busy | unknown (no document received yet)
  std::string remote;  // the other party of the deciding dialog, when the document names it
  bool operator==(const BlfStatus&) const = default;
};

// RFC 5626 outbound / RFC 5627 GRUU of an account with `outbound = true`, from its last 2xx.
struct OutboundStatus {
  std::string instance;                       // our +sip.instance, "<urn:uuid:...>"
  bool supported = false;                     // the 2xx had Require: outbound
  std::optional<std::uint32_t> flow_timer_s;  // the 2xx's Flow-Timer, null when none
  std::string pub_gruu;                       // our Contact's pub-gruu in the 2xx, "" when none
  std::string temp_gruu;                      // its temp-gruu, "" when none
  // The flow keep-alive (RFC 5626 §4.4) while registered: "crlf" (TCP/TLS) or "stun" (UDP),
  // "" when not running; the interval drawn last; seconds since the last pong (null: none yet);
  // flows found dead (no pong in 10 s, or a new mapped address), each re-registered at once.
  std::string keepalive;
  double keepalive_interval_s = 0;
  std::optional<double> last_pong_age_s;
  std::uint64_t flow_failures = 0;
  bool operator==(const OutboundStatus&) const = default;
};

// One account as the outside sees it (GET /api/accounts, `sipline status`).
struct AccountStatus {
  int index = 0;  // 1-based, as in the config file
  std::string name;
  std::string aor;
  // disabled | unregistering | registering | registered | refreshing | failed
  std::string state;
  std::uint32_t granted_expires_s = 0;
  std::optional<std::int64_t> next_refresh_in_s;  // registered: seconds until the refresh
  std::optional<std::int64_t> next_attempt_in_s;  // failing: seconds until the next attempt
  int last_status_code = 0;                       // 0: none yet / timeout / transport error
  std::string last_error;                         // human-readable, "" when none
  std::string
      failure_class;  // timeout|transport|tls_certificate|credentials|server|rejected|binding_not_confirmed|dns
  std::uint32_t keepalive_misses = 0;
  std::string transport;  // udp|tcp|tls
  std::uint16_t local_port = 0;
  std::string contact;             // the Contact we register
  std::string unregister_outcome;  // outcome of "unregister before new registration"
  std::vector<std::string> warnings;
  // Counters (also on /metrics).
  std::uint64_t registrations_ok = 0;
  std::uint64_t registration_failures = 0;
  std::uint64_t keepalive_misses_total = 0;
  std::uint64_t transactions = 0;
  std::uint64_t retransmissions = 0;
  double last_refresh_latency_s = 0;
  // Where REGISTERs go: "udp:192.0.2.10:5060". For a sip_server located by DNS (RFC 3263),
  // also why ("most preferred target", "fail-over from ...: timeout", "fail-back: ..."), the
  // target's rank in the DNS order (0: most preferred) and the moves to a next target.
  std::string server_target;
  std::string server_target_reason;
  std::size_t server_target_rank = 0;
  std::uint64_t failovers = 0;
  std::optional<OutboundStatus> outbound;  // null unless the account has outbound = true
  // Subscriptions (calls-and-subscriptions.md): mwi is null until a message summary arrived.
  std::optional<MwiStatus> mwi;
  std::vector<SubscriptionStatus> subscriptions;
  std::vector<BlfStatus> blf;
};

// The account state names (AccountStatus::state), in the order of their lifecycle.
const std::vector<std::string>& account_state_names();

// Which accounts, and which page of them (GET /api/accounts?state=&name=&offset=&limit=).
struct AccountQuery {
  std::vector<std::string> states;   // any of these state names; empty: every state
  std::string name;                  // a substring of the name, any case; "": every name
  std::size_t offset = 0;            // matching accounts skipped, in index order
  std::optional<std::size_t> limit;  // at most this many; nullopt: every one
  bool matches(std::string_view state, std::string_view account_name) const;
};
// One page of accounts, and what a summary needs without fetching them all.
struct AccountPage {
  std::vector<AccountStatus> accounts;  // the page, in index order
  std::size_t matched = 0;              // accounts matching the query's filters (all pages)
  std::size_t total = 0;                // every account
  // Every account by state: each of account_state_names() in order, with its count (0 too).
  std::vector<std::pair<std::string, std::size_t>> states;
};

// One call (calls-and-subscriptions.md "Interfaces added"; GET /api/calls).
struct CallOutcomeStatus {
  int status = 0;  // the final SIP status (0: timeout or transport error)
  std::string reason;
  std::string ended_by;  // local | remote
};
struct RtpStatus {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::uint64_t lost = 0;
  double jitter_ms = 0;
  std::uint64_t junk = 0;  // datagrams on the media port that were not our RTP, dropped
  std::uint64_t dtmf = 0;  // digits received (RFC 4733 events and INFO dtmf-relay)
};
struct CallStatus {
  std::uint64_t id = 0;
  int account = 0;
  std::string direction;  // out | in
  std::string remote;
  bool anonymous = false;
  std::string state;  // calling | ringing | early | incoming | confirmed | ending | ended
  std::chrono::system_clock::time_point started_at{};
  std::optional<std::chrono::system_clock::time_point> answered_at, ended_at;
  double duration_s = 0;  // answered: from the answer to the end (or now); else 0
  std::optional<CallOutcomeStatus> outcome;  // once ended
  std::string codec;                         // PCMU | PCMA; "" before media starts
  bool held = false;  // the remote holds the call (sendonly/inactive/c=0.0.0.0): we send nothing
  RtpStatus rtp;
};
struct CallRequest {
  int account = 1;
  std::string to;  // a SIP URI or a bare user / number
  bool anonymous = false;
};
// What a call action did: 2xx done; 400 bad request, 404 no such call or account, 409 not in a
// state for it (or max_calls reached), 503 no resources (RTP port), 501 calls not available.
struct CallReply {
  int status = 501;
  std::string error = "calls are not available in this engine";
  std::uint64_t id = 0;  // the call placed (POST /api/calls)
};

// Result of validating a config file: ok, and the report to print (`sipline check`).
struct CheckReport {
  bool ok = false;
  std::string text;
};

// One of `count` contiguous slices of a config file's accounts, taken after [[fleet]] expansion
// (`sipline run --shard I/N`, docs/fleet.md): N engines given the same file and the indices
// 0..N-1 run disjoint slices that add up to every account; slice sizes differ by at most one.
// Names, ports and identities are those the whole file gives; AccountStatus::index (and
// /api/accounts/N) counts within the slice, from 1. A reload takes the same slice again.
struct Shard {
  std::size_t index = 0;  // 0-based, as Kubernetes' JOB_COMPLETION_INDEX; < count
  std::size_t count = 1;  // >= 1; 1: every account
  bool operator==(const Shard&) const = default;
};

// With a shard, the report ends with a line naming the slice ("shard 1/3: accounts 11..20 of
// 30, ...") and the account count is the slice's.
CheckReport check_config_file(const std::string& path, Shard shard = {});

// `sipline parse`: parses each file as one raw SIP message and writes JSON or text to `out`,
// errors to `err`. Returns 0 when all parse, 1 when any is rejected (or unreadable).
int parse_files(const std::vector<std::string>& files, bool json, std::ostream& out,
                std::ostream& err);

// GET /api/accounts/N/settings: one key of the config file with its effective value.
struct AccountSetting {
  std::string key;
  std::string value;  // as text; the password is "set" or "unset", never its value
  std::string type;   // "string", "integer", "boolean" or "array": the TOML type the key wants
  std::vector<std::string> items;  // type "array": its entries (`value` is the TOML text)
  // What a settings form needs (from the config schema): allowed values as text ("1..64800",
  // "\"udp\", \"tcp\", \"tls\""), the bounds of an integer, the choices of an enumeration,
  // the unit ("min", "s"), the documented default and a line of help.
  std::string allowed;
  std::int64_t min = 0;
  std::int64_t max = 0;
  std::vector<std::string> choices;
  std::string unit;
  std::string default_text;
  std::string help;
};

// PUT /api/accounts/N/settings: one change (a JSON scalar) and one problem of a change.
using SettingInput = std::variant<std::string, std::int64_t, bool, std::vector<std::string>>;
using SettingChanges = std::vector<std::pair<std::string, SettingInput>>;
struct SettingProblem {
  std::string key;      // "account[2].register_expiration_min"
  std::string value;    // as given ("<hidden>" for the password)
  std::string allowed;  // "1..64800", "\"udp\", \"tcp\", \"tls\""; "" when free
  std::string message;
};

// A config built in code (embedders): the keys and values of a config file's [daemon],
// [timers] and [[account]] tables (docs/config.md), validated exactly as the file would be.
// Durations are integers in the key's unit, as in the file.
struct EngineConfig {
  SettingChanges daemon;
  SettingChanges timers;
  std::vector<SettingChanges> accounts;  // [[account]] tables in order: account 1, 2, ...
  std::string base_dir;  // relative password_file / tls_ca_file resolve here ("" = cwd)
};

// What an engine reports to its listeners (Engine::add_listener). More kinds may be added; a
// listener ignores kinds it does not know.
struct Event {
  enum class Kind {
    kAccountState,  // an account changed state: previous_state -> state
    kRegistration,  // a REGISTER attempt ended: ok, status_code, failure_class, detail
    kMwi,           // the account's message summary changed (RFC 3842): mwi
    kBlf,           // a busy lamp changed (RFC 4235): blf, previous_state (the lamp's)
    kCall,          // a call is new or changed state: call, previous_state (the call's)
  };
  Kind kind = Kind::kAccountState;
  int account = 0;  // 1-based index, as in AccountStatus
  std::string account_name;
  std::string aor;
  std::string state;  // the account's state now (AccountStatus::state names)
  // kAccountState: the account's state before. kBlf: the lamp's state before. kCall: the call's
  // state before, "" for a new call.
  std::string previous_state;
  bool ok = false;              // kRegistration: the binding is confirmed
  int status_code = 0;          // kRegistration: final response, 0 = timeout / transport error
  std::string failure_class;    // kRegistration: as AccountStatus::failure_class, "" when ok
  std::string detail;           // kRegistration: the error text, "" when ok
  std::uint32_t expires_s = 0;  // kRegistration: granted expiry when ok
  MwiStatus mwi;                // kMwi: the counts now
  BlfStatus blf;                // kBlf: the lamp now (uri, state, remote)
  // kCall: the call now, as GET /api/calls/ID shows it. New: state "calling" (outgoing) or
  // "incoming"; then ringing | early | confirmed (answered: answered_at) | ending; last "ended"
  // with the outcome (final status, reason, who ended it), duration_s and the RTP figures.
  CallStatus call;
};
// "account_state", "registration", "mwi", "blf", "call"
std::string_view to_string(Event::Kind kind);
using EventHandler = std::function<void(const Event&)>;
using ListenerId = std::uint64_t;  // 0 is never a valid id

struct HttpSettings;  // sipline/daemon.hpp

// The engine: every account of a config, on one asio::io_context (the caller runs it).
class Engine {
 public:
  // Loads and validates the config; on error returns nullptr and fills `error` (the report).
  // With `shard`, only that slice of the accounts (Shard); the engine keeps it across reloads.
  static std::unique_ptr<Engine> create(asio::io_context& io, const std::string& config_path,
                                        std::string& error, Shard shard = {});
  // The same from TOML text (the content of a config file; problems name `source_name`).
  // Such an engine has no file to reload: reload() answers false.
  static std::unique_ptr<Engine> create_from_toml(asio::io_context& io, std::string_view toml,
                                                  std::string& error,
                                                  std::string_view source_name = "config",
                                                  const std::string& base_dir = "");
  // The same from a config built in code.
  static std::unique_ptr<Engine> create(asio::io_context& io, const EngineConfig& config,
                                        std::string& error);
  virtual ~Engine() = default;

  // Binds every active account's sockets and starts registering. False (and `error`, naming
  // the account, port and reason) when a bind fails.
  virtual bool start(std::string& error) = 0;
  // Unregisters every account (bounded by `deadline`), then calls `done` on the loop.
  virtual void stop(std::chrono::milliseconds deadline, std::function<void()> done) = 0;
  // Reads the config file again (SIGHUP). Invalid: false, `report` lists the problems, nothing
  // changes. Valid: accounts are matched by position; unchanged ones keep running untouched,
  // changed and removed ones are unregistered (bounded, a few seconds), then changed and added
  // ones start. [timers] and log_level apply at once; other [daemon] keys need a restart (a
  // warning says so). `report` then summarises what changes. Call on the loop.
  virtual bool reload(std::string& report) = 0;

  // Snapshots, safe to hand to another thread once returned (call on the loop).
  virtual std::vector<AccountStatus> accounts() const = 0;
  virtual std::string metrics_text() const = 0;  // Prometheus exposition format
  // The accounts a query selects and the counts by state (call on the loop). The default
  // filters accounts(); the engine's own builds only the page's statuses.
  virtual AccountPage account_page(const AccountQuery& query) const;
  virtual bool reregister(int index) = 0;       // POST /api/accounts/N/register
  virtual std::string http_listen() const = 0;  // from [daemon]; "" when off
  virtual std::string log_level() const = 0;
  // The [daemon] keys of the HTTP side and the log target, from the config this engine loaded:
  // the daemon asks here rather than read a fleet's file (every account expanded) again.
  // False when the engine has none (the default): use http_settings_of(path) then.
  virtual bool http_settings(HttpSettings& /*out*/) const { return false; }
  virtual bool logs_to_journal() const { return false; }

  // Calls `handler` on the loop thread for every Event from now on, in order, each from a
  // fresh turn of the loop (never from inside the engine's own call stack), so a handler may
  // call any method of the engine, or destroy it. Returns an id for remove_listener.
  virtual ListenerId add_listener(EventHandler /*handler*/) { return 0; }
  // Events not yet delivered are not delivered to it. Unknown ids: no-op.
  virtual void remove_listener(ListenerId /*id*/) {}

  // Calls (calls-and-subscriptions.md): active first, then the latest ended (call on the loop).
  virtual std::vector<CallStatus> calls() const { return {}; }
  virtual std::optional<CallStatus> call(std::uint64_t /*id*/) const { return std::nullopt; }
  virtual CallReply place_call(const CallRequest& /*request*/) { return {}; }
  virtual CallReply answer_call(std::uint64_t /*id*/) { return {}; }
  // Rejects (486, 603 with `decline`) an incoming call, cancels an outgoing one, or hangs up.
  virtual CallReply end_call(std::uint64_t /*id*/, bool /*decline*/) { return {}; }

  // The settings of account `index` (1-based) in schema order; false when there is none.
  virtual bool account_settings(int /*index*/, std::vector<AccountSetting>& /*out*/) const {
    return false;
  }
  // Applies `changes` to account `index` with the config file's validation, all or nothing:
  // 200 applied (the account unregisters and starts anew, as on SIGHUP), 400 with every
  // problem, 404 no such account, 409 a reload is still unregistering (a problem says so).
  // The config file is not written: SIGHUP or a restart goes back to its values.
  virtual int change_settings(int /*index*/, const SettingChanges& /*changes*/,
                              std::vector<SettingProblem>& /*problems*/) {
    return 501;
  }
};

}  // namespace sipline
