// sipline's own msg (and auth) code against a real Kamailio registrar, end to end over UDP,
// TCP and TLS: REGISTERs built with msg::MessageWriter, responses cut with msg::next_frame
// (streams) and parsed with msg::Message::parse, the digest answered by auth::DigestSession,
// the result checked in Kamailio's own location table (kamcmd ul.dump).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "auth/challenge.hpp"
#include "auth/session.hpp"
#include "base/random.hpp"
#include "msg/framer.hpp"
#include "msg/message.hpp"
#include "msg/writer.hpp"
#include "support/kamailio.hpp"
#include "support/net.hpp"
#include "support/tls_client.hpp"

namespace sipline::test {
namespace {

using msg::HeaderId;
using std::chrono::milliseconds;
constexpr milliseconds kWait{3000};

// One client connection to the Kamailio instance, whatever the transport.
class Channel {
 public:
  virtual ~Channel() = default;
  virtual std::string_view via_transport() const = 0;  // "UDP", "TCP", "TLS"
  virtual std::uint16_t local_port() const = 0;
  virtual void send(const std::string& bytes) = 0;
  // The next whole message: one datagram, or one frame cut by msg::next_frame from the stream
  // (CRLF keep-alives skipped). nullopt on timeout, close or a framing error.
  virtual std::optional<std::string> next(milliseconds timeout) = 0;
};

class UdpChannel final : public Channel {
 public:
  explicit UdpChannel(const Kamailio& kam) : kam_(kam) {}
  std::string_view via_transport() const override { return "UDP"; }
  std::uint16_t local_port() const override { return sock_.local_port(); }
  void send(const std::string& bytes) override {
    sock_.send_to(bytes, "127.0.0.1", kam_.udp_port());
  }
  std::optional<std::string> next(milliseconds timeout) override { return sock_.recv(timeout); }

 private:
  const Kamailio& kam_;
  UdpSocket sock_;
};

// Shared stream logic: bytes in a buffer, messages cut with msg::next_frame.
class StreamChannel : public Channel {
 public:
  std::optional<std::string> next(milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      msg::Frame frame = msg::next_frame(buffer_);
      if (frame.kind == msg::Frame::Kind::kError) {
        ADD_FAILURE() << "framing error at offset " << frame.error.offset;
        return std::nullopt;
      }
      if (frame.kind != msg::Frame::Kind::kNeedMore) {
        std::string bytes = buffer_.substr(0, frame.size);
        buffer_.erase(0, frame.size);
        if (frame.kind == msg::Frame::Kind::kMessage) return bytes;
        ++keepalives_;
        continue;
      }
      auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto chunk = recv_some(left);
      if (!chunk || chunk->empty()) return std::nullopt;
      buffer_ += *chunk;
    }
  }
  int keepalives() const { return keepalives_; }

 protected:
  virtual std::optional<std::string> recv_some(milliseconds timeout) = 0;

 private:
  std::string buffer_;
  int keepalives_ = 0;
};

class TcpChannel final : public StreamChannel {
 public:
  explicit TcpChannel(const Kamailio& kam)
      : sock_(TcpSocket::connect("127.0.0.1", kam.tcp_port())) {}
  std::string_view via_transport() const override { return "TCP"; }
  std::uint16_t local_port() const override { return sock_.local_port(); }
  void send(const std::string& bytes) override { sock_.send(bytes); }

 private:
  std::optional<std::string> recv_some(milliseconds timeout) override {
    return sock_.recv_some(timeout);
  }
  TcpSocket sock_;
};

class TlsChannel final : public StreamChannel {
 public:
  explicit TlsChannel(const Kamailio& kam)
      : tls_("127.0.0.1", kam.tls_port(),
             TlsClientOptions{.ca_file = kam.cert_path().string(), .verify_host = "127.0.0.1"}) {}
  bool ok() const { return tls_.ok(); }
  std::string error() const { return tls_.error(); }
  std::string_view via_transport() const override { return "TLS"; }
  std::uint16_t local_port() const override { return tls_.local_port(); }
  void send(const std::string& bytes) override { ASSERT_TRUE(tls_.send(bytes)); }

