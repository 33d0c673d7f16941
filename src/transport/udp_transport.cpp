#include "transport/udp_transport.hpp"

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <asio/post.hpp>
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
    if (config.receive_buffer_bytes > 0) {
      s.set_option(asio::socket_base::receive_buffer_size(config.receive_buffer_bytes), ec);
    }
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

// The largest UDP payload. Reads take up to kVector datagrams per system call (recvmmsg) into
// one set of buffers per thread, shared by every UDP socket of the thread: 16 × 64 KiB of
// address space, of which only the pages a datagram lands in are ever touched.
constexpr std::size_t kMaxDatagram = 65535;
constexpr int kVector = 16;
constexpr int kBatch = 64;  // datagrams read per readiness event before yielding to the loop

struct ReceiveVector {
  std::unique_ptr<char[]> data{new char[kVector * kMaxDatagram]};
  std::array<mmsghdr, kVector> messages{};
  std::array<iovec, kVector> iov{};
  std::array<sockaddr_storage, kVector> from{};
  ReceiveVector() {
    for (int k = 0; k < kVector; ++k) {
      iov[k] = iovec{data.get() + static_cast<std::size_t>(k) * kMaxDatagram, kMaxDatagram};
      msghdr& h = messages[k].msg_hdr;
      h.msg_name = &from[k];
      h.msg_iov = &iov[k];
      h.msg_iovlen = 1;
    }
  }
  // msg_namelen is in-out: each read needs the full size again.
  void ready() {
    for (auto& m : messages) m.msg_hdr.msg_namelen = sizeof(sockaddr_storage);
  }
};

ReceiveVector& receive_vector() {
  thread_local ReceiveVector v;
  return v;
}

}  // namespace

void UdpCore::start_receive(Slot& slot) {
  auto self = std::static_pointer_cast<UdpCore>(shared_from_this());
  slot.socket.async_wait(asio::socket_base::wait_read, [self, &slot](const std::error_code& ec) {
    if (self->stopped_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      spdlog::debug("udp: wait on {} failed: {}", to_string(slot.local), ec.message());
      if (!self->stopped_) self->start_receive(slot);
      return;
    }
    self->drain_then_wait(slot);
  });
}

void UdpCore::drain_then_wait(Slot& slot) {
  const bool more = drain(slot);
  if (stopped_) return;
  if (!more) return start_receive(slot);
  // A full batch: more may be queued, and (edge-triggered) no new readiness comes for what is
  // already there. Read on after the loop's other handlers, not only at the next datagram.
  auto self = std::static_pointer_cast<UdpCore>(shared_from_this());
  asio::post(slot.socket.get_executor(), [self, &slot] {
    if (!self->stopped_) self->drain_then_wait(slot);
  });
}

bool UdpCore::drain(Slot& slot) {
  ReceiveVector& v = receive_vector();
  const int fd = slot.socket.native_handle();
  int read = 0;
  while (read < kBatch && !stopped_) {
    v.ready();
    const int got = ::recvmmsg(fd, v.messages.data(), kVector, MSG_DONTWAIT, nullptr);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // Woken with nothing to read: an error queued for an earlier send (POLLERR).
        if (read == 0) drain_errors(slot);
        return false;
      }
      // An ICMP error for an earlier send (ECONNREFUSED ...): read which destination it was
      // for. The socket stays usable.
      drain_errors(slot);
      ++read;
      continue;
    }
    for (int k = 0; k < got && !stopped_; ++k) {
      const msghdr& h = v.messages[k].msg_hdr;
      asio::ip::udp::endpoint from;
      const std::size_t size = std::min<std::size_t>(h.msg_namelen, from.capacity());
      std::memcpy(from.data(), h.msg_name, size);
      from.resize(size);
      on_datagram(
          slot,
          std::string_view(static_cast<const char*>(h.msg_iov->iov_base), v.messages[k].msg_len),
          from);
    }
    read += got;
    if (got < kVector) return false;  // the queue was empty: the next datagram wakes us
  }
  return !stopped_;
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
  if (!batch_sends_) return send_now(*slot, to, std::move(bytes), target, message);
  if (batch_.empty()) {
    auto self = std::static_pointer_cast<UdpCore>(shared_from_this());
    asio::post(slot->socket.get_executor(), [self] { self->flush_batch(); });
  }
  batch_.push_back(Queued{slot, to, std::move(bytes), target, message});
}

