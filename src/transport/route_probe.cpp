// The kernel's choice of source address toward a destination, two ways: the routing table over
// netlink (what `ip route get` asks; no socket port needed) and a UDP socket connected for a
// moment (portable, but it takes an ephemeral port, and fails when none is free).
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <asio/ip/udp.hpp>
#include <cerrno>
#include <cstring>

#include "transport/source_routes.hpp"

namespace sipline::transport::detail {

namespace {

// Closes the descriptor on every path.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

struct RouteRequest {
  nlmsghdr header;
  rtmsg route;
  std::array<char, 64> attributes;
};

RouteRequest route_request(const asio::ip::address& remote) {
  RouteRequest r{};
  const bool v4 = remote.is_v4();
  const auto v4_bytes = v4 ? remote.to_v4().to_bytes() : asio::ip::address_v4::bytes_type{};
  const auto v6_bytes = v4 ? asio::ip::address_v6::bytes_type{} : remote.to_v6().to_bytes();
  const std::size_t size = v4 ? v4_bytes.size() : v6_bytes.size();
  r.route.rtm_family = v4 ? AF_INET : AF_INET6;
  r.route.rtm_dst_len = static_cast<unsigned char>(size * 8);
  auto* attribute = reinterpret_cast<rtattr*>(r.attributes.data());
  attribute->rta_type = RTA_DST;
  attribute->rta_len = static_cast<unsigned short>(RTA_LENGTH(size));
  std::memcpy(RTA_DATA(attribute), v4 ? v4_bytes.data() : v6_bytes.data(), size);
  r.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg)) + RTA_ALIGN(attribute->rta_len);
  r.header.nlmsg_type = RTM_GETROUTE;
  r.header.nlmsg_flags = NLM_F_REQUEST;
  r.header.nlmsg_seq = 1;
  return r;
}

// RTA_PREFSRC of one RTM_NEWROUTE answer.
base::Result<asio::ip::address, std::string> preferred_source(const nlmsghdr* h) {
  const auto* route = static_cast<const rtmsg*>(NLMSG_DATA(h));
  int left = static_cast<int>(RTM_PAYLOAD(h));
  for (const rtattr* a = RTM_RTA(route); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
    if (a->rta_type != RTA_PREFSRC) continue;
    const std::size_t size = RTA_PAYLOAD(a);
    if (route->rtm_family == AF_INET && size == 4) {
      asio::ip::address_v4::bytes_type b{};
      std::memcpy(b.data(), RTA_DATA(a), b.size());
      return asio::ip::address(asio::ip::address_v4(b));
    }
    if (route->rtm_family == AF_INET6 && size == 16) {
      asio::ip::address_v6::bytes_type b{};
      std::memcpy(b.data(), RTA_DATA(a), b.size());
      return asio::ip::address(asio::ip::address_v6(b));
    }
  }
  return base::fail(std::string("the route names no source address"));
}

}  // namespace

base::Result<asio::ip::address, std::string> probe_source_netlink(const asio::ip::address& remote) {
  Fd s{::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)};
  if (s.fd < 0) return base::fail("netlink: " + std::string(std::strerror(errno)));
  timeval wait{0, 200000};  // the kernel answers within the send; this only bounds a surprise
  ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  RouteRequest request = route_request(remote);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(s.fd, &request, request.header.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0) {
    return base::fail("netlink: " + std::string(std::strerror(errno)));
  }
  alignas(nlmsghdr) std::array<char, 4096> answer{};
  const ssize_t n = ::recv(s.fd, answer.data(), answer.size(), 0);
  if (n < 0) return base::fail("netlink: " + std::string(std::strerror(errno)));
  int left = static_cast<int>(n);
  for (auto* h = reinterpret_cast<nlmsghdr*>(answer.data()); NLMSG_OK(h, left);
       h = NLMSG_NEXT(h, left)) {
    if (h->nlmsg_type == NLMSG_ERROR) {
      const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
      return base::fail(std::string(std::strerror(-e->error)));  // "network is unreachable"
    }
    if (h->nlmsg_type == RTM_NEWROUTE) return preferred_source(h);
  }
  return base::fail(std::string("netlink: no route in the answer"));
}

base::Result<asio::ip::address, std::string> probe_source_connect(const asio::ip::address& remote) {
  asio::io_context io;
  asio::ip::udp::socket s(io);
  asio::ip::udp::endpoint ep(remote, 5060);
  std::error_code ec;
  s.open(ep.protocol(), ec);
  if (!ec) s.connect(ep, ec);  // a UDP connect only picks the route; nothing goes on the wire
  if (ec) return base::fail(ec.message());
  auto local = s.local_endpoint(ec);
  if (ec) return base::fail(ec.message());
  return local.address();
}

base::Result<asio::ip::address, std::string> probe_source(const asio::ip::address& remote) {
  auto routed = probe_source_netlink(remote);
  if (routed) return routed;
  auto connected = probe_source_connect(remote);
  if (connected) return connected;
  return base::fail(routed.error());
}

}  // namespace sipline::transport::detail
