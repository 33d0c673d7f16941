// SIP OPTIONS keep-alive (account-settings.md "OPTIONS keep-alive"): one OPTIONS to the server
// every interval, at most one outstanding. Any response means "alive" and resets the misses;
// an OPTIONS still unanswered when the next is due, or whose transaction ends without a
// response, is a miss. After max_tries misses in a row it reports the server dead and stops.
// A response whose top Via shows another received/rport than the reference (the last
// REGISTER's) reports a NAT rebinding. Policy (what to do then) is the account's.
//
// With a gate (the engine's admission, shared with REGISTER and SUBSCRIBE) each OPTIONS waits
// for a place before it is sent and holds it until its outcome, so a fleet's keep-alives do not
// meet a restarted registrar in one wave. The interval runs from each send: an OPTIONS that
// waits is one (never more) waiting per account, is not a miss (nothing was sent), and once
// sent has a whole interval to be answered, as without a gate.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/gate.hpp"
#include "base/random.hpp"
#include "base/timer.hpp"
#include "transport/transport.hpp"
#include "txn/request.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::usage::options {

// How the server saw us: the top Via's received and rport of a response.
struct ViaReflection {
  std::string received;
  std::optional<std::uint16_t> rport;
  bool operator==(const ViaReflection&) const = default;
};

class Keepalive {
 public:
  struct Callbacks {
    std::function<void()> on_dead;                                 // max_tries misses in a row
    std::function<void(const ViaReflection&)> on_address_changed;  // NAT rebinding
  };

  Keepalive(txn::TransactionLayer& txn, transport::Transport& transport, base::TimerService& timers,
            base::Random& random, Callbacks callbacks);
  ~Keepalive();
  Keepalive(const Keepalive&) = delete;
  Keepalive& operator=(const Keepalive&) = delete;

  // Starts (or restarts) the cycle: the first OPTIONS goes `first` from now (one interval when
  // not given), the next ones an interval apart, from the account's AOR to its Request-URI and
  // target. `identity` is not copied: it must outlive the Keepalive. `reference` is how the
  // registrar saw us; nullopt: no NAT check.
  void start(const txn::Identity& identity, base::Duration interval, int max_tries,
             std::optional<ViaReflection> reference,
             std::optional<base::Duration> first = std::nullopt);
  void stop();
  bool running() const { return timer_.armed() || ticket_ != 0; }
  // Every OPTIONS holds a place of `gate` (shared by many accounts) from its send to its
  // outcome. nullptr: no limit.
  void set_gate(base::Gate* gate) { gate_ = gate; }
  bool waiting_for_gate() const { return ticket_ != 0 && outstanding_ == 0; }

  std::uint32_t misses() const { return misses_; }  // in a row, now
  std::uint64_t misses_total() const { return misses_total_; }
  std::uint64_t sent_total() const { return sent_total_; }

 private:
  void on_due();
  void send();
  void leave_gate(std::optional<base::Answer> answer = std::nullopt);
  void on_event(const txn::ClientEvent& event);
  // Counts a miss; true when the server is now declared dead (callbacks ran, cycle stopped).
  bool miss();

  txn::TransactionLayer& txn_;
  transport::Transport& transport_;
  base::Random& random_;
  Callbacks callbacks_;
  base::Timer timer_;
  const txn::Identity* identity_ = nullptr;
  base::Duration interval_{30000};
  int max_tries_ = 3;
  std::optional<ViaReflection> reference_;
  std::string call_id_;
  std::string from_tag_;
  std::uint32_t cseq_ = 0;
  std::uint64_t outstanding_ = 0;  // transaction handle, 0 when none
  std::uint32_t misses_ = 0;
  std::uint64_t misses_total_ = 0;
  std::uint64_t sent_total_ = 0;
  base::Gate* gate_ = nullptr;
  base::Gate::Ticket ticket_ = 0;  // waiting for a place, or holding it while outstanding
};

}  // namespace sipline::usage::options
