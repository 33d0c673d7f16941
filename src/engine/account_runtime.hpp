// One account's stack on the loop: its socket(s), transaction layer, randomness and the
// Account policy object. The runtime is the transport's user and fans events out.
#pragma once
#include <asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "account/account.hpp"
#include "base/gate.hpp"
#include "base/random.hpp"
#include "base/timer.hpp"
#include "base/timers.hpp"
#include "config/config.hpp"
#include "events.hpp"
#include "shared_ports.hpp"
#include "transport/asio_transport.hpp"
#include "transport/dns.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::engine {

class StateStore;
struct ContactOwner;

class AccountRuntime final : public transport::TransportUser, private base::TimerFollower {
 public:
  // The runtime owns its account's config (the Account reads it by reference); it never moves
  // (the engine holds runtimes by unique_ptr).
  AccountRuntime(int index, config::AccountConfig cfg) : index_(index), cfg_(std::move(cfg)) {}
  ~AccountRuntime() override;

  // Binds the socket(s) and builds the stack. On failure `error` names account, port, reason.
  // `dns`: the engine's resolver; a server named without a port is then located by RFC 3263
  // (SRV, then A) at every attempt. nullptr: the system resolver, once, here. `stats`: the
  // engine's registration figures the account adds to (nullptr: none).
  //
  // `transport = "auto"` on a server named without a port: the socket is bound only once
  // RFC 3263 §4.1 (NAPTR, then SRV) has chosen the transport, later on the loop; open() then
  // returns true with no account yet (selecting()), and `opened` runs when the account exists
  // (or, with the error, when binding failed). `all`, `store`, `dns` and `calls` must outlive
  // the runtime. No NAPTR and no SRV records: the URI's default transport (UDP, TLS for sips:).
  // A failed DNS question (SERVFAIL, timeout): no account yet, `opened` runs without one, the
  // account shows failed (class dns), and the transport is chosen again after
  // registration_retry_wait_s (with the retry jitter), until DNS answers.
  using Opened = std::function<void(AccountRuntime&, const std::string& error)>;
  bool open(asio::io_context& io, base::TimerService& timers, base::Gate& registration_gate,
            const config::Config& all, StateStore& store, transport::DnsResolver* dns,
            std::string& error, account::CallMediaEnv* calls = nullptr,
            account::RegistrationStats* stats = nullptr, Opened opened = {});
  // "auto": the transport is being chosen (no socket, no account yet).
  bool selecting() const;
  // Why the late open (after "auto" chose) failed: the port could not be bound ...; "" else.
  const std::string& open_error() const;
  // "auto": why the last choice failed (a DNS failure), while it waits to choose again; "" else.
  const std::string& select_error() const;
  // When the transport is chosen again after a failed choice; nullopt when not waiting.
  std::optional<base::Duration> next_selection_in() const;
  // The transport in use: the configured one, or what "auto" chose ("auto" while choosing).
  config::Transport transport_in_use() const;
  account::Account* account() { return account_.get(); }
  const account::Account* account() const { return account_.get(); }
  const transport::AsioTransport* transport() const { return transport_; }
  const txn::TransactionLayer* txn() const { return txn_ ? &*txn_ : nullptr; }
  const config::AccountConfig& config() const { return cfg_; }
  int index() const { return index_; }
  std::uint16_t local_port() const;
  // [timers] changed (SIGHUP): new transactions use the new T1/T2/T4.
  void set_timer_config(const config::SipTimerConfig& t) {
    if (txn_) txn_->set_timer_config({t.t1, t.t2, t.t4});
  }
  void set_trace(transport::TraceHook hook) {
    if (own_transport_) own_transport_->set_trace(std::move(hook));
  }

  // Shared-port mode (set before open(), outlives the runtime): an account that does not pin
  // its port uses the shared socket of its transport instead of binding its own.
  void set_shared_ports(SharedPorts* shared) { shared_ = shared; }
  // On a shared socket (nothing of its own to count or trace).
  bool shares_transport() const { return demux_ != nullptr; }
  // Events of this account go to `bus` (set before open()); nullptr: none.
  void set_events(EventBus* bus) { bus_ = bus; }
  // Publishes what changed in the account since the last look (see events.hpp).
  void observe() {
    if (bus_ != nullptr && account_) watch_.observe(*account_, *bus_);
  }
  void reset_watch() {
    if (account_) watch_.reset(*account_);
  }

  // TransportUser
  void on_message(msg::Message message, const transport::Address& source,
                  const transport::Address& local) override;
  void on_transport_error(const transport::TransportError& error) override;
  void on_pong(const transport::Pong& pong) override;

 private:
  struct OpenArgs;
  bool open_with(const OpenArgs& args, const config::AccountConfig& cfg,
                 const std::string& srv_name, std::string& error);
  // "auto": asks DNS for the transport, opens with it (or waits and asks again on a failure).
  void select(Opened opened);
  double jitter_unit();
  static ContactOwner contact_owner(const config::AccountConfig& cfg);

  int index_;
  const config::AccountConfig cfg_;
  // transport = "auto" only (~900 bytes that other accounts never pay for): cfg_ with the chosen
  // transport, which the account runs with, and the DNS question that chooses it. Late DNS
  // answers hold a weak_ptr to it.
  struct Selection;
  std::shared_ptr<Selection> auto_;
  SharedPorts* shared_ = nullptr;
  std::unique_ptr<transport::AsioTransport> own_transport_;  // device mode: its own socket(s)
  transport::AsioTransport* transport_ = nullptr;            // its own, or the shared one
  txn::SharedPortDemux* demux_ = nullptr;                    // shared: hands it its messages
  EventBus* bus_ = nullptr;
  AccountWatch watch_{index_};
  // The loop's timers as the stack sees them: each callback is followed by observe().
  void after_timer() override { observe(); }
  std::optional<WatchedTimers> timers_;
  // Call-IDs, tags, branches, cnonces: unguessable. Jitter: seeded per account (pinnable).
  std::optional<base::SecureRandom> random_;  // inline: two allocations less per account
  std::optional<txn::TransactionLayer> txn_;  // inline: one allocation less per account
  std::unique_ptr<account::Account> account_;
};

// Resolves a host[:port] to a Target for `protocol` (IP literals pass through; names use the
// system resolver, first address). Default port 5060, 5061 for TLS.
bool resolve_target(asio::io_context& io, const config::HostPort& hp, transport::Protocol protocol,
                    transport::Target& out, std::string& error);

}  // namespace sipline::engine
