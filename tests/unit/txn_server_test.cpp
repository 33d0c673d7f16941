// Non-INVITE server transactions (RFC 3261 §17.2.2) and the layer's own answers (OPTIONS 200,
// CANCEL 481, 405, 400), on a virtual clock with the fake transport.
#include <memory>
#include <optional>

#include "msg/writer.hpp"
#include "txn_test_util.hpp"

namespace sipline::txn_test {
namespace {

using ::testing::IsEmpty;

using ServerTest = LayerTest;

std::string header(const msg::Message& m, msg::HeaderId id) {
  const auto* h = m.find(id);
  return h ? std::string(h->value) : std::string("<absent>");
}

TEST_F(ServerTest, OptionsAnswered200WithTheRequestsIdentityAndCapabilities) {
  layer_.set_supported("path");
  const Req req;
  ASSERT_TRUE(transport_.inject(req.text(), {Protocol::kUdp, "127.0.0.1", 40000}));
  ASSERT_EQ(transport_.sent().size(), 1u);
  const auto& sent = transport_.sent()[0];
  // rport present: back to the packet's source address and port (RFC 3581).
  EXPECT_EQ(sent.target.remote, (Address{Protocol::kUdp, "127.0.0.1", 40000}));
  const msg::Message resp = sent.parse();
  const msg::Message request = msg::Message::parse(req.text()).value();
  ASSERT_EQ(resp.status_code(), 200);
  // The top Via tells the client its public address (RFC 3581 §4); otherwise as requested.
  EXPECT_EQ(header(request, msg::HeaderId::kVia),
            "SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bKpeer1");
  EXPECT_EQ(header(resp, msg::HeaderId::kVia),
            "SIP/2.0/UDP 127.0.0.1:5070;rport=40000;branch=z9hG4bKpeer1;received=127.0.0.1");
  EXPECT_EQ(header(resp, msg::HeaderId::kFrom), header(request, msg::HeaderId::kFrom));
  EXPECT_EQ(header(resp, msg::HeaderId::kCallId), "call-1@peer");
  EXPECT_EQ(header(resp, msg::HeaderId::kCSeq), "1 OPTIONS");
  ASSERT_TRUE(resp.to().ok());
  EXPECT_EQ(resp.to()->uri.text, "sip:me@127.0.0.1");
  EXPECT_FALSE(resp.to()->tag().empty());
  EXPECT_EQ(header(resp, msg::HeaderId::kAllow), "OPTIONS");
  EXPECT_EQ(header(resp, msg::HeaderId::kAccept), "application/sdp");
  EXPECT_EQ(header(resp, msg::HeaderId::kSupported), "path");
  EXPECT_EQ(header(resp, msg::HeaderId::kServer), "<absent>") << "none until one is set";
  EXPECT_EQ(layer_.counters().server_requests, 1u);
}

TEST_F(ServerTest, TheLayersOwnAnswersCarryTheServerHeaderWhenSet) {
  layer_.set_server("sipline/9.9");
  for (const char* method : {"OPTIONS", "CANCEL", "MESSAGE"}) {
    Req req;
    req.method = method;
    req.branch = std::string("z9hG4bK-") + method;
    ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  }
  ASSERT_EQ(transport_.sent().size(), 3u);
  for (const auto& sent : transport_.sent()) {
    EXPECT_EQ(header(sent.parse(), msg::HeaderId::kServer), "sipline/9.9");
  }
}

TEST_F(ServerTest, RetransmittedRequestGetsTheSameResponseWithoutCallingTheHandlerAgain) {
  int calls = 0;
  layer_.set_request_handler("OPTIONS",
                             [&](const msg::Message& r, const Address&, txn::Respond respond) {
                               ++calls;
                               respond(msg::response_to(r, 200, "OK", "fixedtag").finish());
                             });
  const Req req;
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  timers_.advance(500ms);
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(transport_.sent().size(), 2u);
  EXPECT_EQ(transport_.sent()[0].bytes, transport_.sent()[1].bytes);
  EXPECT_EQ(layer_.counters().server_retransmissions, 1u);
  EXPECT_EQ(layer_.counters().server_requests, 1u);

  // Timer J (64*T1 over UDP) keeps it until 32 s after the final response.
  timers_.advance(31499ms);
  EXPECT_EQ(layer_.server_count(), 1u);
  timers_.advance(1ms);
  EXPECT_EQ(layer_.server_count(), 0u);
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));  // now a new transaction
  EXPECT_EQ(calls, 2);
}

