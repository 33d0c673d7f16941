// What only the UDP transport does: datagram garbage, keep-alive datagrams, wildcard binds.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>

#include "transport_support.hpp"

namespace sipline::transport::test {
namespace {

using namespace std::chrono_literals;

class UdpTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (std::string_view(GetParam()) == "::1" && !ipv6_available()) GTEST_SKIP() << "no IPv6";
    open(false);
  }
  void open(bool batch_sends) {
    transport_.reset();
    TransportConfig c;
    c.bind_address = GetParam();
    c.batch_sends = batch_sends;
    auto t = AsioTransport::open(io_, c);
    ASSERT_TRUE(t.ok()) << t.error().message();
    transport_ = std::move(t).value();
    transport_->set_user(&user_);
    if (raw_.is_open()) return;
    raw_.open(asio::ip::make_address(GetParam()).is_v6() ? asio::ip::udp::v6()
                                                         : asio::ip::udp::v4());
  }
  void raw_send(const std::string& bytes) {
    raw_.send_to(asio::buffer(bytes),
                 asio::ip::udp::endpoint(asio::ip::make_address(GetParam()), transport_->port()));
  }
  asio::io_context io_;
  Recorder user_;
  std::unique_ptr<AsioTransport> transport_;
  asio::ip::udp::socket raw_{io_};
};

TEST_P(UdpTest, MalformedDatagramIsCountedAndDroppedAndTheNextOneDelivered) {
  raw_send("this is not SIP\r\n\r\n");
  raw_send("INVITE\r\n\r\n");
  raw_send(sip_message("good"));
  ASSERT_TRUE(run_until(io_, [&] { return user_.messages.size() == 1; }));
  EXPECT_EQ(user_.messages[0].raw, sip_message("good"));
  EXPECT_EQ(transport_->counters().malformed_dropped, 2u);
  EXPECT_EQ(transport_->counters().datagrams_in, 3u);
  EXPECT_EQ(transport_->counters().messages_in, 1u);
  EXPECT_TRUE(user_.errors.empty());
}

std::string stun_bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

