// The resolver against the system's resolver: "localhost" comes from /etc/hosts, so no network.
#include <gtest/gtest.h>

#include "transport/resolver.hpp"
#include "transport_support.hpp"

namespace sipline::transport::test {
namespace {

TEST(ResolverLookup, LocalhostResolvesToALoopbackAddressAndKeepsTheName) {
  asio::io_context io;
  Resolver resolver(io);
  std::optional<base::Result<Target, std::string>> got;
  resolver.resolve("localhost:5070", Protocol::kTls, [&](auto r) { got = std::move(r); });
  ASSERT_TRUE(run_until(io, [&] { return got.has_value(); }));
  ASSERT_TRUE(got->ok()) << got->error();
  const Target& t = got->value();
  EXPECT_TRUE(t.remote.address == "127.0.0.1" || t.remote.address == "::1") << t.remote.address;
  EXPECT_EQ(t.remote.port, 5070);
  EXPECT_EQ(t.remote.protocol, Protocol::kTls);
  EXPECT_EQ(t.tls_server_name, "localhost");
}

TEST(ResolverLookup, UnknownNameIsAnErrorValue) {
  asio::io_context io;
  Resolver resolver(io);
  std::optional<base::Result<Target, std::string>> got;
  resolver.resolve("no-such-host.invalid", Protocol::kUdp, [&](auto r) { got = std::move(r); });
  ASSERT_TRUE(run_until(
      io, [&] { return got.has_value(); }, std::chrono::milliseconds(10000)));
  ASSERT_FALSE(got->ok());
  EXPECT_NE(got->error().find("no-such-host.invalid"), std::string::npos) << got->error();
}

}  // namespace
}  // namespace sipline::transport::test
