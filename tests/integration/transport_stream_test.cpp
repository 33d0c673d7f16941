// What only the stream transports (TCP and TLS) do: framing across and within writes, CRLF
// keep-alives, broken and unframeable streams, lost connections re-opened on the next send.
#include <gtest/gtest.h>

#include "transport_support.hpp"

namespace sipline::transport::test {
namespace {

using namespace std::chrono_literals;

struct Param {
  Protocol protocol;
  const char* ip;
};

class StreamTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    if (std::string_view(ip()) == "::1" && !ipv6_available()) GTEST_SKIP() << "no IPv6";
    server_ = open(server_user_);
    ASSERT_TRUE(server_);
  }
  Protocol protocol() const { return GetParam().protocol; }
  const char* ip() const { return GetParam().ip; }
  bool tls() const { return protocol() == Protocol::kTls; }
  std::unique_ptr<AsioTransport> open(Recorder& user) {
    TransportConfig c;
    c.protocol = protocol();
    c.bind_address = ip();
    c.connect_timeout = 2s;
    if (tls()) {
      c.tls.cert_file = test_certs().server_cert;
      c.tls.key_file = test_certs().server_key;
      c.tls.ca_file = test_certs().ca;
    }
    auto t = AsioTransport::open(io_, c);
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message());
    if (!t.ok()) return nullptr;
    t.value()->set_user(&user);
    return std::move(t).value();
  }
  Address server_address() const { return Address{protocol(), ip(), server_->port()}; }
  std::unique_ptr<RawClient> connect_raw() {
    auto c = std::make_unique<RawClient>(io_, tls());
    EXPECT_TRUE(c->connect(server_address()));
    return c;
  }
  // Writes, then waits until the server has read that many bytes in all.
  void write_and_settle(RawClient& c, const std::string& bytes) {
    const auto before = server_->counters().bytes_in;
    ASSERT_TRUE(c.write(bytes));
    ASSERT_TRUE(
        run_until(io_, [&] { return server_->counters().bytes_in >= before + bytes.size(); }));
  }
  asio::io_context io_;
  Recorder server_user_;
  std::unique_ptr<AsioTransport> server_;
};

TEST_P(StreamTest, MessageSplitAcrossWritesIsDeliveredOnce) {
  auto c = connect_raw();
  const std::string m = sip_message("split", false, "v=0\r\n");
  write_and_settle(*c, m.substr(0, 10));
  write_and_settle(*c, m.substr(10, 150));
  EXPECT_TRUE(server_user_.messages.empty());
  write_and_settle(*c, m.substr(160));
  ASSERT_TRUE(run_until(io_, [&] { return server_user_.messages.size() == 1; }));
  EXPECT_EQ(server_user_.messages[0].raw, m);
  run_for(io_, 20ms);
  EXPECT_EQ(server_user_.messages.size(), 1u);
}

TEST_P(StreamTest, SeveralMessagesInOneWriteAreDeliveredInOrder) {
  auto c = connect_raw();
  const std::string all =
      sip_message("one") + sip_message("two", false, "body") + sip_message("three", true);
  write_and_settle(*c, all);
  ASSERT_TRUE(run_until(io_, [&] { return server_user_.messages.size() == 3; }));
  EXPECT_EQ(server_user_.messages[0].raw, sip_message("one"));
  EXPECT_EQ(server_user_.messages[1].raw, sip_message("two", false, "body"));
  EXPECT_EQ(server_user_.messages[2].raw, sip_message("three", true));
  EXPECT_EQ(server_->counters().messages_in, 3u);
}

TEST_P(StreamTest, CrlfPingGetsAPongAndKeepAlivesAreSkipped) {
  auto c = connect_raw();
  write_and_settle(*c, "\r\n\r\n");
  ASSERT_TRUE(run_until(io_, [&] { return c->received() == "\r\n"; }));
  write_and_settle(*c, "\r\n");  // a pong: no answer
  write_and_settle(*c, "\r\n\r\n" + sip_message("after-ping"));
  ASSERT_TRUE(run_until(io_, [&] { return server_user_.messages.size() == 1; }));
  EXPECT_EQ(server_user_.messages[0].raw, sip_message("after-ping"));
  run_for(io_, 20ms);
  EXPECT_EQ(c->received(), "\r\n\r\n");  // two pings, two pongs
  EXPECT_EQ(server_->counters().pongs_out, 2u);
  EXPECT_GE(server_->counters().keepalives_in, 3u);
}

TEST_P(StreamTest, OurPingsPongIsReportedToTheUserWithItsTarget) {
  Recorder client_user;
  auto client = open(client_user);
  ASSERT_TRUE(client);
  const Target target{server_address(), "sipline.test"};
  client->send(target, "\r\n\r\n");  // RFC 5626 §4.4.1 ping: the server answers a pong
  ASSERT_TRUE(run_until(io_, [&] { return client_user.pongs.size() == 1; }));
  EXPECT_EQ(client_user.pongs[0].target, target);
  EXPECT_EQ(client_user.pongs[0].stun_transaction, "");
  EXPECT_EQ(server_->counters().pongs_out, 1u);
  EXPECT_EQ(client->counters().pongs_in, 1u);
  EXPECT_TRUE(client_user.messages.empty());
  EXPECT_EQ(client->counters().malformed_dropped, 0u);
}

