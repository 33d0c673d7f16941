// Turns "host[:port]" and a protocol into a Target: IP literals pass through, names are looked
// up with the system resolver (A/AAAA; SRV and NAPTR are dns.hpp's). The default port is 5060, 5061
// for TLS.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "transport/transport.hpp"

namespace asio {
class io_context;
}

namespace sipline::transport {

struct HostPort {
  std::string host;  // a name, or an IP literal (IPv6 without brackets)
  std::optional<std::uint16_t> port;
  bool is_ip_literal = false;
};
// "pbx.example.com", "pbx:5070", "10.0.0.1:5070", "[2001:db8::1]:5061", "::1" (an unbracketed
// IPv6 literal has no port). The error is a plain reason.
base::Result<HostPort, std::string> parse_host_port(std::string_view text);
std::uint16_t default_port(Protocol p);  // 5060, 5061 for TLS

class Resolver {
 public:
  // The Target, or a plain reason ("no address for pbx.example.com: Host not found").
  using Callback = std::function<void(base::Result<Target, std::string>)>;

  explicit Resolver(asio::io_context& io);
  ~Resolver();  // pending look-ups are cancelled: their callbacks never run
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Always answers later on the loop, never from inside resolve(). For a name, the target's
  // tls_server_name is the name (SNI and certificate check); for an IP literal it stays empty.
  void resolve(std::string_view host_port, Protocol protocol, Callback callback);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sipline::transport