 private:
  std::optional<std::string> recv_some(milliseconds timeout) override {
    return tls_.recv_some(timeout);
  }
  TlsClient tls_;
};

// A REGISTER for `user` built with msg::MessageWriter; CSeq and branch from `seq`.
struct RegisterSpec {
  std::string user = "1000";
  std::uint32_t cseq = 1;
  std::string contact;  // "" builds the channel's own contact; "*" unregisters all
  int expires = 300;
  std::string authorization;
};

std::string contact_uri(const Channel& ch, std::string_view user) {
  std::string transport(ch.via_transport());
  for (auto& c : transport) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "sip:" + std::string(user) + "@127.0.0.1:" + std::to_string(ch.local_port()) +
         ";transport=" + transport;
}

std::string build_register(const Kamailio& kam, const Channel& ch, const RegisterSpec& spec) {
  const std::string aor = "sip:" + spec.user + "@127.0.0.1";
  const std::string port = std::to_string(ch.local_port());
  auto w = msg::MessageWriter::request("REGISTER", kam.uri());
  w.header(HeaderId::kVia, "SIP/2.0/" + std::string(ch.via_transport()) + " 127.0.0.1:" + port +
                               ";rport;branch=z9hG4bK-reg-" + port + "-" +
                               std::to_string(spec.cseq))
      .header(HeaderId::kMaxForwards, std::uint64_t{70})
      .header(HeaderId::kFrom, msg::format_name_addr("", aor, ";tag=t" + port))
      .header(HeaderId::kTo, msg::format_name_addr("", aor))
      .header(HeaderId::kCallId, "reg-" + spec.user + "-" + port + "@127.0.0.1")
      .header(HeaderId::kCSeq, std::to_string(spec.cseq) + " REGISTER")
      .header(HeaderId::kContact, spec.contact == "*" ? std::string("*")
                                  : spec.contact.empty()
                                      ? msg::format_name_addr("", contact_uri(ch, spec.user))
                                      : spec.contact)
      .header(HeaderId::kExpires, static_cast<std::uint64_t>(spec.expires));
  if (!spec.authorization.empty()) w.header(HeaderId::kAuthorization, spec.authorization);
  return w.header(HeaderId::kUserAgent, "sipline-integration-test").finish();
}

// Sends and parses the answer with msg::Message::parse; nullopt (and a test failure) if none.
std::optional<msg::Message> transact(Channel& ch, const std::string& request) {
  ch.send(request);
  auto bytes = ch.next(kWait);
  if (!bytes) {
    ADD_FAILURE() << ch.via_transport() << ": no response to\n" << request;
    return std::nullopt;
  }
  auto parsed = msg::Message::parse(*bytes);
  if (!parsed) {
    ADD_FAILURE() << "msg::Message::parse rejected Kamailio's response ("
                  << msg::describe(parsed.error().code) << " at " << parsed.error().offset << "):\n"
                  << *bytes;
    return std::nullopt;
  }
  return std::move(parsed).value();
}

// The digest challenge of a 401, checked field by field through the msg API.
void expect_challenge(const msg::Message& r, std::string_view algorithm) {
  ASSERT_TRUE(r.is_response());
  ASSERT_EQ(r.status_code(), 401) << r.raw();
  auto values = r.auth(HeaderId::kWwwAuthenticate);
  ASSERT_TRUE(values) << r.raw();
  ASSERT_EQ(values->size(), 1u);
  const msg::AuthValue& c = values->front();
  EXPECT_EQ(c.scheme, "Digest");
  EXPECT_EQ(c.param("realm"), "127.0.0.1");
  EXPECT_FALSE(c.param("nonce").empty());
  auto qop = c.list("qop");
  EXPECT_NE(std::find(qop.begin(), qop.end(), "auth"), qop.end()) << c.param("qop");
  EXPECT_EQ(c.param("algorithm"), algorithm);
  auto cseq = r.cseq();
  ASSERT_TRUE(cseq);
  EXPECT_EQ(cseq->method, "REGISTER");
  auto via = r.top_via();
  ASSERT_TRUE(via);
  EXPECT_EQ(via->received(), "127.0.0.1");
}

class KamailioRegister : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { kam_.start(); }

  std::unique_ptr<Channel> open_channel() {
    if (GetParam() == "UDP") return std::make_unique<UdpChannel>(kam_);
    if (GetParam() == "TCP") return std::make_unique<TcpChannel>(kam_);
    auto tls = std::make_unique<TlsChannel>(kam_);
    EXPECT_TRUE(tls->ok()) << tls->error();
    return tls;
  }

  Kamailio kam_;
};

TEST_P(KamailioRegister, ChallengeParsesWithMsg) {
  auto ch = open_channel();
  auto r = transact(*ch, build_register(kam_, *ch, {}));
  ASSERT_TRUE(r);
  expect_challenge(*r, "MD5");
  if (HasFatalFailure()) return;
  EXPECT_EQ(r->cseq()->seq, 1u);  // expect_challenge checked that cseq() parses
  EXPECT_EQ(r->call_id(), "reg-1000-" + std::to_string(ch->local_port()) + "@127.0.0.1");
}