TEST_P(StreamTest, TruncatedFrameThenCloseIsCountedAndDropped) {
  auto c = connect_raw();
  const std::string m = sip_message("cut", false, "0123456789");
  write_and_settle(*c, m.substr(0, m.size() - 4));
  c->close();
  ASSERT_TRUE(run_until(io_, [&] { return server_->connection_count() == 0; }));
  EXPECT_TRUE(server_user_.messages.empty());
  EXPECT_EQ(server_->counters().malformed_dropped, 1u);
  EXPECT_TRUE(server_user_.errors.empty());  // an inbound connection's end is not an error
  // The listener still serves.
  auto d = connect_raw();
  write_and_settle(*d, sip_message("next"));
  ASSERT_TRUE(run_until(io_, [&] { return server_user_.messages.size() == 1; }));
}

TEST_P(StreamTest, UnframeableStreamClosesTheConnection) {
  auto c = connect_raw();
  ASSERT_TRUE(c->write(std::string("\x01\x02garbage that is no SIP at all\r\n\r\n")));
  ASSERT_TRUE(run_until(io_, [&] { return c->closed_by_peer(); }));
  EXPECT_EQ(server_->counters().malformed_dropped, 1u);
  EXPECT_EQ(server_->connection_count(), 0u);
  EXPECT_TRUE(server_user_.messages.empty());
}

TEST_P(StreamTest, ReplyToTheSourceGoesBackOnTheInboundConnection) {
  auto c = connect_raw();
  write_and_settle(*c, sip_message("req"));
  ASSERT_TRUE(run_until(io_, [&] { return server_user_.messages.size() == 1; }));
  server_->send(Target{server_user_.messages[0].source, {}}, sip_message("req", true));
  ASSERT_TRUE(run_until(io_, [&] { return c->received() == sip_message("req", true); }));
  EXPECT_EQ(server_->connection_count(), 1u);
  EXPECT_EQ(server_->counters().connections_opened, 0u);
}

TEST_P(StreamTest, LostConnectionIsReportedAndReopenedOnTheNextSend) {
  Recorder client_user;
  auto client = open(client_user);
  ASSERT_TRUE(client);
  const Target to{server_address(), {}};
  client->send(to, sip_message("first"));
  ASSERT_TRUE(run_until(io_, [&] { return server_user_.messages.size() == 1; }));
  // The server drops the connection.
  server_->reset(Target{server_user_.messages[0].source, {}});
  ASSERT_TRUE(run_until(io_, [&] { return !client_user.errors.empty(); }));
  EXPECT_EQ(client_user.errors[0].kind, TransportErrorKind::kConnectionLost);
  EXPECT_EQ(client_user.errors[0].target, to);
  EXPECT_EQ(client->connection_count(), 0u);
  EXPECT_EQ(client->counters().connections_lost, 1u);
  client->send(to, sip_message("second"));
  ASSERT_TRUE(run_until(io_, [&] { return server_user_.messages.size() == 2; }));
  EXPECT_EQ(server_user_.messages[1].raw, sip_message("second"));
  EXPECT_EQ(client->counters().connections_opened, 2u);
  EXPECT_EQ(client_user.errors.size(), 1u);
}

TEST_P(StreamTest, ResetClosesSoTheNextSendOpensANewConnection) {
  Recorder client_user;
  auto client = open(client_user);
  ASSERT_TRUE(client);
  const Target to{server_address(), {}};
  client->send(to, sip_message("a"));
  client->send(to, sip_message("b"));  // queued while connecting, same connection
  ASSERT_TRUE(run_until(io_, [&] { return server_user_.messages.size() == 2; }));
  EXPECT_EQ(client->counters().connections_opened, 1u);
  client->reset(to);
  EXPECT_EQ(client->connection_count(), 0u);
  client->send(to, sip_message("c"));
  ASSERT_TRUE(run_until(io_, [&] { return server_user_.messages.size() == 3; }));
  EXPECT_EQ(client->counters().connections_opened, 2u);
  EXPECT_TRUE(client_user.errors.empty());  // a reset is asked for, not reported
}

TEST_P(StreamTest, ConnectRefusedIsReported) {
  Recorder client_user;
  auto client = open(client_user);
  ASSERT_TRUE(client);
  std::uint16_t closed_port = 0;
  {
    asio::ip::tcp::acceptor probe(io_, asio::ip::tcp::endpoint(asio::ip::make_address(ip()), 0));
    closed_port = probe.local_endpoint().port();
  }
  const Target to{Address{protocol(), ip(), closed_port}, {}};
  client->send(to, sip_message("nobody"));
  EXPECT_TRUE(client_user.errors.empty());
  ASSERT_TRUE(run_until(io_, [&] { return !client_user.errors.empty(); }));
  EXPECT_EQ(client_user.errors[0].kind, TransportErrorKind::kConnectFailed);
  EXPECT_EQ(client_user.errors[0].target, to);
  EXPECT_EQ(client->counters().connections_failed, 1u);
  EXPECT_EQ(client->connection_count(), 0u);
}

TEST_P(StreamTest, LocalAddressUsesTheListenerPort) {
  Recorder client_user;
  auto client = open(client_user);
  ASSERT_TRUE(client);
  const Target to{server_address(), {}};
  client->send(to, sip_message("x"));
  ASSERT_TRUE(run_until(io_, [&] { return server_user_.messages.size() == 1; }));
  EXPECT_EQ(client->local_address(to), (Address{protocol(), ip(), client->port()}));
}

INSTANTIATE_TEST_SUITE_P(Loopback, StreamTest,
                         ::testing::Values(Param{Protocol::kTcp, "127.0.0.1"},
                                           Param{Protocol::kTcp, "::1"},
                                           Param{Protocol::kTls, "127.0.0.1"},
                                           Param{Protocol::kTls, "::1"}),
                         [](const auto& info) {
                           return std::string(to_string(info.param.protocol)) +
                                  (std::string_view(info.param.ip) == "::1" ? "_ipv6" : "_ipv4");
                         });

}  // namespace
}  // namespace sipline::transport::test
