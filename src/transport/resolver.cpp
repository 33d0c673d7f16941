#include "transport/resolver.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <charconv>

#include "transport/net.hpp"

namespace sipline::transport {

struct Resolver::State {
  explicit State(asio::io_context& io) : io(io), resolver(io) {}
  asio::io_context& io;
  asio::ip::tcp::resolver resolver;
  bool alive = true;
};

namespace {

base::Result<std::uint16_t, std::string> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > 65535) {
    return base::fail("bad port '" + std::string(text) + "'");
  }
  return static_cast<std::uint16_t>(value);
}

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

base::Result<HostPort, std::string> parse_host_port(std::string_view text) {
  HostPort out;
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return base::fail(std::string("missing ']'"));
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return base::fail("unexpected '" + std::string(rest) + "'");
      port = rest.substr(1);
      if (port.empty()) return base::fail(std::string("empty port"));
    }
    auto ip = detail::parse_ip(host);
    if (!ip || !ip->is_v6()) return base::fail("not an IPv6 address: '" + std::string(host) + "'");
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    auto colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) return base::fail(std::string("empty port"));
  }
  if (host.empty()) return base::fail(std::string("empty host"));
  if (auto ip = detail::parse_ip(host)) {
    out.host = ip->to_string();
    out.is_ip_literal = true;
  } else if (valid_host_name(host)) {
    out.host = std::string(host);
  } else {
    return base::fail("bad host '" + std::string(host) + "'");
  }
  if (!port.empty()) {
    auto p = parse_port(port);
    if (!p) return base::fail(p.error());
    out.port = p.value();
  }
  return out;
}

std::uint16_t default_port(Protocol p) {
  return p == Protocol::kTls ? 5061 : 5060;
}

Resolver::Resolver(asio::io_context& io) : state_(std::make_shared<State>(io)) {}

Resolver::~Resolver() {
  state_->alive = false;
  state_->resolver.cancel();
}

void Resolver::resolve(std::string_view host_port, Protocol protocol, Callback callback) {
  auto parsed = parse_host_port(host_port);
  if (!parsed || parsed->is_ip_literal) {
    base::Result<Target, std::string> result =
        parsed ? base::Result<Target, std::string>(Target{
                     Address{protocol, parsed->host, parsed->port.value_or(default_port(protocol))},
                     {}})
               : base::Result<Target, std::string>(
                     base::fail("bad address '" + std::string(host_port) + "': " + parsed.error()));
    asio::post(state_->io, [state = state_, cb = std::move(callback), r = std::move(result)]() {
      if (state->alive) cb(r);
    });
    return;
  }
  const std::string host = parsed->host;
  const std::uint16_t port = parsed->port.value_or(default_port(protocol));
  state_->resolver.async_resolve(
      host, std::to_string(port), asio::ip::tcp::resolver::numeric_service,
      [state = state_, cb = std::move(callback), host, port, protocol](
          const std::error_code& ec, const asio::ip::tcp::resolver::results_type& results) {
        if (!state->alive) return;
        if (ec || results.empty()) {
          cb(base::fail("no address for " + host + ": " +
                        (ec ? ec.message() : std::string("empty answer"))));
          return;
        }
        auto ep = results.begin()->endpoint();
        cb(Target{Address{protocol, detail::to_address(protocol, ep).address, port}, host});
      });
}

}  // namespace sipline::transport
