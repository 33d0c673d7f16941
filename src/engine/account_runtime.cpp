#include "account_runtime.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include <spdlog/spdlog.h>

#include "account/identity.hpp"
#include "account/policy.hpp"
#include "state_store.hpp"
#include "transport/resolver.hpp"

namespace sipline::engine {

namespace {
transport::Protocol protocol_of(config::Transport t) {
  switch (t) {
    case config::Transport::udp:
      return transport::Protocol::kUdp;
    case config::Transport::tcp:
      return transport::Protocol::kTcp;
    case config::Transport::tls:
      return transport::Protocol::kTls;
    case config::Transport::automatic:
      break;  // chosen before the socket is bound
  }
  return transport::Protocol::kUdp;
}
}  // namespace

bool resolve_target(asio::io_context& io, const config::HostPort& hp, transport::Protocol protocol,
                    transport::Target& out, std::string& error) {
  out.remote.protocol = protocol;
  out.remote.port = hp.port.value_or(protocol == transport::Protocol::kTls ? 5061 : 5060);
  out.tls_server_name = hp.host;
  std::error_code ec;
  auto literal = asio::ip::make_address(hp.host.str(), ec);
  if (!ec) {
    out.remote.address = literal.to_string();
    return true;
  }
  asio::ip::udp::resolver resolver(io);
  auto results = resolver.resolve(hp.host, std::to_string(out.remote.port), ec);
  if (ec || results.empty()) {
    error = "cannot resolve " + hp.host + ": " + (ec ? ec.message() : "no address");
    return false;
  }
  out.remote.address = results.begin()->endpoint().address().to_string();
  return true;
}

AccountRuntime::~AccountRuntime() {
  account_.reset();
  txn_.reset();
  if (demux_ != nullptr) demux_->remove(index_, *this);
  if (own_transport_) own_transport_->set_user(nullptr);
}

struct AccountRuntime::OpenArgs {
  asio::io_context& io;
  base::TimerService& timers;
  base::Gate& registration_gate;
  const config::Config& all;
  StateStore& store;
  transport::DnsResolver* dns;
  account::CallMediaEnv* calls;
  account::RegistrationStats* stats;
};

struct AccountRuntime::Selection {
  explicit Selection(const config::AccountConfig& cfg) : chosen(cfg) {}
  config::AccountConfig chosen;
  std::optional<OpenArgs> args;  // what open() was given, when DNS chooses
  bool selecting = false;
  std::string select_error;
  std::string open_error;
  std::optional<base::Timer> retry;  // the next choice after a failed question
};

std::uint16_t AccountRuntime::local_port() const {
  return transport_ ? transport_->port() : (auto_ ? auto_->chosen : cfg_).listen_port();
}

// The previous run's contact is found by who the account is, not where it sits in the file:
// "user@server" as the registrar keys it (a change of transport or scheme keeps it).
ContactOwner AccountRuntime::contact_owner(const config::AccountConfig& cfg) {
  return {cfg.user_id + "@" + account::uri_host(cfg.sip_server, false), cfg.auth_user()};
}

bool AccountRuntime::open(asio::io_context& io, base::TimerService& timers,
                          base::Gate& registration_gate, const config::Config& all,
                          StateStore& store, transport::DnsResolver* dns, std::string& error,
                          account::CallMediaEnv* calls, account::RegistrationStats* stats,
                          Opened opened) {
  const OpenArgs args{io, timers, registration_gate, all, store, dns, calls, stats};
  if (cfg_.transport != config::Transport::automatic) return open_with(args, cfg_, {}, error);
  const bool sips = cfg_.tls_uri_scheme == config::UriScheme::sips;
  const config::HostPort& next_hop =
      cfg_.outbound_proxy.empty() ? cfg_.sip_server : cfg_.outbound_proxy;
  auto_ = std::make_shared<Selection>(cfg_);
  auto_->chosen.transport = sips ? config::Transport::tls : config::Transport::udp;
  std::error_code not_literal;
  asio::ip::make_address(next_hop.host.str(), not_literal);
  // RFC 3263 §4.1: an IP literal or a port: UDP (TLS for sips:), no DNS needed.
  if (dns == nullptr || next_hop.port || !not_literal) {
    return open_with(args, auto_->chosen, {}, error);
  }
  auto_->args.emplace(args);
  select(std::move(opened));
  return true;
}

void AccountRuntime::select(Opened opened) {
  Selection& sel = *auto_;
  const OpenArgs& args = *sel.args;
  const bool sips = cfg_.tls_uri_scheme == config::UriScheme::sips;
  const config::HostPort& next_hop =
      cfg_.outbound_proxy.empty() ? cfg_.sip_server : cfg_.outbound_proxy;
  sel.selecting = true;
  args.dns->select_transport(
      next_hop.host, sips,
      [this, life = std::weak_ptr<Selection>(auto_), opened = std::move(opened),
       host = next_hop.host](base::Result<transport::TransportOffer, std::string> offer) mutable {
        if (life.expired()) return;  // retired or stopped meanwhile
        Selection& sel = *auto_;
        sel.selecting = false;
        if (!offer.ok()) {
          // A failed question (SERVFAIL, timeout, a malformed answer) says nothing about the
          // transports: chosen again after the retry wait, class dns meanwhile (RFC 3263 §4.1
          // falls back to UDP only when there are no NAPTR and no SRV records).
          const base::Duration wait =
              account::retry_delay(cfg_.registration_retry_wait_s, std::nullopt, jitter_unit());
          sel.select_error = "transport auto: " + offer.error();
          spdlog::warn("account[{}] '{}': {}; choosing again in {:.1f} s", index_, cfg_.name,
                       sel.select_error, std::chrono::duration<double>(wait).count());
          if (opened) opened(*this, {});
          sel.retry.emplace(sel.args->timers);
          sel.retry->arm_in(
              wait, [this, opened = std::move(opened)]() mutable { select(std::move(opened)); });
          return;
        }
        sel.select_error.clear();
        sel.chosen.transport = offer->protocol == transport::Protocol::kUdp ? config::Transport::udp
                               : offer->protocol == transport::Protocol::kTcp
                                   ? config::Transport::tcp
                                   : config::Transport::tls;
        const std::string srv_name = offer->srv_name;
        spdlog::info("account[{}] '{}': transport auto: {} ({})", index_, cfg_.name,
                     config::to_string(sel.chosen.transport),
                     srv_name.empty() ? "no NAPTR or SRV records for " + host : "SRV " + srv_name);
        std::string error;
        if (!open_with(*sel.args, sel.chosen, srv_name, error)) {
          spdlog::error("{}", error);
          sel.open_error = error;
        }
        if (opened) opened(*this, error);
      });
}

bool AccountRuntime::selecting() const {
  return auto_ && auto_->selecting;
}

namespace {
const std::string kNoError;
}

const std::string& AccountRuntime::open_error() const {
  return auto_ ? auto_->open_error : kNoError;
}

const std::string& AccountRuntime::select_error() const {
  return auto_ ? auto_->select_error : kNoError;
}

config::Transport AccountRuntime::transport_in_use() const {
  return auto_ ? auto_->chosen.transport : cfg_.transport;
}

std::optional<base::Duration> AccountRuntime::next_selection_in() const {
  if (!auto_ || !auto_->retry || !auto_->retry->armed()) return std::nullopt;
  return std::chrono::duration_cast<base::Duration>(auto_->retry->deadline() -
                                                    auto_->args->timers.now());
}

double AccountRuntime::jitter_unit() {
  return base::SecureRandom{}.unit();
}

bool AccountRuntime::open_with(const OpenArgs& args, const config::AccountConfig& cfg,
                               const std::string& srv_name, std::string& error) {
  auto& [io, timers, registration_gate, all, store, dns, calls, stats] = args;
  const std::string label = "account[" + std::to_string(index_) + "] '" + cfg.name + "'";
  const transport::Protocol protocol = protocol_of(cfg.transport);
  transport::Target target;
  const config::HostPort& next_hop =
      cfg.outbound_proxy.empty() ? cfg.sip_server : cfg.outbound_proxy;
  std::error_code not_literal;
  asio::ip::make_address(next_hop.host.str(), not_literal);
  // RFC 3263: a name without a port is located through SRV at every attempt (the account's
  // policy walks the targets); otherwise the one address, found here as before.
  const bool located = dns != nullptr && !next_hop.port && not_literal;
  if (located) {
    target = transport::Target{transport::Address{protocol, "", transport::default_port(protocol)},
                               next_hop.host};
  } else if (!resolve_target(io, next_hop, protocol, target, error)) {
    error = label + ": " + error;
    return false;
  }
  transport::TransportConfig tc;
  tc.protocol = protocol;
  tc.port = cfg.listen_port();
  // bind_address "" (the default): both wildcards on the one port, and each request leaves from
  // the family of the target it goes to (a located server may answer with A and AAAA records;
  // a fixed one may be reached over either family by an outbound proxy or a call). One address:
  // that one only (config checks it can reach an IP-literal next hop).
  tc.bind_address = cfg.bind_address;
  tc.tls.verify = cfg.tls_verify;
  tc.tls.ca_file = cfg.tls_ca_file;
  tc.tls.cert_file = all.daemon.tls_cert_file;  // "": the generated self-signed certificate
  tc.tls.key_file = all.daemon.tls_key_file;
  SharedPorts::Port* shared = shared_ ? shared_->for_account(cfg, cfg.transport) : nullptr;
  if (shared != nullptr) {
    transport_ = shared->socket.get();
  } else {
    auto opened = transport::AsioTransport::open(io, tc);
    if (!opened.ok()) {
      error = label + ": " + opened.error().message();
      return false;
    }
    own_transport_ = std::move(*opened);
    transport_ = own_transport_.get();
  }
  random_.emplace();
  // Shared: every branch names the account, so responses find it (txn/shared_port.hpp).
  if (shared != nullptr) random_->set_branch_prefix(txn::branch_prefix(index_));
  txn::TimerConfig timer_cfg{all.timers.t1, all.timers.t2, all.timers.t4};
  timers_.emplace(timers, static_cast<base::TimerFollower&>(*this));
  // Shared: a face on the socket's core (~140 bytes, where a layer of its own was ~300).
  if (shared != nullptr) {
    txn_.emplace(*shared->core, *timers_, *random_);
  } else {
    txn_.emplace(*timers_, *transport_, timer_cfg, &*random_);
  }
  // Jitter draws from the same pool: nothing in it needs a seed of its own (80 bytes less).
  account::Stack stack{*txn_,    *transport_,        *timers_, *random_,
                       *random_, &registration_gate, calls,    stats};
  const ContactOwner owner = contact_owner(cfg_);
  // Names the owner again when it saves (rare) rather than keep a copy in the hook: the
  // capture fits in the std::function, where a copy cost an allocation per account.
  account::Account::Hooks hooks{[this, &store](const std::string& contact) {
                                  store.save_contact(contact_owner(cfg_), contact);
                                },
                                {}};
  if (located) {
    hooks.resolve_targets = [this, dns, host = next_hop.host, protocol, srv_name](auto done) {
      dns->resolve_targets(host, protocol, transport::Family::kAny, *random_, std::move(done),
                           srv_name);
    };
  }
  account_ = std::make_unique<account::Account>(index_, cfg, stack, target,
                                                store.load_contacts(owner), std::move(hooks));
  if (cfg.outbound) account_->set_outbound_instance("<urn:uuid:" + store.instance(owner) + ">");
  if (shared != nullptr) {
    demux_ = shared->demux.get();
    demux_->add(index_, *this, cfg.user_id, cfg.contact_line);
  } else {
    transport_->set_user(this);
  }
  return true;
}

void AccountRuntime::on_message(msg::Message message, const transport::Address& source,
                                const transport::Address& local) {
  if (txn_) txn_->on_message(std::move(message), source, local);
  observe();
}

void AccountRuntime::on_transport_error(const transport::TransportError& error) {
  if (txn_) txn_->on_transport_error(error);
  if (account_) account_->on_transport_error(error);
  observe();
}

void AccountRuntime::on_pong(const transport::Pong& pong) {
  if (account_) account_->on_pong(pong);
}

}  // namespace sipline::engine
