// The REGISTER mechanism of one account (RFC 3261 §10): builds and sends REGISTER over the
// transaction layer, answers digest challenges, follows one 423 and one 3xx per attempt, and
// reports one Outcome per attempt. When and why to register is the account's policy, not here.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/session.hpp"
#include "base/gate.hpp"
#include "base/random.hpp"
#include "transport/transport.hpp"
#include "txn/request.hpp"
#include "txn/transaction_layer.hpp"
#include "usage/reg/outcome.hpp"

namespace sipline::usage::reg {

using Identity = txn::Identity;

// RFC 5626: the one flow an account registers (one registrar target at a time).
inline constexpr int kRegId = 1;

// Our Contact header field value for REGISTER: `<uri>` plus `tail` (";expires=0"); with an
// instance (outbound) `<uri;ob>;reg-id=1;+sip.instance="<urn:uuid:...>"` plus `tail`.
std::string contact_value(const Identity& identity, std::string_view uri, std::string_view tail);

class Registration {
 public:
  using Done = std::function<void(const Outcome&)>;

  Registration(txn::TransactionLayer& txn, transport::Transport& transport, base::Random& random,
               auth::Credentials credentials);
  ~Registration();
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

  // Not copied: `identity` (the account's) must outlive the Registration. Set it before the
  // first attempt; an attempt takes its target and Request-URI when it starts.
  void set_identity(const Identity& identity) { identity_ = &identity; }
  const Identity& identity() const { return *identity_; }
  // add_auth_header_on_reregister: every REGISTER carries credentials from the last challenge.
  void set_preemptive_auth(bool on) { preemptive_auth_ = on; }
  // Nonces shared with the account's subscriptions (auth::NonceCache); must outlive this.
  void share_nonces(auth::NonceCache* cache) { auth_.share(cache); }
  // Every attempt holds a place of `gate` (shared by many accounts) from its first REGISTER to
  // its outcome; an attempt that finds the gate full waits for a place. nullptr: no limit.
  void set_gate(base::Gate* gate) { gate_ = gate; }

  // Registers our Contact for `expires_s`. One attempt; `done` runs once (never synchronously).
  // `priority`: its place among the gate's waiters (a refresh of a binding still held goes
  // first, base::Gate::Priority).
  void bind(std::uint32_t expires_s, Done done,
            base::Gate::Priority priority = base::Gate::Priority::kNormal);
  // Removes the given contacts (each sent with expires=0, Expires: 0).
  void unbind(std::vector<std::string> contacts, Done done);
  // Removes every binding of the AOR: Contact: *, Expires: 0 (RFC 3261 §10.2.2).
  void unbind_all(Done done);
  // Abandons the attempt in progress: `done` will not run.
  void cancel();
  bool busy() const { return attempt_ != nullptr; }

  const std::string& call_id() const { return call_id_; }
  std::uint32_t last_cseq() const { return cseq_; }
  std::uint64_t requests_sent() const { return requests_sent_; }

 private:
  struct Attempt;
  void start(std::unique_ptr<Attempt> attempt);
  void proceed();  // the attempt has its place: send the first REGISTER
  // Gives the gate's place back; with how the attempt ended when it knows (admission_answer).
  void leave_gate(std::optional<base::Answer> answer = std::nullopt);
  void send(const std::string* authorization);
  void on_event(const txn::ClientEvent& event);
  void on_final(const msg::Message& response);
  void on_challenge(const msg::Message& response);
  void on_interval_too_brief(const msg::Message& response);
  void on_redirect(const msg::Message& response);
  void on_success(const msg::Message& response);
  void finish(Outcome outcome);
  std::string build(const std::string* authorization, const std::string& branch) const;

  txn::TransactionLayer& txn_;
  transport::Transport& transport_;
  base::Random& random_;
  auth::DigestSession auth_;
  const Identity* identity_ = &kNoIdentity;
  static const Identity kNoIdentity;
  bool preemptive_auth_ = false;
  std::string call_id_;
  std::string from_tag_;
  std::uint32_t cseq_ = 0;
  std::uint32_t requests_sent_ = 0;  // beside cseq_: 8 bytes less an account
  std::uint64_t txn_handle_ = 0;
  std::unique_ptr<Attempt> attempt_;
  base::Gate* gate_ = nullptr;
  base::Gate::Ticket ticket_ = 0;
};

}  // namespace sipline::usage::reg
