// TLS verification over loopback: chains against a CA file or the system CAs, host names and
// IP addresses, verify = false, handshake failures and timeouts, configuration errors.
#include <gtest/gtest.h>

#include "transport_support.hpp"

namespace sipline::transport::test {
namespace {

using namespace std::chrono_literals;

class TlsTest : public ::testing::Test {
 protected:
  // A TLS server on 127.0.0.1 serving the CA-signed certificate, or the self-signed one.
  void start_server(bool self_signed) {
    TransportConfig c;
    c.protocol = Protocol::kTls;
    c.bind_address = "127.0.0.1";
    c.tls.cert_file = self_signed ? test_certs().self_cert : test_certs().server_cert;
    c.tls.key_file = self_signed ? test_certs().self_key : test_certs().server_key;
    auto t = AsioTransport::open(io_, c);
    ASSERT_TRUE(t.ok()) << t.error().message();
    server_ = std::move(t).value();
    server_->set_user(&server_user_);
  }
  // A client TLS transport (it listens too, serving the generated certificate).
  void start_client(TlsSettings tls, std::chrono::milliseconds timeout = 2s) {
    TransportConfig c;
    c.protocol = Protocol::kTls;
    c.bind_address = "127.0.0.1";
    c.connect_timeout = timeout;
    c.tls = std::move(tls);
    auto t = AsioTransport::open(io_, c);
    ASSERT_TRUE(t.ok()) << t.error().message();
    client_ = std::move(t).value();
    client_->set_user(&client_user_);
  }
  Target server_target(std::string name = {}) const {
    return Target{Address{Protocol::kTls, "127.0.0.1", server_->port()}, std::move(name)};
  }
  // Sends one request; true when the server got it, false when the client got an error.
  bool exchange(const Target& to) {
    client_->send(to, sip_message("tls"));
    run_until(io_, [&] { return !server_user_.messages.empty() || !client_user_.errors.empty(); });
    return !server_user_.messages.empty();
  }
  static TlsSettings trusting_ca() {
    TlsSettings s;
    s.ca_file = test_certs().ca;
    return s;
  }
  asio::io_context io_;
  Recorder server_user_, client_user_;
  std::unique_ptr<AsioTransport> server_, client_;
};

TEST_F(TlsTest, TrustedViaCaFileByIpAddress) {
  start_server(false);
  start_client(trusting_ca());
  EXPECT_EQ(client_->bound_addresses().size(), 1u);  // every TLS transport listens
  ASSERT_TRUE(exchange(server_target()))
      << (client_user_.errors.empty() ? "" : client_user_.errors[0].detail);
  EXPECT_EQ(client_->counters().connections_opened, 1u);
  EXPECT_EQ(client_->counters().tls_failures, 0u);
}

TEST_F(TlsTest, TrustedViaCaFileByHostName) {
  start_server(false);
  start_client(trusting_ca());
  EXPECT_TRUE(exchange(server_target("sipline.test")));
}

TEST_F(TlsTest, SelfSignedIsRejectedAgainstTheSystemCas) {
  start_server(true);
  start_client(TlsSettings{});
  ASSERT_FALSE(exchange(server_target("sipline.test")));
  ASSERT_EQ(client_user_.errors.size(), 1u);
  EXPECT_EQ(client_user_.errors[0].kind, TransportErrorKind::kTlsCertificate);
  EXPECT_NE(client_user_.errors[0].detail.find("self-signed"), std::string::npos)
      << client_user_.errors[0].detail;
  EXPECT_EQ(client_->counters().tls_failures, 1u);
  EXPECT_EQ(client_->counters().connections_failed, 1u);
  EXPECT_EQ(client_->connection_count(), 0u);
}

TEST_F(TlsTest, SelfSignedIsRejectedAgainstAnotherCa) {
  start_server(true);
  start_client(trusting_ca());
  ASSERT_FALSE(exchange(server_target()));
  EXPECT_EQ(client_user_.errors[0].kind, TransportErrorKind::kTlsCertificate);
}

TEST_F(TlsTest, HostNameMismatchIsACertificateFailure) {
  start_server(false);
  start_client(trusting_ca());
  ASSERT_FALSE(exchange(server_target("pbx.example.com")));
  EXPECT_EQ(client_user_.errors[0].kind, TransportErrorKind::kTlsCertificate);
  EXPECT_NE(client_user_.errors[0].detail.find("hostname mismatch"), std::string::npos)
      << client_user_.errors[0].detail;
}

TEST_F(TlsTest, IpAddressMismatchIsACertificateFailure) {
  start_server(false);
  start_client(trusting_ca());
  ASSERT_FALSE(exchange(server_target("127.0.0.2")));  // an IP literal name is checked as an IP
  EXPECT_EQ(client_user_.errors[0].kind, TransportErrorKind::kTlsCertificate);
  EXPECT_NE(client_user_.errors[0].detail.find("IP address mismatch"), std::string::npos)
      << client_user_.errors[0].detail;
}

TEST_F(TlsTest, VerifyFalseAcceptsAnything) {
  start_server(true);
  TlsSettings s;
  s.verify = false;
  start_client(s);
  EXPECT_TRUE(exchange(server_target("pbx.example.com")));
}

TEST_F(TlsTest, PlainTcpServerIsAHandshakeFailure) {
  TransportConfig c;
  c.protocol = Protocol::kTcp;
  c.bind_address = "127.0.0.1";
  auto tcp = AsioTransport::open(io_, c);
  ASSERT_TRUE(tcp.ok());
  start_client(trusting_ca());
  client_->send(Target{Address{Protocol::kTls, "127.0.0.1", tcp.value()->port()}, {}},
                sip_message("x"));
  ASSERT_TRUE(run_until(io_, [&] { return !client_user_.errors.empty(); }));
  EXPECT_EQ(client_user_.errors[0].kind, TransportErrorKind::kTlsHandshake);
  EXPECT_FALSE(client_user_.errors[0].detail.empty());
}

TEST_F(TlsTest, SilentServerTimesOutTheHandshake) {
  asio::ip::tcp::acceptor silent(io_,
                                 asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::ip::tcp::socket accepted(io_);
  silent.async_accept(accepted, [](const std::error_code&) {});  // accepts, never speaks
  start_client(trusting_ca(), 300ms);
  client_->send(Target{Address{Protocol::kTls, "127.0.0.1", silent.local_endpoint().port()}, {}},
                sip_message("x"));
  ASSERT_TRUE(run_until(
      io_, [&] { return !client_user_.errors.empty(); }, 3000ms));
  EXPECT_EQ(client_user_.errors[0].kind, TransportErrorKind::kTlsHandshake);
  EXPECT_EQ(client_user_.errors[0].detail, "handshake timed out after 300 ms");
}

TEST_F(TlsTest, UntrustedClientAgainstOurListenerCountsAFailure) {
  start_server(true);
  start_client(trusting_ca());
  ASSERT_FALSE(exchange(server_target()));
  // The server sees the client give up (an alert); the listener keeps serving.
  ASSERT_TRUE(run_until(io_, [&] { return server_->counters().tls_failures == 1; }));
  EXPECT_EQ(server_->connection_count(), 0u);
  EXPECT_TRUE(server_user_.errors.empty());
}

TEST(TlsConfig, MissingCaFileIsAnOpenError) {
  asio::io_context io;
  TransportConfig c;
  c.protocol = Protocol::kTls;
  c.bind_address = "127.0.0.1";
  c.tls.ca_file = "/nonexistent/ca.pem";
  auto t = AsioTransport::open(io, c);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().reason.find("/nonexistent/ca.pem"), std::string::npos) << t.error().reason;
}

TEST(TlsConfig, KeyNotMatchingTheCertificateIsAnOpenError) {
  asio::io_context io;
  TransportConfig c;
  c.protocol = Protocol::kTls;
  c.bind_address = "127.0.0.1";
  c.tls.cert_file = test_certs().server_cert;
  c.tls.key_file = test_certs().self_key;
  auto t = AsioTransport::open(io, c);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().reason.find("key values mismatch"), std::string::npos) << t.error().reason;
}

}  // namespace
}  // namespace sipline::transport::test
