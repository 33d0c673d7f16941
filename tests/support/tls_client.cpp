#include "support/tls_client.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>

#include <stdexcept>
#include <utility>

#include "support/net.hpp"

namespace sipline::test {
namespace {

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

void set_socket_timeouts(int fd, std::chrono::milliseconds t) {
  timeval tv{static_cast<time_t>(t.count() / 1000),
             static_cast<suseconds_t>((t.count() % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

struct TlsClient::Impl {
  std::optional<TcpSocket> tcp;
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  std::string buffer;
  ~Impl() {
    if (ssl != nullptr) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    if (ctx != nullptr) SSL_CTX_free(ctx);
  }
};

TlsClient::TlsClient(const std::string& host, std::uint16_t port, const TlsClientOptions& options)
    : impl_(std::make_unique<Impl>()) {
  try {
    impl_->tcp.emplace(TcpSocket::connect(host, port, options.timeout));
  } catch (const std::exception& e) {
    error_ = e.what();
    return;
  }
  local_port_ = impl_->tcp->local_port();
  set_socket_timeouts(impl_->tcp->fd(), options.timeout);
  impl_->ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(impl_->ctx, TLS1_2_VERSION);
  if (options.verify) {
    SSL_CTX_set_verify(impl_->ctx, SSL_VERIFY_PEER, nullptr);
    int loaded = options.ca_file.empty()
                     ? SSL_CTX_set_default_verify_paths(impl_->ctx)
                     : SSL_CTX_load_verify_locations(impl_->ctx, options.ca_file.c_str(), nullptr);
    if (loaded != 1) {
      error_ = "cannot load CA file " + options.ca_file + ": " + openssl_errors();
      return;
    }
  }
  impl_->ssl = SSL_new(impl_->ctx);
  SSL_set_fd(impl_->ssl, impl_->tcp->fd());
  if (!options.verify_host.empty()) {
    if (is_ip(options.verify_host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(impl_->ssl), options.verify_host.c_str());
    } else {
      SSL_set_tlsext_host_name(impl_->ssl, options.verify_host.c_str());
      SSL_set1_host(impl_->ssl, options.verify_host.c_str());
    }
  }
  if (SSL_connect(impl_->ssl) != 1) {
    long verify = SSL_get_verify_result(impl_->ssl);
    error_ = verify != X509_V_OK
                 ? std::string("certificate: ") + X509_verify_cert_error_string(verify)
                 : "handshake: " + openssl_errors();
    return;
  }
  ok_ = true;
}

TlsClient::~TlsClient() = default;

std::string TlsClient::protocol() const {
  return ok_ ? SSL_get_version(impl_->ssl) : "";
}

bool TlsClient::send(std::string_view data) {
  if (!ok_) return false;
  while (!data.empty()) {
    int n = SSL_write(impl_->ssl, data.data(), static_cast<int>(data.size()));
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<std::string> TlsClient::recv_some(std::chrono::milliseconds timeout) {
  if (!ok_) return std::nullopt;
  if (!impl_->buffer.empty()) return std::exchange(impl_->buffer, {});
  if (SSL_pending(impl_->ssl) == 0) {
    pollfd p{impl_->tcp->fd(), POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  }
  char chunk[16384];
  int n = SSL_read(impl_->ssl, chunk, sizeof chunk);
  if (n <= 0) return std::string{};
  return std::string(chunk, static_cast<std::size_t>(n));
}

std::optional<std::string> TlsClient::recv_message(std::chrono::milliseconds timeout) {
  if (!ok_) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::size_t skipped = 0;
    if (auto len = sip_message_length(impl_->buffer, &skipped)) {
      std::string msg = impl_->buffer.substr(skipped, *len);
      impl_->buffer.erase(0, skipped + *len);
      return msg;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (SSL_pending(impl_->ssl) == 0) {
      pollfd p{impl_->tcp->fd(), POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    }
    char chunk[16384];
    int n = SSL_read(impl_->ssl, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    impl_->buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace sipline::test
