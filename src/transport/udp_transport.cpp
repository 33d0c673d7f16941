#include "transport/udp_transport.hpp"

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "transport/net.hpp"
#include "transport/stun.hpp"

namespace sipline::transport::detail {

namespace {

// ICMP errors for an unconnected socket are queued for us (ip(7), ipv6(7)); without this Linux
// drops them and a dead server is seen only when timer B/F fires.
void enable_error_queue(asio::ip::udp::socket& s) {
  const int on = 1;
  const int fd = s.native_handle();
  if (s.local_endpoint().address().is_v6()) {
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
  } else {
    ::setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
  }
}

// RFC 3261 §18.4: host, network, port or protocol unreachable and parameter problem report a
// failure; source quench, TTL exceeded and "fragmentation needed"/"packet too big" do not.
bool is_unreachable(const sock_extended_err& e) {
  if (e.ee_origin == SO_EE_ORIGIN_ICMP) {
    return (e.ee_type == 3 && e.ee_code != 4) || e.ee_type == 12;
  }
  if (e.ee_origin == SO_EE_ORIGIN_ICMP6) return e.ee_type == 1 || e.ee_type == 4;
  return false;
}

}  // namespace

base::Result<std::shared_ptr<CoreBase>, BindError> UdpCore::open(asio::io_context& io,
                                                                 const TransportConfig& config) {
  auto sockets =
      bind_sockets<asio::ip::udp::socket>(io, Protocol::kUdp, config.bind_address, config.port);
  if (!sockets) return base::fail(sockets.error());
  auto core = std::make_shared<UdpCore>(io, config);
  // Reserved up front: pending reads hold references to the slots, which must never move.
  core->slots_.reserve(sockets.value().size());
  for (auto& s : sockets.value()) {
    std::error_code ec;
    auto ep = s.local_endpoint(ec);
    s.non_blocking(true, ec);
    enable_error_queue(s);
    Slot& slot = core->slots_.emplace_back(std::move(s));
    slot.local = to_address(Protocol::kUdp, ep);
    slot.bound = ep.address();
    slot.v4 = ep.address().is_v4();
    core->port_ = ep.port();
  }
  for (auto& slot : core->slots_) core->start_receive(slot);
  return std::shared_ptr<CoreBase>(core);
}

namespace {

// The largest UDP payload; one buffer per thread serves every socket read on that thread.
constexpr std::size_t kMaxDatagram = 65535;
constexpr int kBatch = 64;  // datagrams read per readiness event before yielding to the loop

char* shared_receive_buffer() {
  thread_local std::unique_ptr<char[]> buffer(new char[kMaxDatagram]);
  return buffer.get();
}

}  // namespace

void UdpCore::start_receive(Slot& slot) {
  auto self = std::static_pointer_cast<UdpCore>(shared_from_this());
  slot.socket.async_wait(asio::socket_base::wait_read, [self, &slot](const std::error_code& ec) {
    if (self->stopped_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      spdlog::debug("udp: wait on {} failed: {}", to_string(slot.local), ec.message());
    } else {
      self->drain(slot);
    }
    if (!self->stopped_) self->start_receive(slot);
  });
}

void UdpCore::drain(Slot& slot) {
  char* buffer = shared_receive_buffer();
  for (int i = 0; i < kBatch && !stopped_; ++i) {
    asio::ip::udp::endpoint from;
    std::error_code ec;
    const std::size_t size =
        slot.socket.receive_from(asio::buffer(buffer, kMaxDatagram), from, 0, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      // Woken with nothing to read: an error queued for an earlier send (POLLERR).
      if (i == 0) drain_errors(slot);
      return;
    }
    if (ec) {
      // An ICMP error for an earlier send (ECONNREFUSED ...): read which destination it was
      // for. The socket stays usable.
      drain_errors(slot);
      continue;
    }
    on_datagram(slot, std::string_view(buffer, size), from);
  }
}

void UdpCore::drain_errors(Slot& slot) {
  for (int i = 0; i < kBatch && !stopped_; ++i) {
    sockaddr_storage dest{};
    alignas(cmsghdr) char control[512];
    char byte = 0;
    iovec iov{&byte, sizeof byte};
    msghdr m{};
    m.msg_name = &dest;
    m.msg_namelen = sizeof dest;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    if (::recvmsg(slot.socket.native_handle(), &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return;
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
      const bool recverr = (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
                           (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR);
      if (!recverr) continue;
      sock_extended_err e{};
      std::memcpy(&e, CMSG_DATA(c), sizeof e);
      if (!is_unreachable(e) || m.msg_namelen == 0) continue;
      asio::ip::udp::endpoint to;
      const std::size_t size = std::min<std::size_t>(m.msg_namelen, to.capacity());
      std::memcpy(to.data(), &dest, size);
      to.resize(size);
      ++counters_.unreachable_in;
      const Address remote = to_address(Protocol::kUdp, to);
      spdlog::debug("udp: {} unreachable: {}", to_string(remote), std::strerror(e.ee_errno));
      report(TransportErrorKind::kUnreachable, Target{remote, ""},
             std::string("ICMP: ") + std::strerror(static_cast<int>(e.ee_errno)));
    }
  }
}

void UdpCore::on_datagram(const Slot& slot, std::string_view data,
                          const asio::ip::udp::endpoint& from) {
  ++counters_.datagrams_in;
  counters_.bytes_in += data.size();
  if (only_crlf(data)) {
    ++counters_.keepalives_in;
    return;
  }
  if (stun::looks_like_stun(data)) {  // RFC 5626 §5.4: STUN and SIP share the socket
    on_stun(data, from);
    return;
  }
  deliver(std::string(data), to_address(Protocol::kUdp, from), slot.local);
}

void UdpCore::on_stun(std::string_view data, const asio::ip::udp::endpoint& from) {
  ++counters_.stun_in;
  auto message = stun::parse(data);
  // Only answers to our Binding requests matter; requests and errors are dropped (not ours to
  // serve, and never SIP: they neither reach the parser nor count as malformed).
  if (!message || message->type != stun::kBindingSuccess) return;
  ++counters_.pongs_in;
  if (user_ == nullptr) return;
  Pong pong{Target{to_address(Protocol::kUdp, from), {}},
            std::string(message->id.begin(), message->id.end()), std::move(message->mapped)};
  user_->on_pong(pong);
}

std::size_t UdpCore::slot_for(const asio::ip::address& ip) const {
  std::size_t i = 0;
  while (i < slots_.size() && slots_[i].v4 != ip.is_v4()) ++i;
  return i;
}

void UdpCore::send(const Target& target, std::string bytes) {
  if (stopped_) return;
  auto ip = parse_ip(target.remote.address);
  const std::size_t index = ip ? slot_for(*ip) : slots_.size();
  Slot* slot = index < slots_.size() ? &slots_[index] : nullptr;
  if (slot == nullptr) {
    ++counters_.send_failures;
    report_later(TransportErrorKind::kSendFailed, target,
                 ip ? std::string("no socket bound for that address family")
                    : "not an IP address: '" + target.remote.address + "'");
    return;
  }
  // Via and Contact were just named from the same route (local_address()): without a source
  // address they would carry a wildcard or nothing, so the request is not sent at all.
  if (auto source = source_for(slot->bound, *ip, target.remote); !source) {
    ++counters_.send_failures;
    report_later(TransportErrorKind::kSendFailed, target, source.error());
    return;
  }
  asio::ip::udp::endpoint to(*ip, target.remote.port);
  const bool message = !only_crlf(bytes) && !stun::looks_like_stun(bytes);  // not keep-alives
  if (message) trace(TraceDirection::kSent, slot->local, to_address(Protocol::kUdp, to), bytes);
  auto data = std::make_shared<std::string>(std::move(bytes));
  auto self = std::static_pointer_cast<UdpCore>(shared_from_this());
  slot->socket.async_send_to(
      asio::buffer(*data), to,
      [self, data, target, message, to](const std::error_code& ec, std::size_t size) {
        if (self->stopped_ || ec == asio::error::operation_aborted) return;
        if (ec) {
          ++self->counters_.send_failures;
          self->forget_route(to.address());  // the route may have changed: ask again next time
          self->report(TransportErrorKind::kSendFailed, target, ec.message());
          return;
        }
        ++self->counters_.datagrams_out;
        self->counters_.bytes_out += size;
        if (message) ++self->counters_.messages_out;
      });
}

Address UdpCore::local_address(const Target& target) const {
  Address local{Protocol::kUdp, "", port_};
  auto ip = parse_ip(target.remote.address);
  const std::size_t index = ip ? slot_for(*ip) : slots_.size();
  if (index >= slots_.size()) return local;  // send() fails for this target too
  auto source = source_for(slots_[index].bound, *ip, target.remote);
  if (source)
    local.address = to_address(Protocol::kUdp, asio::ip::udp::endpoint(*source, 0)).address;
  return local;
}

std::vector<Address> UdpCore::bound_addresses() const {
  std::vector<Address> out;
  for (const auto& slot : slots_) out.push_back(slot.local);
  return out;
}

void UdpCore::stop() {
  stopped_ = true;
  user_ = nullptr;
  trace_ = nullptr;
  for (auto& slot : slots_) {
    std::error_code ec;
    slot.socket.close(ec);
  }
}

}  // namespace sipline::transport::detail
