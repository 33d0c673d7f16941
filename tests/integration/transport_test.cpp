// Loopback tests over real sockets: the same exchange for UDP, TCP and TLS on 127.0.0.1 and ::1,
// then what only datagrams or only streams do. Every wait is bounded.
#include <gtest/gtest.h>

#include "transport_support.hpp"

namespace sipline::transport::test {
namespace {

using namespace std::chrono_literals;

struct Param {
  Protocol protocol;
  const char* ip;
};
std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  return std::string(to_string(info.param.protocol)) +
         (std::string_view(info.param.ip) == "::1" ? "_ipv6" : "_ipv4");
}

class TransportTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    if (std::string_view(ip()) == "::1" && !ipv6_available()) GTEST_SKIP() << "no IPv6";
  }
  Protocol protocol() const { return GetParam().protocol; }
  const char* ip() const { return GetParam().ip; }
  TransportConfig config(std::uint16_t port = 0) const {
    TransportConfig c;
    c.protocol = protocol();
    c.bind_address = ip();
    c.port = port;
    c.connect_timeout = 2s;
    if (protocol() == Protocol::kTls) {
      c.tls.cert_file = test_certs().server_cert;
      c.tls.key_file = test_certs().server_key;
      c.tls.ca_file = test_certs().ca;
    }
    return c;
  }
  std::unique_ptr<AsioTransport> open(Recorder& user) {
    auto t = AsioTransport::open(io_, config());
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message());
    if (!t.ok()) return nullptr;
    t.value()->set_user(&user);
    return std::move(t).value();
  }
  Target target_of(const AsioTransport& t) const {
    return Target{Address{protocol(), ip(), t.port()}, {}};
  }
  asio::io_context io_;
};

TEST_P(TransportTest, ExchangeMessagesBothWays) {
  Recorder ua, ub;
  auto a = open(ua);
  auto b = open(ub);
  ASSERT_TRUE(a && b);
  a->send(target_of(*b), sip_message("a-to-b"));
  ASSERT_TRUE(run_until(io_, [&] { return ub.messages.size() == 1; }));
  EXPECT_EQ(ub.messages[0].raw, sip_message("a-to-b"));
  EXPECT_EQ(ub.messages[0].source.address, ip());
  EXPECT_EQ(ub.messages[0].source.protocol, protocol());
  EXPECT_EQ(ub.messages[0].local, (Address{protocol(), ip(), b->port()}));

  // The answer goes to where the request came from (for TCP/TLS: back on its connection).
  b->send(Target{ub.messages[0].source, {}}, sip_message("b-to-a", true));
  ASSERT_TRUE(run_until(io_, [&] { return ua.messages.size() == 1; }));
  EXPECT_EQ(ua.messages[0].raw, sip_message("b-to-a", true));
  EXPECT_EQ(ua.messages[0].source, target_of(*b).remote);

  // A new request from b to a's listening port.
  b->send(target_of(*a), sip_message("b-to-a-request"));
  ASSERT_TRUE(run_until(io_, [&] { return ua.messages.size() == 2; }));
  EXPECT_EQ(ua.messages[1].raw, sip_message("b-to-a-request"));
  EXPECT_EQ(ua.messages[1].local, (Address{protocol(), ip(), a->port()}));

  EXPECT_TRUE(ua.errors.empty());
  EXPECT_TRUE(ub.errors.empty());
  EXPECT_EQ(a->counters().messages_out, 1u);
  EXPECT_EQ(b->counters().messages_out, 2u);
  EXPECT_EQ(b->counters().messages_in, 1u);
  if (protocol() == Protocol::kUdp) {
    EXPECT_EQ(b->counters().datagrams_in, 1u);
    EXPECT_EQ(b->counters().datagrams_out, 2u);
  } else {
    EXPECT_EQ(a->counters().connections_opened, 1u);
    EXPECT_EQ(b->counters().connections_accepted, 1u);
    EXPECT_EQ(b->counters().connections_opened, 1u);  // only the one to a's listener
    EXPECT_EQ(b->connection_count(), 2u);
  }
  EXPECT_EQ(b->counters().bytes_in, sip_message("a-to-b").size());
}