TEST_P(UdpTest, StunIsDemultiplexedBeforeTheSipParserAndABindingSuccessIsAPong) {
  // RFC 5769 §2.2 sample IPv4 response (XOR-MAPPED-ADDRESS 192.0.2.1:32853, FINGERPRINT).
  const std::string response = stun_bytes(
      {0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
       0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74,
       0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01,
       0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43, 0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99,
       0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b,
       0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96});
  // A Binding request (someone pinging us): dropped, but never taken for SIP either.
  const std::string request = stun_bytes(
      {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  raw_send(request);
  raw_send(response);
  raw_send(sip_message("after"));
  ASSERT_TRUE(run_until(io_, [&] { return user_.messages.size() == 1; }));
  ASSERT_EQ(user_.pongs.size(), 1u);
  EXPECT_EQ(user_.pongs[0].stun_transaction.size(), 12u);
  ASSERT_TRUE(user_.pongs[0].mapped);
  EXPECT_EQ(user_.pongs[0].mapped->address, "192.0.2.1");
  EXPECT_EQ(user_.pongs[0].mapped->port, 32853);
  EXPECT_EQ(user_.pongs[0].target.remote.port, raw_.local_endpoint().port());
  EXPECT_EQ(transport_->counters().stun_in, 2u);
  EXPECT_EQ(transport_->counters().malformed_dropped, 0u);
  EXPECT_EQ(transport_->counters().messages_in, 1u);
}

TEST_P(UdpTest, EmptyAndCrlfDatagramsAreKeepAlivesAndIgnored) {
  raw_send("");
  raw_send("\r\n\r\n");
  raw_send("\r\n");
  raw_send(sip_message("after"));
  ASSERT_TRUE(run_until(io_, [&] { return user_.messages.size() == 1; }));
  EXPECT_EQ(transport_->counters().keepalives_in, 3u);
  EXPECT_EQ(transport_->counters().malformed_dropped, 0u);
}

TEST_P(UdpTest, BinaryGarbageNeverCrashes) {
  std::string junk;
  for (int i = 0; i < 3000; ++i) junk.push_back(static_cast<char>((i * 131) & 0xff));
  raw_send(junk);
  raw_send(std::string(60000, 'A'));
  raw_send(sip_message("still-alive"));
  ASSERT_TRUE(run_until(io_, [&] { return user_.messages.size() == 1; }));
  EXPECT_EQ(transport_->counters().malformed_dropped, 2u);
}

// RFC 3261 §18.4: a send answered by ICMP port unreachable is reported at once, for that
// destination, and the socket keeps working.
TEST_P(UdpTest, PortUnreachableIsReportedForThatDestination) {
  const auto ip = asio::ip::make_address(GetParam());
  std::uint16_t closed_port = 0;
  {
    asio::ip::udp::socket probe(io_, asio::ip::udp::endpoint(ip, 0));
    closed_port = probe.local_endpoint().port();
  }  // closed: nothing listens there now
  const Address dead{Protocol::kUdp, GetParam(), closed_port};
  transport_->send(Target{dead, ""}, sip_message("to-nobody"));
  ASSERT_TRUE(run_until(io_, [&] { return !user_.errors.empty(); }));
  EXPECT_EQ(user_.errors[0].kind, TransportErrorKind::kUnreachable);
  EXPECT_EQ(user_.errors[0].target.remote, dead);
  EXPECT_NE(user_.errors[0].detail.find("refused"), std::string::npos) << user_.errors[0].detail;
  EXPECT_EQ(transport_->counters().unreachable_in, 1u);

  raw_send(sip_message("after-icmp"));
  ASSERT_TRUE(run_until(io_, [&] { return user_.messages.size() == 1; }));
  EXPECT_EQ(user_.errors.size(), 1u);
}

// batch_sends (a shared socket): what is sent in one turn of the loop leaves at its end, in
// one sendmmsg, in order, and counted; a stop sends what was queued before it.
TEST_P(UdpTest, BatchedSendsLeaveTogetherInOrderAtTheEndOfTheTurn) {
  open(true);
  const auto ip = asio::ip::make_address(GetParam());
  asio::ip::udp::socket peer(io_, asio::ip::udp::endpoint(ip, 0));
  const Address to{Protocol::kUdp, GetParam(), peer.local_endpoint().port()};
  constexpr int kCount = 100;  // more than one sendmmsg takes
  for (int i = 0; i < kCount; ++i) transport_->send(Target{to, ""}, sip_message(std::to_string(i)));
  EXPECT_EQ(transport_->counters().datagrams_out, 0u) << "queued until the turn ends";
  ASSERT_TRUE(run_until(io_, [&] { return transport_->counters().datagrams_out == kCount; }));
  EXPECT_EQ(transport_->counters().messages_out, static_cast<std::uint64_t>(kCount));
  std::array<char, 2048> buf{};
  for (int i = 0; i < kCount; ++i) {
    const std::size_t n = peer.receive(asio::buffer(buf));
    ASSERT_EQ(std::string(buf.data(), n), sip_message(std::to_string(i)));
  }

  transport_->send(Target{to, ""}, sip_message("before-stop"));
  transport_.reset();  // stops it
  peer.non_blocking(true);
  std::error_code ec;
  const std::size_t n = peer.receive(asio::buffer(buf), 0, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(std::string(buf.data(), n), sip_message("before-stop"));
}

// A batched send to a dead port is reported like a single one, and the others still leave.
TEST_P(UdpTest, BatchedSendToADeadPortIsReportedAndTheRestLeave) {
  open(true);
  const auto ip = asio::ip::make_address(GetParam());
  std::uint16_t closed_port = 0;
  {
    asio::ip::udp::socket probe(io_, asio::ip::udp::endpoint(ip, 0));
    closed_port = probe.local_endpoint().port();
  }
  asio::ip::udp::socket peer(io_, asio::ip::udp::endpoint(ip, 0));
  const Address dead{Protocol::kUdp, GetParam(), closed_port};
  const Address live{Protocol::kUdp, GetParam(), peer.local_endpoint().port()};
  transport_->send(Target{dead, ""}, sip_message("to-nobody"));
  transport_->send(Target{live, ""}, sip_message("to-peer"));
  ASSERT_TRUE(run_until(io_, [&] { return !user_.errors.empty(); }));
  EXPECT_EQ(user_.errors[0].kind, TransportErrorKind::kUnreachable);
  EXPECT_EQ(user_.errors[0].target.remote, dead);
  std::array<char, 2048> buf{};
  const std::size_t n = peer.receive(asio::buffer(buf));
  EXPECT_EQ(std::string(buf.data(), n), sip_message("to-peer"));
}

INSTANTIATE_TEST_SUITE_P(Loopback, UdpTest, ::testing::Values("127.0.0.1", "::1"),
                         [](const auto& info) {
                           return std::string(std::string_view(info.param) == "::1" ? "ipv6"
                                                                                    : "ipv4");
                         });

TEST(UdpWildcard, LocalAddressIsTheSourceTheKernelPicks) {
  asio::io_context io;
  TransportConfig c;  // empty bind address: 0.0.0.0 and :: on one port
  auto t = AsioTransport::open(io, c);
  ASSERT_TRUE(t.ok()) << t.error().message();
  auto& transport = *t.value();
  const std::uint16_t port = transport.port();
  ASSERT_NE(port, 0);
  EXPECT_EQ(transport.bound_addresses()[0], (Address{Protocol::kUdp, "0.0.0.0", port}));
  EXPECT_EQ(transport.local_address(Target{Address{Protocol::kUdp, "127.0.0.1", 5060}, {}}),
            (Address{Protocol::kUdp, "127.0.0.1", port}));
  if (ipv6_available()) {
    ASSERT_EQ(transport.bound_addresses().size(), 2u);
    EXPECT_EQ(transport.bound_addresses()[1], (Address{Protocol::kUdp, "::", port}));
    EXPECT_EQ(transport.local_address(Target{Address{Protocol::kUdp, "::1", 5060}, {}}),
              (Address{Protocol::kUdp, "::1", port}));
  }
  // Both families receive.
  Recorder user;
  transport.set_user(&user);
  asio::ip::udp::socket raw(io, asio::ip::udp::v4());
  raw.send_to(asio::buffer(sip_message("v4")),
              asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  ASSERT_TRUE(run_until(io, [&] { return user.messages.size() == 1; }));
  EXPECT_EQ(user.messages[0].source.address, "127.0.0.1");
  EXPECT_EQ(user.messages[0].local, (Address{Protocol::kUdp, "0.0.0.0", port}));
}

TEST(UdpBind, PortInUseNamesThePortAndTheReason) {
  asio::io_context io;
  asio::ip::udp::socket holder(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = holder.local_endpoint().port();
  TransportConfig c;
  c.bind_address = "127.0.0.1";
  c.port = port;
  auto t = AsioTransport::open(io, c);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message(),
            "cannot listen on udp:127.0.0.1:" + std::to_string(port) + ": address already in use");
}

TEST(UdpBind, PrivilegedPortWithoutPrivilegeSaysSo) {
  if (geteuid() == 0) GTEST_SKIP() << "running as root: low ports are allowed";
  asio::io_context io;
  TransportConfig c;
  c.bind_address = "127.0.0.1";
  c.port = 5;
  auto t = AsioTransport::open(io, c);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().reason, "permission denied: ports below 1024 need privilege");
}

TEST(UdpBind, NotAnIpAddress) {
  asio::io_context io;
  TransportConfig c;
  c.bind_address = "localhost";
  auto t = AsioTransport::open(io, c);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().reason, "not an IP address");
}

}  // namespace
}  // namespace sipline::transport::test
