// [daemon] shared_port: one transport per listed protocol (bound on both wildcards, so one socket
// per protocol and family), shared by every account that does not pin its port; its user is a
// demultiplexer handing each message to its account (txn/shared_port.hpp).
#pragma once
#include <asio/io_context.hpp>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "transport/asio_transport.hpp"
#include "txn/shared_port.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::engine {

class SharedPorts {
 public:
  struct Port {
    config::Transport transport;
    std::unique_ptr<transport::AsioTransport> socket;
    std::unique_ptr<txn::SharedPortDemux> demux;
    // The transactions of every account on the socket (each account's layer is a small face on
    // it); the socket's transport errors fail them here, once.
    std::unique_ptr<txn::TransactionCore> core;
  };
  // Binds every transport `all.daemon.shared_port` lists; none when it is "". On failure
  // `error` names the key, protocol and port.
  // `accounts`: every account's config (the shared TLS socket checks servers as they say).
  bool open(asio::io_context& io, const config::Config& all,
            std::span<const config::AccountConfig* const> accounts, std::string& error);
  // The shared port account `cfg` uses over `t`; nullptr: its own socket.
  Port* for_account(const config::AccountConfig& cfg, config::Transport t);
  std::span<const Port> ports() const { return ports_; }
  void set_trace(const transport::TraceHook& hook);

 private:
  std::vector<config::SharedPortSpec> specs_;
  std::vector<Port> ports_;
};

}  // namespace sipline::engine
