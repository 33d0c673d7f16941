// Helpers for the loopback transport tests: a recording TransportUser, a bounded loop runner,
// SIP message text, a raw (misbehaving) TCP/TLS client and test certificates.
#pragma once
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "support/net.hpp"
#include "transport/asio_transport.hpp"

namespace sipline::transport::test {

struct Received {
  std::string raw;
  Address source;
  Address local;
};

class Recorder : public TransportUser {
 public:
  void on_message(msg::Message message, const Address& source, const Address& local) override {
    messages.push_back(Received{std::string(message.raw()), source, local});
    if (on_message_hook) on_message_hook(messages.back());
  }
  void on_transport_error(const TransportError& error) override { errors.push_back(error); }
  void on_pong(const Pong& pong) override { pongs.push_back(pong); }
  std::vector<Received> messages;
  std::vector<Pong> pongs;
  std::vector<TransportError> errors;
  std::function<void(const Received&)> on_message_hook;
};

// Runs `io` until `pred()` holds or `limit` passes; returns pred().
bool run_until(asio::io_context& io, const std::function<bool()>& pred,
               std::chrono::milliseconds limit = std::chrono::milliseconds(5000));
// Runs `io` for `d` (to show that nothing more happens).
void run_for(asio::io_context& io, std::chrono::milliseconds d);

// A complete OPTIONS request (or a 200 response when `response`) with a unique Call-ID.
std::string sip_message(const std::string& call_id, bool response = false,
                        const std::string& body = "");

// A client socket the test drives by hand, on the same loop as the transports.
class RawClient {
 public:
  RawClient(asio::io_context& io, bool tls);
  // Connects (and, for TLS, handshakes without verifying); true once done.
  bool connect(const Address& to);
  bool write(const std::string& bytes);  // the whole string, in one write
  void close();
  bool closed_by_peer() const { return eof_; }
  // TLS: the certificate the server presented (null before the handshake and for TCP).
  std::shared_ptr<X509> peer_certificate();
  const std::string& received() const { return received_; }

 private:
  void read_loop();
  asio::io_context& io_;
  asio::ssl::context ctx_;
  asio::ip::tcp::socket socket_;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  std::string received_;
  std::array<char, 4096> chunk_{};
  bool eof_ = false;
};

// Certificates made with the openssl command into a temp dir, once per test binary.
struct TestCerts {
  std::string dir;
  std::string ca;           // CA certificate (PEM)
  std::string server_cert;  // signed by ca; SAN DNS:sipline.test, IP:127.0.0.1, IP:::1
  std::string server_key;
  std::string self_cert;  // self-signed, same SAN
  std::string self_key;
};
const TestCerts& test_certs();

// Whether the host has ::1 (tests/support/net.hpp).
using sipline::test::ipv6_available;

}  // namespace sipline::transport::test
