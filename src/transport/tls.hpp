// Internal: OpenSSL contexts and per-connection verification for the TLS transport.
#pragma once
#include <openssl/ssl.h>

#include <asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "base/result.hpp"
#include "transport/asio_transport.hpp"

namespace sipline::transport::detail {

// The client side: TLS 1.2 or newer; with settings.verify, the peer's chain is checked against
// settings.ca_file or else the system CAs. The error is a plain reason naming the file.
base::Result<std::shared_ptr<asio::ssl::context>, std::string> make_client_context(
    const TlsSettings& settings);
// The listener side: TLS 1.2 or newer, serving settings.cert_file with settings.key_file, or
// the process's generated certificate (generated_identity()) when cert_file is empty.
base::Result<std::shared_ptr<asio::ssl::context>, std::string> make_server_context(
    const TlsSettings& settings);

// A certificate with its private key (OpenSSL objects, shared: each holds one reference).
struct TlsIdentity {
  std::shared_ptr<X509> certificate;
  std::shared_ptr<EVP_PKEY> key;
};

// A new self-signed server certificate, as an IP phone makes one: EC P-256 key, subject and
// issuer CN = `common_name`, SAN DNS:localhost, IP:127.0.0.1, IP:::1, valid from an hour ago
// for `validity`, random 64-bit serial, signed with SHA-256. OpenSSL only.
base::Result<TlsIdentity, std::string> make_self_signed_identity(
    const std::string& common_name, std::chrono::hours validity = std::chrono::hours(24 * 3650));

// The one certificate every TLS listener without a cert_file serves: made on first use (once
// per process, thread-safe), CN = the host name when it is a plain DNS name, else "sipline".
// The SHA-256 fingerprint is logged when it is made.
const base::Result<TlsIdentity, std::string>& generated_identity();

// "AB:CD:..." SHA-256 fingerprint of a certificate (what a phone shows); "" on failure.
std::string sha256_fingerprint(X509* certificate);

// Before a client handshake: SNI (for a host name, never an IP literal) and the name or IP
// address the certificate must carry (tls_server_name, else the target's IP).
void prepare_client(SSL* ssl, const Target& target, bool verify);

// After a failed client handshake: kTlsCertificate with OpenSSL's verification reason, or
// kTlsHandshake with the handshake error.
std::pair<TransportErrorKind, std::string> classify_handshake_failure(SSL* ssl,
                                                                      const std::error_code& ec,
                                                                      bool verify);

}  // namespace sipline::transport::detail
