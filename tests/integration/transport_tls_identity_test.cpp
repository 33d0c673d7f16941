// What a TLS listener serves: the configured cert_file, or else the self-signed certificate
// sipline generates once per process (EC P-256, SAN localhost / 127.0.0.1 / ::1), so a TLS
// account always listens on its local_tls_port.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>

#include "transport/tls.hpp"
#include "transport_support.hpp"

namespace sipline::transport::test {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<AsioTransport> open_tls(asio::io_context& io, TlsSettings tls) {
  TransportConfig c;
  c.protocol = Protocol::kTls;
  c.bind_address = "127.0.0.1";
  c.connect_timeout = 2s;
  c.tls = std::move(tls);
  auto t = AsioTransport::open(io, c);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message());
  return t.ok() ? std::move(t).value() : nullptr;
}

// The certificate a raw TLS client is shown by `server`.
std::shared_ptr<X509> served_certificate(asio::io_context& io, const AsioTransport& server) {
  RawClient client(io, true);
  if (!client.connect(Address{Protocol::kTls, "127.0.0.1", server.port()})) return nullptr;
  auto cert = client.peer_certificate();
  client.close();  // and let its aborted read finish before `client` goes away
  run_until(io, [&] { return client.closed_by_peer(); });
  return cert;
}

// X509 verification of `cert` with itself as the only trust anchor (a pinned certificate, or
// tls_ca_file = the certificate) for host `name`: X509_V_OK when it would be accepted.
int verify_pinned(X509* cert, const char* name) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      &X509_STORE_CTX_free);
  X509_STORE_add_cert(store.get(), cert);
  X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx.get()), name, 0);
  X509_verify_cert(ctx.get());
  return X509_STORE_CTX_get_error(ctx.get());
}

std::shared_ptr<X509> read_pem(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return nullptr;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return std::shared_ptr<X509>(cert, &X509_free);
}

std::string common_name(X509* cert) {
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  return cn;
}

TEST(TlsIdentity, WithoutCertFilesTheListenerAcceptsAndDelivers) {
  asio::io_context io;
  Recorder server_user, client_user;
  auto server = open_tls(io, TlsSettings{});
  ASSERT_TRUE(server);
  server->set_user(&server_user);
  ASSERT_EQ(server->bound_addresses().size(), 1u);
  TlsSettings no_verify;
  no_verify.verify = false;
  auto client = open_tls(io, no_verify);
  ASSERT_TRUE(client);
  client->set_user(&client_user);

  client->send(Target{Address{Protocol::kTls, "127.0.0.1", server->port()}, {}},
               sip_message("generated"));
  ASSERT_TRUE(run_until(io, [&] { return !server_user.messages.empty(); }))
      << (client_user.errors.empty() ? "" : client_user.errors[0].detail);
  EXPECT_EQ(server_user.messages[0].raw, sip_message("generated"));
  EXPECT_EQ(server->counters().connections_accepted, 1u);
  EXPECT_EQ(server->counters().tls_failures, 0u);
  // The answer goes back on the same connection.
  server->send(Target{server_user.messages[0].source, {}}, sip_message("generated", true));
  ASSERT_TRUE(run_until(io, [&] { return !client_user.messages.empty(); }));
  EXPECT_EQ(client->counters().connections_opened, 1u);
}

TEST(TlsIdentity, GeneratedCertificateIsSelfSignedForLoopback) {
  asio::io_context io;
  auto server = open_tls(io, TlsSettings{});
  ASSERT_TRUE(server);
  auto cert = served_certificate(io, *server);
  ASSERT_TRUE(cert);
  const auto& generated = detail::generated_identity();
  ASSERT_TRUE(generated.ok()) << generated.error();
  EXPECT_EQ(X509_cmp(cert.get(), generated.value().certificate.get()), 0);
  // Self-signed: issuer = subject, signed with its own key (it is no CA: keyUsage has no
  // keyCertSign, CA:FALSE), and accepted when pinned as its own trust anchor.
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(cert.get())), 0);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1);
  EXPECT_EQ(verify_pinned(cert.get(), "localhost"), X509_V_OK);
  EXPECT_NE(verify_pinned(cert.get(), "pbx.example.com"), X509_V_OK);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_FALSE(common_name(cert.get()).empty());
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
  EXPECT_EQ(EVP_PKEY_get_bits(key), 256);
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);
  std::time_t in_nine_years = std::time(nullptr) + 9L * 365 * 24 * 3600;
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(cert.get()), nullptr), 0);
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert.get()), &in_nine_years), 0);
  EXPECT_EQ(detail::sha256_fingerprint(cert.get()).size(), 32u * 3 - 1);
}

TEST(TlsIdentity, EveryListenerServesTheSameGeneratedCertificate) {
  asio::io_context io;
  auto one = open_tls(io, TlsSettings{});
  auto two = open_tls(io, TlsSettings{});
  ASSERT_TRUE(one && two);
  auto a = served_certificate(io, *one);
  auto b = served_certificate(io, *two);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(X509_cmp(a.get(), b.get()), 0);
}

TEST(TlsIdentity, WithCertFilesTheListenerServesThatCertificate) {
  asio::io_context io;
  TlsSettings files;
  files.cert_file = test_certs().server_cert;
  files.key_file = test_certs().server_key;
  auto server = open_tls(io, files);
  ASSERT_TRUE(server);
  auto cert = served_certificate(io, *server);
  auto expected = read_pem(test_certs().server_cert);
  ASSERT_TRUE(cert && expected);
  EXPECT_EQ(X509_cmp(cert.get(), expected.get()), 0);
  EXPECT_EQ(X509_check_host(cert.get(), "sipline.test", 0, 0, nullptr), 1);
}

TEST(TlsIdentity, FreshIdentitiesDifferAndCarryTheCommonName) {
  auto a = detail::make_self_signed_identity("phone.example", std::chrono::hours(48));
  auto b = detail::make_self_signed_identity("phone.example", std::chrono::hours(48));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(X509_cmp(a.value().certificate.get(), b.value().certificate.get()), 0);
  EXPECT_EQ(common_name(a.value().certificate.get()), "phone.example");
  EXPECT_EQ(X509_check_private_key(a.value().certificate.get(), a.value().key.get()), 1);
  std::time_t in_three_days = std::time(nullptr) + 3L * 24 * 3600;
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(a.value().certificate.get()), &in_three_days), 0);
}

}  // namespace
}  // namespace sipline::transport::test