void UdpCore::flush_batch() {
  std::vector<Queued> batch = std::move(batch_);
  batch_.clear();
  if (stopped_ || batch.empty()) return;
  constexpr std::size_t kMax = 64;  // datagrams per sendmmsg
  std::array<mmsghdr, kMax> headers{};
  std::array<iovec, kMax> iov{};
  std::size_t i = 0;
  while (i < batch.size()) {
    // The run of datagrams from i on that leave by the same socket.
    Slot* slot = batch[i].slot;
    std::size_t n = 0;
    while (i + n < batch.size() && n < kMax && batch[i + n].slot == slot) {
      Queued& q = batch[i + n];
      iov[n] = iovec{q.bytes.data(), q.bytes.size()};
      msghdr& h = headers[n].msg_hdr;
      h = msghdr{};
      h.msg_name = q.to.data();
      h.msg_namelen = static_cast<socklen_t>(q.to.size());
      h.msg_iov = &iov[n];
      h.msg_iovlen = 1;
      ++n;
    }
    int done = n > 1 ? ::sendmmsg(slot->socket.native_handle(), headers.data(),
                                  static_cast<unsigned>(n), MSG_DONTWAIT)
                     : 0;
    if (done < 0) done = 0;
    for (std::size_t k = 0; k < static_cast<std::size_t>(done); ++k) {
      sent(headers[k].msg_len, batch[i + k].message);
    }
    // What the kernel did not take (a full buffer, an error for one destination): one at a
    // time, with send_now()'s handling of each error.
    for (std::size_t k = static_cast<std::size_t>(done); k < n && !stopped_; ++k) {
      Queued& q = batch[i + k];
      send_now(*q.slot, q.to, std::move(q.bytes), q.target, q.message);
    }
    i += n;
  }
}

void UdpCore::send_now(Slot& slot, const asio::ip::udp::endpoint& to, std::string bytes,
                       const Target& target, bool message) {
  // Sent at once when the socket's buffer has room (almost always): no operation to allocate
  // and no trip through the reactor. An error left by an ICMP report for an earlier send
  // (ECONNREFUSED) belongs to that send, which the error queue names: this one is sent again.
  std::error_code ec;
  std::size_t size = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    size = slot.socket.send_to(asio::buffer(bytes), to, 0, ec);
    if (ec != asio::error::connection_refused) break;
  }
  if (!ec) return sent(size, message);
  if (ec != asio::error::would_block && ec != asio::error::try_again) {
    ++counters_.send_failures;
    forget_route(to.address());  // the route may have changed: ask again next time
    report_later(TransportErrorKind::kSendFailed, target, ec.message());
    return;
  }
  // The socket's send buffer is full: the reactor sends it when there is room.
  auto data = std::make_shared<std::string>(std::move(bytes));
  auto self = std::static_pointer_cast<UdpCore>(shared_from_this());
  slot.socket.async_send_to(
      asio::buffer(*data), to,
      [self, data, target, message, to](const std::error_code& ec, std::size_t size) {
        if (self->stopped_ || ec == asio::error::operation_aborted) return;
        if (ec) {
          ++self->counters_.send_failures;
          self->forget_route(to.address());  // the route may have changed: ask again next time
          self->report(TransportErrorKind::kSendFailed, target, ec.message());
          return;
        }
        self->sent(size, message);
      });
}

void UdpCore::sent(std::size_t size, bool message) {
  ++counters_.datagrams_out;
  counters_.bytes_out += size;
  if (message) ++counters_.messages_out;
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
  flush_batch();  // what was sent before the stop (an unregistration) still leaves
  stopped_ = true;
  user_ = nullptr;
  trace_ = nullptr;
  for (auto& slot : slots_) {
    std::error_code ec;
    slot.socket.close(ec);
  }
}

}  // namespace sipline::transport::detail
