// Issue 12 defect 7 over real sockets: a transport bound to the wildcard names the route's
// source address in Via/Contact, learned once per route, and sends nothing when it has none.
#include <gtest/gtest.h>

#include "support/netns.hpp"
#include "transport/source_routes.hpp"
#include "transport_support.hpp"

namespace sipline::transport::test {
namespace {

using namespace std::chrono_literals;

struct CountingProbe {
  int calls = 0;
  bool fail = false;
  detail::SourceProbe probe() {
    return [this](const asio::ip::address& remote) -> base::Result<asio::ip::address, std::string> {
      ++calls;
      if (fail) return base::fail(std::string("injected: no route"));
      return detail::probe_source(remote);
    };
  }
};

class SourceTest : public ::testing::TestWithParam<Protocol> {
 protected:
  void SetUp() override {
    detail::source_routes(io_).set_probe(probe_.probe());
    TransportConfig c;  // the wildcard: 0.0.0.0 (and ::)
    c.protocol = GetParam();
    auto t = AsioTransport::open(io_, c);
    ASSERT_TRUE(t.ok()) << t.error().message();
    transport_ = std::move(t).value();
    transport_->set_user(&user_);
    TransportConfig peer_config;
    peer_config.protocol = GetParam();
    peer_config.bind_address = "127.0.0.1";
    auto p = AsioTransport::open(io_, peer_config);
    ASSERT_TRUE(p.ok()) << p.error().message();
    peer_ = std::move(p).value();
    peer_->set_user(&peer_user_);
    target_ = Target{Address{GetParam(), "127.0.0.1", peer_->port()}, {}};
  }
  asio::io_context io_;
  CountingProbe probe_;
  Recorder user_;
  Recorder peer_user_;
  std::unique_ptr<AsioTransport> transport_;
  std::unique_ptr<AsioTransport> peer_;
  Target target_;
};

TEST_P(SourceTest, NoSourceAddressMeansNoAddressAndNoSend) {
  probe_.fail = true;
  const Address local = transport_->local_address(target_);
  EXPECT_EQ(local.address, "") << "never a wildcard";
  EXPECT_EQ(local.port, transport_->port());
  transport_->send(target_, sip_message("unsent"));
  ASSERT_TRUE(run_until(io_, [&] { return !user_.errors.empty(); }));
  EXPECT_EQ(user_.errors[0].kind, TransportErrorKind::kSendFailed);
  EXPECT_EQ(user_.errors[0].detail, "no usable source address toward " + to_string(target_.remote) +
                                        " (injected: no route)");
  EXPECT_EQ(transport_->counters().send_failures, 1u);
  run_for(io_, 100ms);
  EXPECT_TRUE(peer_user_.messages.empty()) << "a request without a source address went out";
  EXPECT_EQ(probe_.calls, 1) << "a failure is remembered for a moment";
}

TEST_P(SourceTest, TheSourceIsLearnedOncePerRoute) {
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(transport_->local_address(target_).address, "127.0.0.1");
    transport_->send(target_, sip_message("m" + std::to_string(i)));
  }
  ASSERT_TRUE(run_until(io_, [&] { return peer_user_.messages.size() == 20; }));
  EXPECT_TRUE(user_.errors.empty());
  EXPECT_EQ(probe_.calls, 1);
}

INSTANTIATE_TEST_SUITE_P(Wildcard, SourceTest, ::testing::Values(Protocol::kUdp, Protocol::kTcp),
                         [](const auto& info) { return std::string(to_string(info.param)); });

// The real case: the accounts' own ports cover the kernel's ephemeral range, so a throw-away
// socket (the old probe) gets no port. The routing table still names the source. In a network
// namespace of the test's own, so the host's port range is untouched.
TEST(SourceAddress, NamedWhenNoEphemeralPortIsFree) {
  if (auto why = sipline::test::enter_private_netns()) GTEST_SKIP() << *why;
  sipline::test::write_sysctl("net.ipv4.ip_local_port_range", "40000 40001");
  asio::io_context io;
  std::vector<std::unique_ptr<AsioTransport>> accounts;
  for (std::uint16_t port : {40000, 40001}) {
    TransportConfig c;
    c.port = port;
    auto t = AsioTransport::open(io, c);
    ASSERT_TRUE(t.ok()) << t.error().message();
    accounts.push_back(std::move(t).value());
  }
  const auto registrar = asio::ip::make_address("127.0.0.1");
  auto old_probe = detail::probe_source_connect(registrar);
  ASSERT_FALSE(old_probe) << "the port range is not exhausted: the test proves nothing";
  EXPECT_EQ(accounts[0]->local_address(Target{Address{Protocol::kUdp, "127.0.0.1", 5060}, {}}),
            (Address{Protocol::kUdp, "127.0.0.1", 40000}));
}

}  // namespace
}  // namespace sipline::transport::test
