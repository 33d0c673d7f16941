// Kamailio's presence server (kamailio/sipline.cfg WITH_PRESENCE) driven with raw SIP: a
// subscriber authenticates its SUBSCRIBE to message-summary, answers the NOTIFYs, and a PUBLISH
// of an MWI body makes Kamailio NOTIFY it; the bodies are parsed with usage/sub/bodies.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "support/kamailio.hpp"
#include "support/net.hpp"
#include "support/raw_sip.hpp"
#include "usage/sub/bodies/mwi.hpp"

namespace sipline::test {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kWait{3000};
namespace bodies = usage::sub::bodies;

// make_request() plus extra header lines and a body.
std::string with_extras(std::string msg, const std::string& headers, const std::string& body = "") {
  const auto ua = msg.find("User-Agent:");
  msg.insert(ua, headers);
  const auto cl = msg.find("Content-Length: 0\r\n\r\n");
  msg.replace(cl, std::string::npos,
              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  return msg;
}

std::string body_of(const std::string& msg) {
  const auto end = msg.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : msg.substr(end + 4);
}

std::string ok_for(const std::string& req) {
  std::string r = "SIP/2.0 200 OK\r\n";
  for (const char* h : {"Via", "From", "To", "Call-ID", "CSeq"}) {
    r += std::string(h) + ": " + header_value(req, h).value_or("") + "\r\n";
  }
  return r + "Content-Length: 0\r\n\r\n";
}

class Subscriber {
 public:
  explicit Subscriber(const Kamailio& kam) : kam_(kam) {}
  void send(const std::string& m) { sock_.send_to(m, "127.0.0.1", kam_.udp_port()); }
  std::uint16_t port() const { return sock_.local_port(); }

  // The next response to our requests; NOTIFYs met on the way are answered and kept.
  std::optional<std::string> response() {
    for (;;) {
      auto m = next();
      if (!m || status_code(*m) != 0) return m;
    }
  }
  // The next NOTIFY (answered 200).
  std::optional<std::string> notify() {
    if (!notifies_.empty()) {
      auto n = notifies_.front();
      notifies_.erase(notifies_.begin());
      return n;
    }
    for (;;) {
      auto m = next();
      if (!m) return m;
      if (status_code(*m) == 0) {
        notifies_.clear();
        return m;
      }
    }
  }

 private:
  std::optional<std::string> next() {
    auto m = sock_.recv(kWait);
    if (m && m->rfind("NOTIFY ", 0) == 0) {
      send(ok_for(*m));
      notifies_.push_back(*m);
    }
    return m;
  }
  const Kamailio& kam_;
  UdpSocket sock_;
  std::vector<std::string> notifies_;
};

TEST(KamailioPresence, PublishedMwiIsNotifiedToAnAuthenticatedSubscriber) {
  KamailioOptions opts;
  opts.tls = false;
  opts.presence = true;
  Kamailio kam(opts);
  kam.start();
  const std::string target = "sip:1000@127.0.0.1:" + std::to_string(kam.udp_port());
  const std::string events =
      "Event: message-summary\r\nAccept: application/simple-message-summary\r\n";

  Subscriber sub(kam);
  RawRequest req;
  req.method = "SUBSCRIBE";
  req.request_uri = target;
  req.local_port = sub.port();
  req.expires = 300;
  req.call_id = "mwi-sub";
  req.branch = "z9hG4bK-mwi-1";
  sub.send(with_extras(make_request(req), events));
  auto challenge = sub.response();
  ASSERT_TRUE(challenge) << kam.log_tail();
  ASSERT_EQ(status_code(*challenge), 407) << *challenge;

  req.cseq = 2;
  req.branch = "z9hG4bK-mwi-2";
  const auto auth =
      digest_authorization(header_value(*challenge, "Proxy-Authenticate").value_or(""), "1000",
                           Kamailio::password("1000"), "SUBSCRIBE", target);
  sub.send(with_extras(make_request(req), events + "Proxy-Authorization: " + auth + "\r\n"));
  auto ok = sub.response();
  ASSERT_TRUE(ok) << kam.log_tail();
  ASSERT_EQ(status_code(*ok), 200) << *ok;

  // The initial NOTIFY: no state published yet.
  auto first = sub.notify();
  ASSERT_TRUE(first) << kam.log_tail();
  EXPECT_NE(header_value(*first, "Subscription-State").value_or("").find("active"),
            std::string::npos)
      << *first;

  // The mailbox stand-in publishes two new and eight old voice messages.
  UdpSocket publisher;
  RawRequest pub;
  pub.method = "PUBLISH";
  pub.request_uri = target;
  pub.local_port = publisher.local_port();
  pub.expires = 120;
  pub.call_id = "mwi-pub";
  pub.branch = "z9hG4bK-pub-1";
  const std::string body =
      "Messages-Waiting: yes\r\nMessage-Account: sip:1000@127.0.0.1\r\nVoice-Message: 2/8 "
      "(0/2)\r\n";
  publisher.send_to(with_extras(make_request(pub),
                                "Event: message-summary\r\n"
                                "Content-Type: application/simple-message-summary\r\n",
                                body),
                    "127.0.0.1", kam.udp_port());
  auto published = publisher.recv(kWait);
  ASSERT_TRUE(published) << kam.log_tail();
  ASSERT_EQ(status_code(*published), 200) << *published;
  EXPECT_TRUE(header_value(*published, "SIP-ETag").has_value());

  auto notify = sub.notify();
  ASSERT_TRUE(notify) << kam.log_tail();
  EXPECT_EQ(header_value(*notify, "Event").value_or(""), "message-summary");
  const auto summary = bodies::parse_message_summary(body_of(*notify));
  ASSERT_TRUE(summary.ok()) << summary.error().reason << "\n" << *notify;
  EXPECT_TRUE(summary->waiting);
  EXPECT_EQ(summary->voice, (bodies::MessageCounts{2, 8, 0, 2}));
  EXPECT_EQ(summary->account, "sip:1000@127.0.0.1");
}

}  // namespace
}  // namespace sipline::test
