// The fault campaign of issue 12: a real Kamailio and the sipline daemon, both inside a network
// namespace the test process made for itself (support/netns.hpp), with N accounts over UDP, TCP
// and TLS. Each fault is applied, held, removed; then the campaign measures how long until every
// account is bound again *at Kamailio* (kamcmd ul.dump, not only our status) and registered in
// the daemon's API, and how many accounts lost their binding at some point. It also checks that
// no account sits in a credentials lock-out (none deserves one: every password is right), that
// the daemon is alive, and samples its RSS. Used by tests/e2e/daemon_fault_test.cpp (CI, 20
// accounts, a few minutes) and bench/soak.sh (200 accounts, rotating faults for an hour).
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace sipline::e2e {

struct CampaignOptions {
  int accounts = 20;
  int expires_s = 10;     // asked and granted (Kamailio's min_expires is set to it): refresh ~G/2
  int retry_wait_s = 1;   // registration_retry_wait_s
  int first_user = 1100;  // users first_user .. first_user + accounts - 1
  bool udp_only = false;  // all accounts over UDP (else UDP, TCP and TLS in turn)
  int kamailio_children = 2;
  int register_expiration_min = 1;  // asked by every account (granted expires_s)
  int reregister_before_s = 0;      // reregister_before_expiration_s (0: the G/2 rule)
  // The first reg_event_accounts accounts set subscribe_reg_event = true (1-minute
  // subscriptions, refreshed by the same rule); Kamailio then runs its presence server.
  int reg_event_accounts = 0;
};

class Campaign;

// One fault: begin() applies it, tick() runs every sample while it is held, end() removes it.
// `bound` is how long after end() every account must be bound again.
struct Fault {
  std::string name;
  std::chrono::milliseconds hold{0};
  std::function<void(Campaign&)> begin;
  std::function<void(Campaign&)> end;
  std::function<void(Campaign&)> tick;  // may be empty
  std::chrono::milliseconds bound{0};
  std::string note;                // printed with the row (a known limit)
  bool sample_during_hold = true;  // false: the registrar cannot answer kamcmd (frozen)
};

struct FaultRow {
  std::string fault;
  int accounts = 0;
  std::optional<double> recovered_s;  // after the fault ended; nullopt: not within the bound
  double bound_s = 0;
  int lost_bindings = 0;  // accounts whose binding Kamailio lacked at some sample
  // Per account (in the order of the config): seconds after the fault ended until Kamailio
  // held its binding again (0 when never lost); nullopt: not within the bound.
  std::vector<std::optional<double>> recovered_each_s;
  long rss_kib = 0;                   // daemon RSS after recovery
  std::vector<std::string> problems;  // lock-outs, a dead daemon, ...
  std::string note;
  bool ok() const { return recovered_s.has_value() && problems.empty(); }
};

class Campaign {
 public:
  explicit Campaign(CampaignOptions options);
  ~Campaign();
  Campaign(const Campaign&) = delete;
  Campaign& operator=(const Campaign&) = delete;

  // Enters a private netns, starts Kamailio and the daemon, waits until every account is
  // bound. Failure text when it could not; a skip reason in *skip when the host cannot do it.
  ::testing::AssertionResult start(std::string* skip);
  FaultRow run(const Fault& fault);

  // The faults of the issue, in order, for this campaign's timing.
  std::vector<Fault> standard_faults();
  // SIGKILL of the registrar's process group and a restart on the same ports (memory-only
  // bindings and subscriptions are lost); `bound`: when every account must be bound again.
  static Fault registrar_restart(std::string name, std::chrono::milliseconds bound,
                                 std::string note);

  test::Kamailio& kamailio() { return *kam_; }
  Daemon& daemon() { return *daemon_; }
  const CampaignOptions& options() const { return options_; }
  long daemon_rss_kib() const;
  std::chrono::milliseconds retry_bound() const;    // retry wait + 1 s (+ a transaction)
  std::chrono::milliseconds refresh_bound() const;  // a refresh interval + retry_bound()
  // The refresh interval of a 1-minute reg subscription + retry_bound().
  std::chrono::milliseconds reg_event_bound() const;
  // Users whose binding (with the contact the daemon showed at start) Kamailio holds now;
  // nullopt when Kamailio does not answer.
  std::optional<std::set<std::string>> bound_users() const;
  // Accounts of the API neither "registered" nor "refreshing", and those in a credentials
  // failure.
  std::vector<std::string> unregistered_in_api() const;
  std::vector<std::string> credential_failures() const;
  const std::vector<AccountToml>& accounts() const { return accounts_; }
  std::vector<std::uint16_t> ports_of(Transport t) const;  // local ports of accounts over t

  // nftables, in the campaign's namespace only: a table with an input and an output chain.
  void nft_rule(const std::string& chain, const std::string& rule);
  void nft_flush();

  static std::string table(const std::vector<FaultRow>& rows);

 private:
  CampaignOptions options_;
  std::unique_ptr<TempDir> tmp_;
  std::unique_ptr<test::Kamailio> kam_;
  std::unique_ptr<Daemon> daemon_;
  std::vector<AccountToml> accounts_;
  std::vector<Transport> transports_;
  std::vector<std::string> users_;
  std::vector<std::string> contacts_;  // as the API showed them once all were registered
};

}  // namespace sipline::e2e
