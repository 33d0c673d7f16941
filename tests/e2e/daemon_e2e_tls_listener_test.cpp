// A tls account listens on its local_tls_port (the port its Contact names): with the self-signed
// certificate sipline generates when [daemon] has no tls_cert_file, and with the configured
// tls_cert_file / tls_key_file. Spec: /work/shared/spec/account-settings.md ("tls: as tcp, over
// TLS 1.2+, listening on local_tls_port"), docs/config.md.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "e2e_support.hpp"
#include "support/tls_client.hpp"

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;
using test::Kamailio;

// Adds `lines` to the [daemon] table of the config Daemon::write_config wrote.
void add_daemon_keys(const Daemon& d, const std::string& lines) {
  std::stringstream text;
  text << std::ifstream(d.config_path()).rdbuf();
  std::string config = text.str();
  const std::string table = "[daemon]\n";
  config.insert(config.find(table) + table.size(), lines);
  std::ofstream(d.config_path(), std::ios::trunc) << config;
}

class DaemonTlsListener : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_THROW(kam_.start()); }
  // Starts a daemon with one tls account (plus `daemon_keys`); the account's listening port.
  std::uint16_t start_registered(const std::string& user, const std::string& daemon_keys = "") {
    d_.write_config({account_for(kam_, Transport::kTls, user)});
    add_daemon_keys(d_, daemon_keys);
    EXPECT_TRUE(d_.start());
    Json status;
    EXPECT_TRUE(d_.wait_registered(1, 5s, &status)) << status.dump();
    if (!status.is_object() || !status.contains("local_port")) return 0;
    const auto port = status["local_port"].get<std::uint16_t>();
    EXPECT_EQ(status["contact"], expected_contact(Transport::kTls, user, port));
    return port;
  }
  Kamailio kam_;
  TempDir tmp_;
  Daemon d_{tmp_.path()};
};

TEST_F(DaemonTlsListener, LocalTlsPortServesTheGeneratedCertificate) {
  const std::uint16_t port = start_registered("1060");
  ASSERT_NE(port, 0);
  test::TlsClient any("127.0.0.1", port, test::TlsClientOptions{.verify = false});
  EXPECT_TRUE(any.ok()) << any.error() << "\n" << d_.log_tail(20);
  // Self-signed for localhost / 127.0.0.1: the name matches, the chain is trusted by nobody.
  test::TlsClient checked("127.0.0.1", port, test::TlsClientOptions{.verify_host = "127.0.0.1"});
  EXPECT_FALSE(checked.ok());
  EXPECT_NE(checked.error().find("self-signed"), std::string::npos) << checked.error();
  EXPECT_NE(d_.log_tail(200).find("generated self-signed certificate"), std::string::npos);
}

TEST_F(DaemonTlsListener, LocalTlsPortServesTheConfiguredCertificate) {
  // Kamailio's self-signed certificate and key, as the daemon's own.
  const auto cert = kam_.cert_path();
  const auto key = cert.parent_path() / "key.pem";
  const std::uint16_t port =
      start_registered("1061", "tls_cert_file = \"" + cert.string() + "\"\ntls_key_file = \"" +
                                   key.string() + "\"\n");
  ASSERT_NE(port, 0);
  test::TlsClient trusting("127.0.0.1", port, test::TlsClientOptions{.ca_file = cert.string()});
  EXPECT_TRUE(trusting.ok()) << trusting.error() << "\n" << d_.log_tail(20);
}

}  // namespace
}  // namespace sipline::e2e
