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
#include "usage/sub/bodies/dialog_info.hpp"
#include "usage/sub/bodies/mwi.hpp"

namespace sipline::test {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kWait{3000};
namespace bodies = usage::sub::bodies;

std::string body_of(const std::string& msg) {
  const auto end = msg.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : msg.substr(end + 4);
}

// Every line of header `name` (long form), in order, with its CRLF.
std::string lines_of(const std::string& msg, const std::string& name) {
  std::string out;
  for (std::size_t pos = msg.find("\r\n"); pos != std::string::npos && pos + 2 < msg.size();) {
    const auto end = msg.find("\r\n", pos + 2);
    const std::string line = msg.substr(pos + 2, end - pos - 2);
    if (line.empty()) break;
    if (line.rfind(name + ":", 0) == 0) out += line + "\r\n";
    pos = end;
  }
  return out;
}

// A response to `req`; `extra` lines (To tag, Contact) are appended.
std::string reply(const std::string& req, const std::string& status, const std::string& to_tag = "",
                  const std::string& extra = "") {
  std::string r =
      "SIP/2.0 " + status + "\r\n" + lines_of(req, "Via") + lines_of(req, "Record-Route");
  r += "From: " + header_value(req, "From").value_or("") + "\r\n";
  r += "To: " + header_value(req, "To").value_or("") + (to_tag.empty() ? "" : ";tag=" + to_tag) +
       "\r\n";
  for (const char* h : {"Call-ID", "CSeq"}) {
    r += std::string(h) + ": " + header_value(req, h).value_or("") + "\r\n";
  }
  return r + extra + "Content-Length: 0\r\n\r\n";
}

std::string ok_for(const std::string& req) {
  return reply(req, "200 OK");
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

// SUBSCRIBE answered with a 401 (the presence server is the UAS: RFC 3261 §22.1), then again
// with credentials; returns the final response.
std::optional<std::string> subscribe(Subscriber& sub, RawRequest req, const std::string& headers) {
  sub.send(with_extras(make_request(req), headers));
  auto challenge = sub.response();
  if (!challenge || status_code(*challenge) != 401) return challenge;
  ++req.cseq;
  req.branch += "-2";
  const auto auth =
      digest_authorization(header_value(*challenge, "WWW-Authenticate").value_or(""), req.user,
                           Kamailio::password(req.user), "SUBSCRIBE", req.request_uri);
  sub.send(with_extras(make_request(req), headers + "Authorization: " + auth + "\r\n"));
  return sub.response();
}

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
  auto ok = subscribe(sub, req, events);
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

// A UA that answers requests Kamailio relays to it.
class Peer {
 public:
  explicit Peer(const Kamailio& kam) : kam_(kam) {}
  void send(const std::string& m) { sock_.send_to(m, "127.0.0.1", kam_.udp_port()); }
  std::uint16_t port() const { return sock_.local_port(); }
  // The next message whose first line starts with `prefix` (others are dropped).
  std::optional<std::string> wait_for(const std::string& prefix, const std::string& cseq = "") {
    for (int i = 0; i < 10; ++i) {
      auto m = sock_.recv(kWait);
      if (!m) return m;
      if (m->rfind(prefix, 0) == 0 &&
          (cseq.empty() || header_value(*m, "CSeq").value_or("") == cseq)) {
        return m;
      }
    }
    return std::nullopt;
  }

 private:
  const Kamailio& kam_;
  UdpSocket sock_;
};

// NOTIFYs applied to the view until it shows `want` (at most five NOTIFYs).
bool until_state(Subscriber& watcher, bodies::BlfView& view, bodies::BlfState want,
                 std::string* last) {
  for (int i = 0; i < 5; ++i) {
    auto n = watcher.notify();
    if (!n) return false;
    *last = *n;
    const auto doc = bodies::parse_dialog_info(body_of(*n));
    if (doc.ok()) view.apply(*doc);
    if (view.state() == want) return true;
  }
  return false;
}

TEST(KamailioPresence, BlfWatcherSeesRingingThenBusyOfACallThroughKamailio) {
  KamailioOptions opts;
  opts.tls = false;
  opts.presence = true;
  Kamailio kam(opts);
  kam.start();
  const std::string port = std::to_string(kam.udp_port());
  const std::string callee_uri = "sip:1001@127.0.0.1:" + port;

  // The callee registers.
  Peer callee(kam);
  RawRequest reg;
  reg.request_uri = "sip:127.0.0.1:" + port;
  reg.user = "1001";
  reg.local_port = callee.port();
  reg.expires = 300;
  reg.call_id = "blf-reg";
  callee.send(make_request(reg));
  auto challenge = callee.wait_for("SIP/2.0 401");
  ASSERT_TRUE(challenge) << kam.log_tail();
  reg.cseq = 2;
  reg.branch = "z9hG4bK-reg-2";
  reg.authorization =
      digest_authorization(header_value(*challenge, "WWW-Authenticate").value_or(""), "1001",
                           Kamailio::password("1001"), "REGISTER", reg.request_uri);
  callee.send(make_request(reg));
  ASSERT_TRUE(callee.wait_for("SIP/2.0 200")) << kam.log_tail();

  // The watcher (1000) subscribes to 1001's dialogs.
  Subscriber watcher(kam);
  RawRequest sub;
  sub.method = "SUBSCRIBE";
  sub.request_uri = callee_uri;
  sub.local_port = watcher.port();
  sub.expires = 300;
  sub.call_id = "blf-sub";
  sub.branch = "z9hG4bK-blf";
  auto ok = subscribe(watcher, sub, "Event: dialog\r\nAccept: application/dialog-info+xml\r\n");
  ASSERT_TRUE(ok) << kam.log_tail();
  ASSERT_EQ(status_code(*ok), 200) << *ok;
  bodies::BlfView view;
  std::string last;
  ASSERT_TRUE(until_state(watcher, view, bodies::BlfState::kIdle, &last)) << last;

  // 1002 calls 1001 through Kamailio: 180, then 200.
  Peer caller(kam);
  RawRequest inv;
  inv.method = "INVITE";
  inv.request_uri = callee_uri;
  inv.user = "1002";
  inv.local_port = caller.port();
  inv.call_id = "blf-call";
  inv.branch = "z9hG4bK-inv";
  caller.send(make_request(inv));
  auto invite = callee.wait_for("INVITE ");
  ASSERT_TRUE(invite) << kam.log_tail();
  const std::string contact =
      "Contact: <sip:1001@127.0.0.1:" + std::to_string(callee.port()) + ">\r\n";
  callee.send(reply(*invite, "180 Ringing", "callee", contact));
  ASSERT_TRUE(until_state(watcher, view, bodies::BlfState::kRinging, &last)) << last;
  EXPECT_NE(view.remote().uri.find("1002"), std::string::npos) << last;

  callee.send(reply(*invite, "200 OK", "callee", contact));
  auto answer = caller.wait_for("SIP/2.0 200", "1 INVITE");
  ASSERT_TRUE(answer) << kam.log_tail();
  ASSERT_TRUE(until_state(watcher, view, bodies::BlfState::kBusy, &last)) << last;

  // Not covered here: ACK/BYE through Kamailio back to idle. (Kamailio's aliases now name its
  // own ports only, so in-dialog requests to a Contact on 127.0.0.1 are relayed: the calls e2e
  // tests, tests/e2e/daemon_e2e_calls_test.cpp, hang up through it.)
}

}  // namespace
}  // namespace sipline::test