TEST_F(ServerTest, DefaultAnswersKeepTheirToTagForRetransmissions) {
  const Req req;
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  ASSERT_EQ(transport_.sent().size(), 2u);
  EXPECT_EQ(transport_.sent()[0].bytes, transport_.sent()[1].bytes);
}

TEST_F(ServerTest, UnknownMethodAnswered405WithAllow) {
  layer_.set_request_handler("NOTIFY", [](const msg::Message&, const Address&, txn::Respond) {});
  Req req;
  req.method = "MESSAGE";
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  ASSERT_EQ(transport_.sent().size(), 1u);
  const msg::Message resp = transport_.sent()[0].parse();
  EXPECT_EQ(resp.status_code(), 405);
  EXPECT_EQ(header(resp, msg::HeaderId::kAllow), "NOTIFY, OPTIONS");
  EXPECT_EQ(header(resp, msg::HeaderId::kCSeq), "1 MESSAGE");
  EXPECT_EQ(layer_.allowed_methods(), "NOTIFY, OPTIONS");
}

// One handler for several methods; setting one of them again takes only that method from it,
// and removing one leaves the others served.
TEST_F(ServerTest, OneHandlerServesSeveralMethodsAndEachCanBeTakenOverOrRemoved) {
  std::vector<std::string> first;
  std::vector<std::string> second;
  layer_.set_request_handler(
      {"NOTIFY", "MESSAGE", "INFO"},
      [&](const msg::Message& r, const Address&, txn::Respond) { first.emplace_back(r.method()); });
  EXPECT_EQ(layer_.allowed_methods(), "INFO, MESSAGE, NOTIFY, OPTIONS");
  layer_.set_request_handler("MESSAGE", [&](const msg::Message& r, const Address&, txn::Respond) {
    second.emplace_back(r.method());
  });
  layer_.set_request_handler("INFO", nullptr);
  EXPECT_EQ(layer_.allowed_methods(), "MESSAGE, NOTIFY, OPTIONS");

  Req req;
  std::uint32_t cseq = 1;
  for (const char* m : {"NOTIFY", "MESSAGE", "INFO"}) {
    req.method = m;
    req.cseq = cseq;
    req.branch = "z9hG4bKmany" + std::to_string(cseq++);
    ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  }
  EXPECT_EQ(first, std::vector<std::string>{"NOTIFY"});
  EXPECT_EQ(second, std::vector<std::string>{"MESSAGE"});
  ASSERT_EQ(transport_.sent().size(), 1u);  // INFO: nobody handles it any more
  EXPECT_EQ(transport_.sent()[0].parse().status_code(), 405);

  layer_.set_request_handler({"NOTIFY", "MESSAGE"}, nullptr);
  EXPECT_EQ(layer_.allowed_methods(), "OPTIONS");
}

// RFC 3261 §9.2: a CANCEL that matches no transaction gets 481, not 405 (CANCEL is a method
// every UA supports, it never appears in Allow).
TEST_F(ServerTest, CancelForAnUnknownTransactionAnswered481) {
  Req req;
  req.method = "CANCEL";
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  ASSERT_EQ(transport_.sent().size(), 1u);
  const msg::Message resp = transport_.sent()[0].parse();
  EXPECT_EQ(resp.status_code(), 481);
  EXPECT_EQ(header(resp, msg::HeaderId::kCSeq), "1 CANCEL");
  EXPECT_EQ(header(resp, msg::HeaderId::kAllow), "<absent>");
}

TEST_F(ServerTest, AckIsNeverAnswered) {
  Req req;
  req.method = "ACK";
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  EXPECT_THAT(transport_.sent(), IsEmpty());
  EXPECT_EQ(layer_.server_count(), 0u);
  EXPECT_EQ(layer_.counters().server_requests, 0u);
}

TEST_F(ServerTest, AckGoesToAnAckHandler) {
  int acks = 0;
  layer_.set_request_handler("ACK", [&](const msg::Message&, const Address&, txn::Respond r) {
    ++acks;
    r("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");  // does nothing
  });
  Req req;
  req.method = "ACK";
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  EXPECT_EQ(acks, 1);
  EXPECT_THAT(transport_.sent(), IsEmpty());
}

