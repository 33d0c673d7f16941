#include "transport/tls.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>

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

using IdentityResult = base::Result<TlsIdentity, std::string>;

std::string openssl_error(const char* what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  std::array<char, 256> text{};
  if (code != 0) ERR_error_string_n(code, text.data(), text.size());
  return std::string(what) + (code != 0 ? std::string(": ") + text.data() : std::string());
}

// Subject, issuer, validity, serial and extensions of a self-signed certificate; false on error.
bool fill_certificate(X509* cert, EVP_PKEY* key, const std::string& common_name,
                      std::chrono::hours validity) {
  if (X509_set_version(cert, 2) != 1) return false;  // v3
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), &BN_free);
  if (!serial || BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    return false;
  }
  const long hours = static_cast<long>(validity.count());
  if (X509_gmtime_adj(X509_getm_notBefore(cert), -3600) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert), static_cast<int>(hours / 24), (hours % 24) * 3600,
                       nullptr) == nullptr) {
    return false;
  }
  X509_NAME* name = X509_get_subject_name(cert);
  const auto* cn = reinterpret_cast<const unsigned char*>(common_name.c_str());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert, name) != 1 || X509_set_pubkey(cert, key) != 1) {
    return false;
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  const std::array<std::pair<int, const char*>, 5> extensions{{
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature,keyAgreement"},
      {NID_ext_key_usage, "serverAuth,clientAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"},
  }};
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return false;
    const int added = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (added != 1) return false;
  }
  return X509_sign(cert, key, EVP_sha256()) > 0;
}

// The host name when it is a plain DNS name that fits a CN (64 bytes), else "sipline".
std::string host_common_name() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) return "sipline";
  const std::string name(host.data());
  if (name.empty() || name.size() > 64) return "sipline";
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return "sipline";
  }
  return name;
}

IdentityResult make_generated_identity() {
  auto made = make_self_signed_identity(host_common_name());
  if (!made) {
    spdlog::error("tls: cannot generate a self-signed certificate: {}", made.error());
    return made;
  }
  spdlog::info(
      "tls: no tls_cert_file set; TLS listeners serve a generated self-signed certificate "
      "(SHA-256 {})",
      sha256_fingerprint(made.value().certificate.get()));
  return made;
}

}  // namespace

IdentityResult make_self_signed_identity(const std::string& common_name,
                                         std::chrono::hours validity) {
  std::shared_ptr<EVP_PKEY> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!key) return base::fail(openssl_error("cannot generate an EC P-256 key"));
  std::shared_ptr<X509> cert(X509_new(), &X509_free);
  if (!cert) return base::fail(openssl_error("cannot allocate a certificate"));
  if (!fill_certificate(cert.get(), key.get(), common_name, validity)) {
    return base::fail(openssl_error("cannot build a self-signed certificate"));
  }
  return TlsIdentity{std::move(cert), std::move(key)};
}

const IdentityResult& generated_identity() {
  static const IdentityResult identity = make_generated_identity();
  return identity;
}

std::string sha256_fingerprint(X509* certificate) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  if (certificate == nullptr || X509_digest(certificate, EVP_sha256(), md.data(), &size) != 1) {
    ERR_clear_error();
    return "";
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    if (i != 0) out += ':';
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xF];
  }
  return out;
}

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
  if (settings.cert_file.empty()) {
    const auto& identity = generated_identity();
    if (!identity) return base::fail("no tls certificate: " + identity.error());
    SSL_CTX* native = ctx.value()->native_handle();
    if (SSL_CTX_use_certificate(native, identity.value().certificate.get()) != 1 ||
        SSL_CTX_use_PrivateKey(native, identity.value().key.get()) != 1) {
      return base::fail(openssl_error("cannot use the generated tls certificate"));
    }
    return ctx;
  }
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
      target.tls_server_name.empty() ? target.remote.address : target.tls_server_name.str();
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