TEST_P(KamailioRegister, RegistersWithDigestSessionAndUnregistersAll) {
  auto ch = open_channel();
  base::SeededRandom random(42);
  const std::string password = Kamailio::password("1001");  // the session keeps a view
  auth::DigestSession session({"1001", password}, random);
  RegisterSpec spec{.user = "1001"};
  auto challenge_response = transact(*ch, build_register(kam_, *ch, spec));
  ASSERT_TRUE(challenge_response);
  auto challenge = auth::challenge_from_response(*challenge_response);
  ASSERT_TRUE(challenge);
  ASSERT_EQ(session.on_challenge(*challenge), auth::ChallengeVerdict::kAnswer);
  auto authorization = session.authorize(*challenge, "REGISTER", kam_.uri());
  ASSERT_TRUE(authorization);
  spec.cseq = 2;
  spec.authorization = *authorization;
  auto ok = transact(*ch, build_register(kam_, *ch, spec));
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status_code(), 200) << ok->raw();
  auto contacts = ok->contacts();
  ASSERT_TRUE(contacts);
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ(contacts->front().expires(), std::optional<std::uint32_t>(300));

  auto bindings = kam_.bindings_of("1001");
  ASSERT_EQ(bindings.size(), 1u);
  EXPECT_EQ(bindings[0].contact, contact_uri(*ch, "1001"));
  EXPECT_GT(bindings[0].expires_s, 290);
  EXPECT_EQ(bindings[0].received.empty(), GetParam() == "UDP") << bindings[0].received;

  // The same nonce again (nc 2), Contact: * with Expires: 0 removes every binding.
  auto again = session.reauthorize("REGISTER", kam_.uri());
  ASSERT_TRUE(again);
  spec = RegisterSpec{
      .user = "1001", .cseq = 3, .contact = "*", .expires = 0, .authorization = *again};
  auto removed = transact(*ch, build_register(kam_, *ch, spec));
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status_code(), 200) << removed->raw();
  EXPECT_TRUE(kam_.bindings_of("1001").empty());
}

TEST_P(KamailioRegister, ShortExpiryGets423WithMinExpires) {
  auto ch = open_channel();
  base::SeededRandom random(7);
  const std::string password = Kamailio::password("alice");  // the session keeps a view
  auth::DigestSession session({"alice", password}, random);
  RegisterSpec spec{.user = "alice", .expires = 10};
  auto first = transact(*ch, build_register(kam_, *ch, spec));
  ASSERT_TRUE(first);
  auto challenge = auth::challenge_from_response(*first);
  ASSERT_TRUE(challenge);
  session.on_challenge(*challenge);
  auto authorization = session.authorize(*challenge, "REGISTER", kam_.uri());
  ASSERT_TRUE(authorization);
  spec.cseq = 2;
  spec.authorization = *authorization;
  auto r = transact(*ch, build_register(kam_, *ch, spec));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code(), 423) << r->raw();
  EXPECT_EQ(r->uint_header(HeaderId::kMinExpires), std::optional<std::uint32_t>(60));
}

INSTANTIATE_TEST_SUITE_P(Transports, KamailioRegister, ::testing::Values("UDP", "TCP", "TLS"),
                         [](const auto& info) { return info.param; });

TEST(KamailioRegisterSha256, ChallengeNamesSha256AndDigestSessionAnswersIt) {
  Kamailio kam(KamailioOptions{.algorithm = "SHA-256"});
  kam.start();
  UdpChannel ch(kam);
  auto r = transact(ch, build_register(kam, ch, {.user = "bob"}));
  ASSERT_TRUE(r);
  expect_challenge(*r, "SHA-256");
  if (HasFatalFailure()) return;
  base::SeededRandom random(3);
  const std::string password = Kamailio::password("bob");  // the session keeps a view
  auth::DigestSession session({"bob", password}, random);
  auto challenge = auth::challenge_from_response(*r);
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->algorithm, auth::Algorithm::kSha256);
  session.on_challenge(*challenge);
  auto authorization = session.authorize(*challenge, "REGISTER", kam.uri());
  ASSERT_TRUE(authorization);
  auto ok = transact(
      ch, build_register(kam, ch, {.user = "bob", .cseq = 2, .authorization = *authorization}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status_code(), 200) << ok->raw();
  EXPECT_EQ(kam.bindings_of("bob").size(), 1u);
}

// Two requests written back to back on one TCP connection, then a CRLFCRLF ping: the answers
// come out of msg::next_frame one by one, and Kamailio's CRLF pong is reported as a keep-alive.
TEST(KamailioRegisterStream, PipelinedRequestsAndKeepAliveFrameCleanly) {
  Kamailio kam;
  kam.start();
  TcpChannel ch(kam);
  ch.send(build_register(kam, ch, {.cseq = 1}) + build_register(kam, ch, {.cseq = 2}) + "\r\n\r\n");
  for (std::uint32_t seq : {1u, 2u}) {
    auto bytes = ch.next(kWait);
    ASSERT_TRUE(bytes);
    auto r = msg::Message::parse(*bytes);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status_code(), 401);
    auto cseq = r->cseq();
    ASSERT_TRUE(cseq);
    EXPECT_EQ(cseq->seq, seq);
  }
  // The pong arrives after the second answer; next() skips it and counts it.
  EXPECT_FALSE(ch.next(milliseconds(500)));
  EXPECT_EQ(ch.keepalives(), 1);
}

}  // namespace
}  // namespace sipline::test