TEST_F(ServerTest, HandlerAnswersLaterAndRetransmissionsFollowTheState) {
  std::optional<txn::Respond> later;
  std::optional<msg::Message> kept;
  layer_.set_request_handler("NOTIFY",
                             [&](const msg::Message& r, const Address&, txn::Respond respond) {
                               kept = r;
                               later = std::move(respond);
                             });
  Req req;
  req.method = "NOTIFY";
  req.to_tag = "mine";
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  ASSERT_TRUE(later.has_value());
  timers_.advance(500ms);
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));  // Trying: absorbed, nothing to send
  EXPECT_THAT(transport_.sent(), IsEmpty());

  timers_.advance(100ms);
  (*later)(msg::response_to(*kept, 100, "Trying").finish());
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));  // Proceeding: the provisional again
  timers_.advance(400ms);
  (*later)(msg::response_to(*kept, 200, "OK").finish());
  (*later)(msg::response_to(*kept, 500, "Oops").finish());  // a second final: dropped
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));     // Completed: the final again
  ASSERT_EQ(transport_.sent().size(), 4u);
  EXPECT_EQ(transport_.sent()[0].status_code(), 100);
  EXPECT_EQ(transport_.sent()[1].status_code(), 100);
  EXPECT_EQ(transport_.sent()[2].status_code(), 200);
  EXPECT_EQ(transport_.sent()[3].status_code(), 200);
  EXPECT_EQ(transport_.sent_offsets_ms(t0_), (std::vector<std::int64_t>{600, 600, 1000, 1000}));
  EXPECT_EQ(layer_.counters().server_retransmissions, 3u);
}

TEST_F(ServerTest, HandlerThatNeverRespondsIsForgottenAfter64T1) {
  std::optional<txn::Respond> later;
  layer_.set_request_handler("NOTIFY", [&](const msg::Message&, const Address&,
                                           txn::Respond respond) { later = std::move(respond); });
  Req req;
  req.method = "NOTIFY";
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  timers_.advance(32s);
  EXPECT_EQ(layer_.server_count(), 0u);
  (*later)("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");  // too late: dropped
  EXPECT_THAT(transport_.sent(), IsEmpty());
}

