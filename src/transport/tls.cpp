#include "transport/tls.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "transport/net.hpp"

namespace sipline::transport::detail {
namespace {

using ContextResult = base::Result<std::shared_ptr<asio::ssl::context>, std::string>;

std::string openssl_reason(const std::error_code& ec) {
  std::string reason = ec.message();
  ERR_clear_error();
  return reason;
}

ContextResult new_context(asio::ssl::context::method method) {
  try {
    auto ctx = std::make_shared<asio::ssl::context>(method);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    std::error_code ec;
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression,
                     ec);
    return ctx;
  } catch (const std::system_error& e) {
    return base::fail(std::string("cannot create a TLS context: ") + e.what());
  }
}

}  // namespace

ContextResult make_client_context(const TlsSettings& settings) {
  auto ctx = new_context(asio::ssl::context::tls_client);
  if (!ctx) return ctx;
  std::error_code ec;
  if (!settings.verify) {
    ctx.value()->set_verify_mode(asio::ssl::verify_none, ec);
    return ctx;
  }
  ctx.value()->set_verify_mode(asio::ssl::verify_peer, ec);
  if (!settings.ca_file.empty()) {
    ctx.value()->load_verify_file(settings.ca_file, ec);
    if (ec) {
      return base::fail("cannot load tls_ca_file '" + settings.ca_file +
                        "': " + openssl_reason(ec));
    }
  } else {
    ctx.value()->set_default_verify_paths(ec);
    if (ec) return base::fail("cannot load the system CAs: " + openssl_reason(ec));
  }
  return ctx;
}

ContextResult make_server_context(const TlsSettings& settings) {
  auto ctx = new_context(asio::ssl::context::tls_server);
  if (!ctx) return ctx;
  std::error_code ec;
  ctx.value()->use_certificate_chain_file(settings.cert_file, ec);
  if (ec) {
    return base::fail("cannot load tls certificate '" + settings.cert_file +
                      "': " + openssl_reason(ec));
  }
  const std::string& key = settings.key_file.empty() ? settings.cert_file : settings.key_file;
  ctx.value()->use_private_key_file(key, asio::ssl::context::pem, ec);
  if (ec) return base::fail("cannot load tls key '" + key + "': " + openssl_reason(ec));
  if (SSL_CTX_check_private_key(ctx.value()->native_handle()) != 1) {
    ERR_clear_error();
    return base::fail("tls key '" + key + "' does not match certificate '" + settings.cert_file +
                      "'");
  }
  return ctx;
}

void prepare_client(SSL* ssl, const Target& target, bool verify) {
  const std::string& name =
      target.tls_server_name.empty() ? target.remote.address : target.tls_server_name;
  auto ip = parse_ip(name);
  if (!ip) SSL_set_tlsext_host_name(ssl, name.c_str());  // RFC 6066: no IP literals in SNI
  if (!verify) return;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, ip->to_string().c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
  }
}

std::pair<TransportErrorKind, std::string> classify_handshake_failure(SSL* ssl,
                                                                      const std::error_code& ec,
                                                                      bool verify) {
  const long result = SSL_get_verify_result(ssl);
  if (verify && result != X509_V_OK) {
    ERR_clear_error();
    return {TransportErrorKind::kTlsCertificate,
            std::string("certificate verify failed: ") + X509_verify_cert_error_string(result)};
  }
  return {TransportErrorKind::kTlsHandshake, openssl_reason(ec)};
}

}  // namespace sipline::transport::detail