TEST_P(TransportTest, LocalAddressIsTheBoundAddressAndPort) {
  Recorder ua, ub;
  auto a = open(ua);
  auto b = open(ub);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->port(), 0);
  EXPECT_EQ(a->local_address(target_of(*b)), (Address{protocol(), ip(), a->port()}));
  ASSERT_EQ(a->bound_addresses().size(), 1u);
  EXPECT_EQ(a->bound_addresses()[0], (Address{protocol(), ip(), a->port()}));
}

TEST_P(TransportTest, TraceHookSeesEveryMessageBothWays) {
  Recorder ua, ub;
  auto a = open(ua);
  auto b = open(ub);
  ASSERT_TRUE(a && b);
  std::vector<std::pair<TraceDirection, std::string>> seen;
  Address trace_local, trace_remote;
  a->set_trace(
      [&](TraceDirection d, const Address& local, const Address& remote, std::string_view bytes) {
        seen.emplace_back(d, std::string(bytes));
        trace_local = local;
        trace_remote = remote;
      });
  ub.on_message_hook = [&](const Received& r) {
    b->send(Target{r.source, {}}, sip_message("reply", true));
  };
  a->send(target_of(*b), sip_message("traced"));
  ASSERT_TRUE(run_until(io_, [&] { return ua.messages.size() == 1; }));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(TraceDirection::kSent, sip_message("traced")));
  EXPECT_EQ(seen[1], std::make_pair(TraceDirection::kReceived, sip_message("reply", true)));
  EXPECT_EQ(trace_remote, target_of(*b).remote);
  EXPECT_EQ(trace_local.address, ip());
}

TEST_P(TransportTest, ErrorsArriveLaterNeverInsideSend) {
  Recorder ua;
  auto a = open(ua);
  ASSERT_TRUE(a);
  const Target bad{Address{protocol(), "pbx.example.com", 5060}, {}};
  a->send(bad, sip_message("x"));
  EXPECT_TRUE(ua.errors.empty());
  ASSERT_TRUE(run_until(io_, [&] { return !ua.errors.empty(); }));
  EXPECT_EQ(ua.errors[0].kind, TransportErrorKind::kSendFailed);
  EXPECT_EQ(ua.errors[0].target, bad);
  EXPECT_NE(ua.errors[0].detail.find("not an IP address"), std::string::npos);
}

TEST_P(TransportTest, BindingAPortInUseIsAClearError) {
  Recorder ua;
  auto a = open(ua);
  ASSERT_TRUE(a);
  auto again = AsioTransport::open(io_, config(a->port()));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().port, a->port());
  EXPECT_EQ(again.error().reason, "address already in use");
  const std::string text = again.error().message();
  EXPECT_NE(text.find(std::to_string(a->port())), std::string::npos) << text;
  EXPECT_NE(text.find(to_string(protocol())), std::string::npos) << text;
}

TEST_P(TransportTest, DestroyingTheTransportInsideACallbackIsSafe) {
  Recorder ua, ub;
  auto a = open(ua);
  auto b = open(ub);
  ASSERT_TRUE(a && b);
  ub.on_message_hook = [&](const Received&) { b.reset(); };
  a->send(target_of(*b),
          sip_message("one") + (protocol() == Protocol::kUdp ? "" : sip_message("two")));
  ASSERT_TRUE(run_until(io_, [&] { return !b; }));
  run_for(io_, 50ms);
  EXPECT_EQ(ub.messages.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Loopback, TransportTest,
    ::testing::Values(Param{Protocol::kUdp, "127.0.0.1"}, Param{Protocol::kUdp, "::1"},
                      Param{Protocol::kTcp, "127.0.0.1"}, Param{Protocol::kTcp, "::1"},
                      Param{Protocol::kTls, "127.0.0.1"}, Param{Protocol::kTls, "::1"}),
    param_name);

}  // namespace
}  // namespace sipline::transport::test
