// [daemon] tls_cert_file / tls_key_file: optional PEM files every TLS listener serves; checked
// readable at load time and kept resolved against the config file's directory.
#include <gtest/gtest.h>

#include "config/load.hpp"

using namespace sipline::config;

namespace {

const std::string kData = SIPLINE_CONFIG_TEST_DATA;
const std::string kAccount = "[[account]]\nsip_server = \"pbx.example.com\"\nuser_id = \"1001\"\n";

std::vector<std::string> lines_of(const std::vector<Problem>& v) {
  std::vector<std::string> out;
  for (const auto& p : v) out.push_back(format_problem(p));
  return out;
}

}  // namespace

TEST(TlsFiles, UnsetByDefault) {
  auto r = parse_config(kAccount, "t.toml");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->config.daemon.tls_cert_file.empty());
  EXPECT_TRUE(r->config.daemon.tls_key_file.empty());
}

TEST(TlsFiles, RelativePathsAreResolvedAgainstTheConfigDirectory) {
  auto r = parse_config("[daemon]\ntls_cert_file = \"secret.txt\"\ntls_key_file = \"" + kData +
                            "/secret.txt\"\n" + kAccount + "tls_ca_file = \"secret.txt\"\n",
                        "t.toml", kData);
  ASSERT_TRUE(r.ok()) << lines_of(r.error().errors).at(0);
  EXPECT_EQ(r->config.daemon.tls_cert_file, kData + "/secret.txt");
  EXPECT_EQ(r->config.daemon.tls_key_file, kData + "/secret.txt");
  EXPECT_EQ(r->config.accounts.at(0).tls_ca_file, kData + "/secret.txt");
}

TEST(TlsFiles, CertificateAloneIsEnough) {
  auto r = parse_config("[daemon]\ntls_cert_file = \"secret.txt\"\n" + kAccount, "t.toml", kData);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->config.daemon.tls_key_file.empty());
}

TEST(TlsFiles, UnreadableFilesAreErrorsNamingKeyValueAndLine) {
  auto r = parse_config("[daemon]\ntls_cert_file = \"nope.pem\"\ntls_key_file = \"/\"\n" + kAccount,
                        "t.toml", kData);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(lines_of(r.error().errors),
            (std::vector<std::string>{
                "t.toml:2: daemon.tls_cert_file = \"nope.pem\": cannot read: No such file or "
                "directory",
                "t.toml:3: daemon.tls_key_file = \"/\": cannot read: not a regular file"}));
}

TEST(TlsFiles, KeyWithoutCertificateIsAnError) {
  auto r = parse_config("[daemon]\ntls_key_file = \"secret.txt\"\n" + kAccount, "t.toml", kData);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(lines_of(r.error().errors),
            std::vector<std::string>{"t.toml:2: daemon.tls_key_file = \"secret.txt\": needs "
                                     "tls_cert_file (the certificate of this key)"});
}
