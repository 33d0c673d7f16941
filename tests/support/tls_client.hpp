// A blocking OpenSSL client for tests: connect, verify the peer against a CA file and a name or
// IP, send and receive with timeouts. Independent of sipline's transport layer.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sipline::test {

struct TlsClientOptions {
  std::string ca_file;      // PEM file of trusted certificates; empty: system CAs
  std::string verify_host;  // name (DNS SAN) or IP (IP SAN) to check; empty: no name check
  bool verify = true;       // false: accept any certificate
  std::chrono::milliseconds timeout{3000};
};

class TlsClient {
 public:
  // Connects and completes the handshake. Never throws: check ok() and error().
  TlsClient(const std::string& host, std::uint16_t port, const TlsClientOptions& options);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }  // handshake/verification failure text
  std::string protocol() const;                        // "TLSv1.3" ...
  std::uint16_t local_port() const { return local_port_; }

  bool send(std::string_view data);
  // Whatever decrypted bytes come first: nullopt on timeout, "" when the peer closed.
  std::optional<std::string> recv_some(std::chrono::milliseconds timeout);
  // One SIP message cut by Content-Length, or nullopt on timeout/close.
  std::optional<std::string> recv_message(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool ok_ = false;
  std::string error_;
  std::uint16_t local_port_ = 0;
};

}  // namespace sipline::test
