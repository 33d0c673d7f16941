#include "shared_ports.hpp"

#include <algorithm>

namespace sipline::engine {

namespace {
transport::Protocol protocol_of(config::Transport t) {
  return t == config::Transport::tcp   ? transport::Protocol::kTcp
         : t == config::Transport::tls ? transport::Protocol::kTls
                                       : transport::Protocol::kUdp;
}
}  // namespace

// A shared UDP socket takes every account's answers: 10,000 registrations at once overflowed
// the default 208 KiB while the loop was busy sending. The kernel caps it at rmem_max.
constexpr int kSharedReceiveBuffer = 4 * 1024 * 1024;

bool SharedPorts::open(asio::io_context& io, const config::Config& all,
                       std::span<const config::AccountConfig* const> accounts, std::string& error) {
  std::string why;
  if (!config::parse_shared_ports(all.daemon.shared_port, specs_, why)) {
    error = "[daemon] shared_port = \"" + all.daemon.shared_port + "\": " + why;
    return false;
  }
  for (const config::SharedPortSpec& spec : specs_) {
    transport::TransportConfig tc;
    tc.protocol = protocol_of(spec.transport);
    tc.port = spec.port;
    tc.receive_buffer_bytes = kSharedReceiveBuffer;
    tc.batch_sends = true;
    tc.tls.cert_file = all.daemon.tls_cert_file;  // "": the generated self-signed certificate
    tc.tls.key_file = all.daemon.tls_key_file;
    // How servers are checked: as the accounts on this socket say (config checks they agree).
    const auto first = std::find_if(accounts.begin(), accounts.end(),
                                    [this](const auto* a) { return a->on_shared_tls(specs_); });
    if (first != accounts.end()) {
      tc.tls.verify = (*first)->tls_verify;
      tc.tls.ca_file = (*first)->tls_ca_file;
    }
    auto opened = transport::AsioTransport::open(io, tc);
    if (!opened.ok()) {
      error = "[daemon] shared_port: " + opened.error().message();
      return false;
    }
    Port port{spec.transport, std::move(*opened), nullptr, nullptr};
    port.demux = std::make_unique<txn::SharedPortDemux>(*port.socket,
                                                        std::string("sipline/") + SIPLINE_VERSION);
    port.core = std::make_unique<txn::TransactionCore>(
        *port.socket, txn::TimerConfig{all.timers.t1, all.timers.t2, all.timers.t4});
    port.demux->set_core(port.core.get());
    port.socket->set_user(port.demux.get());
    const auto sharing = static_cast<std::size_t>(
        std::count_if(accounts.begin(), accounts.end(), [this, &spec](const auto* a) {
          return (a->transport == spec.transport || a->transport == config::Transport::automatic) &&
                 a->shares_port(spec.transport, specs_);
        }));
    // Members are kept by account index (accounts[i] is account i + 1).
    if (sharing > 0) {
      port.demux->reserve(sharing, static_cast<int>(accounts.size()));
      port.core->reserve(sharing);
    }
    ports_.push_back(std::move(port));
  }
  return true;
}

SharedPorts::Port* SharedPorts::for_account(const config::AccountConfig& cfg, config::Transport t) {
  if (!cfg.shares_port(t, specs_)) return nullptr;
  for (Port& p : ports_) {
    if (p.transport == t) return &p;
  }
  return nullptr;
}

void SharedPorts::set_trace(const transport::TraceHook& hook) {
  for (Port& p : ports_) p.socket->set_trace(hook);
}

}  // namespace sipline::engine