TEST_F(ServerTest, RespondAfterTheLayerIsGoneIsHarmless) {
  auto layer =
      std::make_unique<txn::TransactionLayer>(timers_, transport_, txn::TimerConfig{}, &random_);
  transport_.set_user(layer.get());
  std::optional<txn::Respond> later;
  layer->set_request_handler("NOTIFY", [&](const msg::Message&, const Address&,
                                           txn::Respond respond) { later = std::move(respond); });
  Req req;
  req.method = "NOTIFY";
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  layer.reset();
  transport_.set_user(&layer_);
  (*later)("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_THAT(transport_.sent(), IsEmpty());
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(ServerTest, HandlerMayRemoveItselfWhileRunning) {
  int calls = 0;
  layer_.set_request_handler("NOTIFY",
                             [&](const msg::Message& r, const Address&, txn::Respond respond) {
                               ++calls;
                               layer_.set_request_handler("NOTIFY", nullptr);
                               respond(msg::response_to(r, 200, "OK", "t").finish());
                             });
  Req req;
  req.method = "NOTIFY";
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  req.branch = "z9hG4bKpeer2";
  ASSERT_TRUE(transport_.inject(req.text(), kPeerUdp));
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(transport_.sent().size(), 2u);
  EXPECT_EQ(transport_.sent()[1].status_code(), 405);
}

TEST_F(ServerTest, BadMandatoryHeadersAnswered400OrDroppedWithoutVia) {
  Req no_call_id;
  no_call_id.with_call_id = false;
  Req mismatch;
  mismatch.cseq_method = "INVITE";
  Req twice;
  twice.extra = "Call-ID: another\r\n";
  Req no_via;
  no_via.with_via = false;
  ASSERT_TRUE(transport_.inject(no_call_id.text(), kPeerUdp));
  ASSERT_TRUE(transport_.inject(mismatch.text(), kPeerUdp));
  ASSERT_TRUE(transport_.inject(twice.text(), kPeerUdp));
  // The message layer parses it (Via is the transaction layer's to require): it must reach us.
  ASSERT_TRUE(transport_.inject(no_via.text(), kPeerUdp));
  ASSERT_EQ(transport_.sent().size(), 3u);
  for (const auto& sent : transport_.sent()) {
    EXPECT_EQ(sent.status_code(), 400);
    EXPECT_EQ(sent.target.remote, kPeerUdp);
  }
  EXPECT_THAT(transport_.sent()[0].bytes, ::testing::StartsWith("SIP/2.0 400 Bad Request ("));
  EXPECT_EQ(layer_.counters().malformed, 4u);
  EXPECT_EQ(layer_.server_count(), 0u);
}

TEST_F(ServerTest, TcpAnswersOnTheSourceAndForgetsAtOnce) {
  Req req;
  req.transport = "TCP";
  req.via_params = "";
  const Address source{Protocol::kTcp, "127.0.0.1", 41000};
  ASSERT_TRUE(transport_.inject(req.text(), source));
  ASSERT_EQ(transport_.sent().size(), 1u);
  EXPECT_EQ(transport_.sent()[0].target.remote, source);  // not the Via's sent-by port
  EXPECT_EQ(layer_.server_count(), 0u);                   // timer J is zero
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(ServerTest, UdpWithoutRportAnswersTheSentByPort) {
  Req req;
  req.via_params = "";
  req.sent_by = "10.9.9.9:5090";
  ASSERT_TRUE(transport_.inject(req.text(), {Protocol::kUdp, "127.0.0.1", 40000}));
  ASSERT_EQ(transport_.sent().size(), 1u);
  // RFC 3261 18.2.2: the source address (what `received` would say) and the sent-by port.
  EXPECT_EQ(transport_.sent()[0].target.remote, (Address{Protocol::kUdp, "127.0.0.1", 5090}));
}

TEST_F(ServerTest, UdpHonoursReceivedAndRportValues) {
  Req req;
  req.via_params = ";received=127.0.0.9;rport=6000";
  ASSERT_TRUE(transport_.inject(req.text(), {Protocol::kUdp, "127.0.0.1", 40000}));
  ASSERT_EQ(transport_.sent().size(), 1u);
  EXPECT_EQ(transport_.sent()[0].target.remote, (Address{Protocol::kUdp, "127.0.0.9", 6000}));
}

TEST_F(ServerTest, SameBranchFromAnotherSentByIsANewTransaction) {
  int calls = 0;
  layer_.set_request_handler("NOTIFY",
                             [&](const msg::Message& r, const Address&, txn::Respond respond) {
                               ++calls;
                               respond(msg::response_to(r, 200, "OK", "t").finish());
                             });
  Req a;
  a.method = "NOTIFY";
  Req b = a;
  b.sent_by = "127.0.0.1:5080";
  Req c = a;
  c.method = "INFO";  // same branch, other method: another transaction (405 by default)
  ASSERT_TRUE(transport_.inject(a.text(), kPeerUdp));
  ASSERT_TRUE(transport_.inject(b.text(), kPeerUdp));
  ASSERT_TRUE(transport_.inject(c.text(), kPeerUdp));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(layer_.counters().server_retransmissions, 0u);
  EXPECT_EQ(layer_.counters().server_requests, 3u);
}

TEST_F(ServerTest, Rfc2543RequestsWithoutMagicCookieMatchByTheirIdentity) {
  int calls = 0;
  layer_.set_request_handler("NOTIFY",
                             [&](const msg::Message& r, const Address&, txn::Respond respond) {
                               ++calls;
                               respond(msg::response_to(r, 200, "OK", "t").finish());
                             });
  Req old;
  old.method = "NOTIFY";
  old.branch = "";
  ASSERT_TRUE(transport_.inject(old.text(), kPeerUdp));
  ASSERT_TRUE(transport_.inject(old.text(), kPeerUdp));  // retransmission
  Req next = old;
  next.cseq = 2;
  ASSERT_TRUE(transport_.inject(next.text(), kPeerUdp));  // a new request
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(layer_.counters().server_retransmissions, 1u);
  ASSERT_EQ(transport_.sent().size(), 3u);
}

TEST_F(ServerTest, T1ChangeAppliesToTimerJOfNewTransactions) {
  layer_.set_timer_config({.t1 = 100ms, .t2 = 400ms, .t4 = 1000ms});
  ASSERT_TRUE(transport_.inject(Req{}.text(), kPeerUdp));
  timers_.advance(6399ms);
  EXPECT_EQ(layer_.server_count(), 1u);
  timers_.advance(1ms);
  EXPECT_EQ(layer_.server_count(), 0u);
}

}  // namespace
}  // namespace sipline::txn_test
