// SUBSCRIBE bytes: initial and in-dialog (Route set, tags, CSeq), Expires: 0, credentials.
#include <gtest/gtest.h>

#include "base/timers.hpp"
#include "msg_test_util.hpp"
#include "support/fake_transport.hpp"
#include "usage/sub/request.hpp"

using namespace sipline;
using namespace sipline::usage::sub;

namespace {

struct Fixture {
  base::VirtualTimers timers;
  test::FakeTransport transport{timers};
  transport::Target target{{transport::Protocol::kUdp, "127.0.0.2", 5060}, {}};
  txn::Identity id{
      "sip:example.com", "sip:1001@example.com", "Alice", "sip:1001@127.0.0.1:5060", target,
      "sipline-test"};
};

msg::Message parse(std::string bytes) {
  auto m = msg::Message::parse(std::move(bytes));
  EXPECT_TRUE(m.ok());
  EXPECT_FALSE(m.value().check().has_value());
  return std::move(m).value();
}

}  // namespace

TEST(SubRequest, InitialSubscribe) {
  Fixture f;
  SubscribeFields fields{Package::kMessageSummary, 3600,   f.id.contact, f.id.user_agent,
                         "Authorization",          nullptr};
  const msg::Message m = parse(initial_subscribe(f.id, "sip:vm@example.com", "ftag", "cid", 1,
                                                 fields, f.transport, f.target, "z9hG4bKabc"));
  EXPECT_EQ(m.method(), "SUBSCRIBE");
  EXPECT_EQ(m.request_uri(), "sip:vm@example.com");
  EXPECT_EQ(m.find(msg::HeaderId::kFrom)->value, "\"Alice\" <sip:1001@example.com>;tag=ftag");
  EXPECT_EQ(m.find(msg::HeaderId::kTo)->value, "<sip:vm@example.com>");
  EXPECT_EQ(m.call_id(), "cid");
  EXPECT_EQ(m.find(msg::HeaderId::kCSeq)->value, "1 SUBSCRIBE");
  EXPECT_EQ(m.find(msg::HeaderId::kEvent)->value, "message-summary");
  EXPECT_EQ(m.find(msg::HeaderId::kAccept)->value, "application/simple-message-summary");
  EXPECT_EQ(m.find(msg::HeaderId::kContact)->value, "<sip:1001@127.0.0.1:5060>");
  EXPECT_EQ(m.uint_header(msg::HeaderId::kExpires), 3600u);
  EXPECT_EQ(m.find(msg::HeaderId::kRoute), nullptr);
  EXPECT_EQ(m.find(msg::HeaderId::kAuthorization), nullptr);
  EXPECT_EQ(m.find(msg::HeaderId::kUserAgent)->value, "sipline-test");
}

TEST(SubRequest, InDialogRefreshAndUnsubscribe) {
  Fixture f;
  dialog::InDialogRequest r;
  r.request_uri = "sip:n@10.0.0.1:5070";
  r.routes = {"<sip:p1;lr>", "<sip:p2;lr>"};
  r.from = "<sip:1001@example.com>;tag=ftag";
  r.to = "<sip:b@example.com>;tag=rtag";
  r.call_id = "cid";
  r.cseq = 5;
  const std::string creds = "Digest username=\"1001\"";
  SubscribeFields fields{Package::kDialog,      0,     f.id.contact, f.id.user_agent,
                         "Proxy-Authorization", &creds};
  const msg::Message m = parse(in_dialog_subscribe(r, fields, f.transport, f.target, "z9hG4bKdef"));
  EXPECT_EQ(m.request_uri(), "sip:n@10.0.0.1:5070");
  EXPECT_EQ(m.values(msg::HeaderId::kRoute),
            (std::vector<std::string_view>{"<sip:p1;lr>", "<sip:p2;lr>"}));
  EXPECT_EQ(m.find(msg::HeaderId::kTo)->value, "<sip:b@example.com>;tag=rtag");
  EXPECT_EQ(m.find(msg::HeaderId::kCSeq)->value, "5 SUBSCRIBE");
  EXPECT_EQ(m.find(msg::HeaderId::kEvent)->value, "dialog");
  EXPECT_EQ(m.find(msg::HeaderId::kAccept)->value, "application/dialog-info+xml");
  EXPECT_EQ(m.uint_header(msg::HeaderId::kExpires), 0u);
  EXPECT_EQ(m.find(msg::HeaderId::kProxyAuthorization)->value, creds);
}
