// Internal: OpenSSL contexts and per-connection verification for the TLS transport.
#pragma once
#include <openssl/ssl.h>

#include <asio/ssl/context.hpp>
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
// The listener side: TLS 1.2 or newer, serving settings.cert_file with settings.key_file.
base::Result<std::shared_ptr<asio::ssl::context>, std::string> make_server_context(
    const TlsSettings& settings);

// Before a client handshake: SNI (for a host name, never an IP literal) and the name or IP
// address the certificate must carry (tls_server_name, else the target's IP).
void prepare_client(SSL* ssl, const Target& target, bool verify);

// After a failed client handshake: kTlsCertificate with OpenSSL's verification reason, or
// kTlsHandshake with the handshake error.
std::pair<TransportErrorKind, std::string> classify_handshake_failure(SSL* ssl,
                                                                      const std::error_code& ec,
                                                                      bool verify);

}  // namespace sipline::transport::detail
