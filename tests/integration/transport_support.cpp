#include "transport_support.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace sipline::transport::test {

bool run_until(asio::io_context& io, const std::function<bool()>& pred,
               std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return true;
}

void run_for(asio::io_context& io, std::chrono::milliseconds d) {
  const auto deadline = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
}

std::string sip_message(const std::string& call_id, bool response, const std::string& body) {
  std::string start = response ? "SIP/2.0 200 OK\r\n" : "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n";
  return start + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-" + call_id +
         "\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
         "To: <sip:bob@127.0.0.1>\r\n"
         "Call-ID: " +
         call_id +
         "\r\n"
         "CSeq: 1 OPTIONS\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

RawClient::RawClient(asio::io_context& io, bool tls)
    : io_(io), ctx_(asio::ssl::context::tls_client), socket_(io) {
  ctx_.set_verify_mode(asio::ssl::verify_none);
  if (tls) tls_.emplace(socket_, ctx_);
}

bool RawClient::connect(const Address& to) {
  asio::ip::tcp::endpoint ep(asio::ip::make_address(to.address), to.port);
  bool done = false;
  std::error_code result;
  socket_.async_connect(ep, [&](const std::error_code& ec) {
    result = ec;
    if (ec || !tls_) {
      done = true;
      return;
    }
    tls_->async_handshake(asio::ssl::stream_base::client, [&](const std::error_code& hec) {
      result = hec;
      done = true;
    });
  });
  if (!run_until(io_, [&] { return done; }) || result) return false;
  read_loop();
  return true;
}

void RawClient::read_loop() {
  auto handler = [this](const std::error_code& ec, std::size_t n) {
    if (ec) {
      eof_ = true;
      return;
    }
    received_.append(chunk_.data(), n);
    read_loop();
  };
  if (tls_) {
    tls_->async_read_some(asio::buffer(chunk_), handler);
  } else {
    socket_.async_read_some(asio::buffer(chunk_), handler);
  }
}

bool RawClient::write(const std::string& bytes) {
  bool done = false;
  std::error_code result;
  auto handler = [&](const std::error_code& ec, std::size_t) {
    result = ec;
    done = true;
  };
  if (tls_) {
    asio::async_write(*tls_, asio::buffer(bytes), handler);
  } else {
    asio::async_write(socket_, asio::buffer(bytes), handler);
  }
  return run_until(io_, [&] { return done; }) && !result;
}

std::shared_ptr<X509> RawClient::peer_certificate() {
  if (!tls_) return nullptr;
  return std::shared_ptr<X509>(SSL_get1_peer_certificate(tls_->native_handle()), &X509_free);
}

void RawClient::close() {
  std::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

namespace {

void sh(const std::string& cmd) {
  if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("command failed: " + cmd);
  }
}

TestCerts make_certs() {
  char tmpl[] = "/tmp/sipline-transport-certs-XXXXXX";
  TestCerts c;
  c.dir = mkdtemp(tmpl);
  c.ca = c.dir + "/ca.pem";
  c.server_cert = c.dir + "/server.pem";
  c.server_key = c.dir + "/server.key";
  c.self_cert = c.dir + "/self.pem";
  c.self_key = c.dir + "/self.key";
  const std::string san = "subjectAltName=DNS:sipline.test,IP:127.0.0.1,IP:::1";
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 ";
  const std::string& d = c.dir;
  sh("openssl req -x509 " + ec + "-keyout " + d + "/ca.key -out " + c.ca +
     " -subj /CN=sipline-test-ca -addext basicConstraints=critical,CA:TRUE"
     " -addext keyUsage=critical,keyCertSign,cRLSign");
  sh("openssl req -new " + ec + "-keyout " + c.server_key + " -out " + d +
     "/server.csr -subj /CN=sipline.test");
  std::ofstream(d + "/ext.cnf") << san << "\n";
  sh("openssl x509 -req -in " + d + "/server.csr -CA " + c.ca + " -CAkey " + d +
     "/ca.key -CAcreateserial -days 2 -out " + c.server_cert + " -extfile " + d + "/ext.cnf");
  sh("openssl req -x509 " + ec + "-keyout " + c.self_key + " -out " + c.self_cert +
     " -subj /CN=sipline.test -addext " + san);
  return c;
}

}  // namespace

const TestCerts& test_certs() {
  struct Owned {
    TestCerts certs = make_certs();
    ~Owned() {
      std::error_code ec;
      std::filesystem::remove_all(certs.dir, ec);
    }
  };
  static const Owned owned;
  return owned.certs;
}

}  // namespace sipline::transport::test
