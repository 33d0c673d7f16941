#include "transport/asio_transport.hpp"

#include "transport/core_base.hpp"
#include "transport/stream_transport.hpp"
#include "transport/udp_transport.hpp"

namespace sipline::transport {
namespace {

// What open() returns: owns the core and stops it when destroyed. Completion handlers hold the
// core too, so it outlives this handle until they have all run (or the io_context is gone).
class Handle final : public AsioTransport {
 public:
  explicit Handle(std::shared_ptr<detail::CoreBase> core) : core_(std::move(core)) {}
  ~Handle() override { core_->stop(); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  void send(const Target& target, std::string bytes) override {
    core_->send(target, std::move(bytes));
  }
  Address local_address(const Target& target) const override {
    return core_->local_address(target);
  }
  void reset(const Target& target) override { core_->reset(target); }
  void set_user(TransportUser* user) override { core_->set_user(user); }
  void set_trace(TraceHook hook) override { core_->set_trace(std::move(hook)); }
  const TransportCounters& counters() const override { return core_->counters(); }
  Protocol protocol() const override { return core_->protocol(); }
  std::uint16_t port() const override { return core_->port(); }
  std::vector<Address> bound_addresses() const override { return core_->bound_addresses(); }
  std::size_t connection_count() const override { return core_->connection_count(); }

 private:
  std::shared_ptr<detail::CoreBase> core_;
};

}  // namespace

std::string BindError::message() const {
  std::string where = address.empty() ? std::string("*") : address;
  if (where.find(':') != std::string::npos) where = "[" + where + "]";
  return "cannot listen on " + std::string(to_string(protocol)) + ":" + where + ":" +
         std::to_string(port) + ": " + reason;
}

base::Result<std::unique_ptr<AsioTransport>, BindError> AsioTransport::open(
    asio::io_context& io, const TransportConfig& config) {
  auto core = config.protocol == Protocol::kUdp ? detail::UdpCore::open(io, config)
                                                : detail::StreamCore::open(io, config);
  if (!core) return base::fail(core.error());
  return std::unique_ptr<AsioTransport>(std::make_unique<Handle>(std::move(core).value()));
}

}  // namespace sipline::transport
