// Socket-free parts of the transport layer: names, host[:port] parsing, bind error reasons,
// and the resolver's IP-literal path (answered later on the loop, never inline).
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <cerrno>

#include "transport/asio_transport.hpp"
#include "transport/net.hpp"
#include "transport/policy.hpp"
#include "transport/resolver.hpp"

namespace sipline::transport {
namespace {

TEST(TransportNames, ProtocolsAndAddresses) {
  EXPECT_EQ(to_string(Protocol::kTls), "tls");
  EXPECT_EQ(via_name(Protocol::kTcp), "TCP");
  EXPECT_EQ(to_string(Address{Protocol::kUdp, "127.0.0.1", 5060}), "udp:127.0.0.1:5060");
  EXPECT_EQ(to_string(Address{Protocol::kTls, "::1", 5061}), "tls:[::1]:5061");
  EXPECT_EQ(to_string(TransportErrorKind::kTlsCertificate), "tls certificate");
}

TEST(MessageReadDeadline, HeadersThenOneStepPer64KiBOfFrame) {
  using std::chrono::milliseconds;
  struct Row {
    std::size_t frame_size;
    long expected_ms;
  } rows[] = {{0, 5000}, {1, 10000}, {64 * 1024, 10000}, {64 * 1024 + 1, 15000}, {200000, 25000}};
  for (const auto& r : rows) {
    EXPECT_EQ(message_read_deadline(milliseconds(5000), r.frame_size).count(), r.expected_ms)
        << r.frame_size;
  }
}

TEST(AcceptBackoff, DoublesFrom100MsUpTo2s) {
  const std::pair<unsigned, long> rows[] = {{0, 100},  {1, 100},  {2, 200},   {3, 400},
                                            {5, 1600}, {6, 2000}, {100, 2000}};
  for (const auto& [n, ms] : rows) EXPECT_EQ(accept_backoff(n).count(), ms) << n;
}

TEST(BindErrorText, NamesProtocolAddressPortAndReason) {
  BindError e{Protocol::kTcp, "::", 5062, "address already in use"};
  EXPECT_EQ(e.message(), "cannot listen on tcp:[::]:5062: address already in use");
  BindError wildcard{Protocol::kUdp, "", 5060, "permission denied"};
  EXPECT_EQ(wildcard.message(), "cannot listen on udp:*:5060: permission denied");
}

TEST(BindErrorText, PlainReasons) {
  using detail::describe_bind_error;
  EXPECT_EQ(describe_bind_error(std::error_code(EADDRINUSE, std::system_category()), 5060),
            "address already in use");
  EXPECT_EQ(describe_bind_error(std::error_code(EACCES, std::system_category()), 80),
            "permission denied: ports below 1024 need privilege");
  EXPECT_EQ(describe_bind_error(std::error_code(EACCES, std::system_category()), 5060),
            "permission denied");
  EXPECT_EQ(describe_bind_error(std::error_code(EADDRNOTAVAIL, std::system_category()), 5060),
            "address not available on this host");
}

struct HostPortRow {
  const char* text;
  const char* host;
  int port;  // -1: none, 0: parse error
  bool literal;
};

TEST(ParseHostPort, Table) {
  const HostPortRow rows[] = {
      {"pbx.example.com", "pbx.example.com", -1, false},
      {"pbx.example.com:5070", "pbx.example.com", 5070, false},
      {"10.0.0.1", "10.0.0.1", -1, true},
      {"10.0.0.1:5080", "10.0.0.1", 5080, true},
      {"[2001:db8::1]:5061", "2001:db8::1", 5061, true},
      {"[2001:db8::1]", "2001:db8::1", -1, true},
      {"::1", "::1", -1, true},
      {"", "", 0, false},
      {"pbx:", "", 0, false},
      {"pbx:0", "", 0, false},
      {"pbx:65536", "", 0, false},
      {"pbx:50x", "", 0, false},
      {"[10.0.0.1]:5060", "", 0, false},
      {"[::1", "", 0, false},
      {"[::1]x", "", 0, false},
      {"bad host", "", 0, false},
      {":5060", "", 0, false},
  };
  for (const auto& row : rows) {
    auto r = parse_host_port(row.text);
    if (row.port == 0) {
      EXPECT_FALSE(r.ok()) << row.text;
      continue;
    }
    ASSERT_TRUE(r.ok()) << row.text << ": " << r.error();
    EXPECT_EQ(r->host, row.host) << row.text;
    EXPECT_EQ(r->is_ip_literal, row.literal) << row.text;
    if (row.port < 0) {
      EXPECT_FALSE(r->port.has_value()) << row.text;
    } else {
      EXPECT_EQ(r->port, row.port) << row.text;
    }
  }
}

TEST(Resolver, IpLiteralPassesThroughLaterWithTheDefaultPort) {
  asio::io_context io;
  Resolver resolver(io);
  std::vector<base::Result<Target, std::string>> got;
  resolver.resolve("[::1]", Protocol::kTls, [&](auto r) { got.push_back(std::move(r)); });
  resolver.resolve("192.0.2.7:5070", Protocol::kUdp, [&](auto r) { got.push_back(std::move(r)); });
  resolver.resolve("bad host", Protocol::kUdp, [&](auto r) { got.push_back(std::move(r)); });
  EXPECT_TRUE(got.empty());  // never from inside resolve()
  io.run();
  ASSERT_EQ(got.size(), 3u);
  ASSERT_TRUE(got[0].ok());
  EXPECT_EQ(got[0].value(), (Target{Address{Protocol::kTls, "::1", 5061}, {}}));
  ASSERT_TRUE(got[1].ok());
  EXPECT_EQ(got[1].value(), (Target{Address{Protocol::kUdp, "192.0.2.7", 5070}, {}}));
  ASSERT_FALSE(got[2].ok());
  EXPECT_NE(got[2].error().find("bad host"), std::string::npos);
}

TEST(Resolver, DestroyedResolverNeverCallsBack) {
  asio::io_context io;
  bool called = false;
  {
    Resolver resolver(io);
    resolver.resolve("127.0.0.1", Protocol::kUdp, [&](auto) { called = true; });
  }
  io.run();
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace sipline::transport
