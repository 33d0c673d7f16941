// The shared-port demultiplexer: responses find their account by branch prefix, requests by
// Request-URI (line token, else user), and what no account owns is answered or dropped, counted.
#include "txn/shared_port.hpp"

#include "msg/writer.hpp"
#include "txn/default_responses.hpp"
#include "txn_test_util.hpp"

namespace sipline::txn_test {
namespace {

using namespace std::string_view_literals;

struct Recorder final : transport::TransportUser {
  std::vector<std::string> got;  // "request METHOD" / "response CODE" / "error KIND"
  void on_message(msg::Message m, const Address&, const Address&) override {
    got.push_back(m.is_request() ? "request " + std::string(m.method())
                                 : "response " + std::to_string(m.status_code()));
  }
  void on_transport_error(const transport::TransportError& e) override {
    got.push_back("error " + std::string(transport::to_string(e.kind)));
  }
};

std::string request_to(std::string_view uri, std::string_view method = "OPTIONS",
                       std::string_view to_tag = "") {
  Req r;
  r.method = std::string(method);
  r.to_tag = std::string(to_tag);
  std::string text = r.text();
  const std::string old = "sip:me@127.0.0.1:5060";
  text.replace(text.find(old), old.size(), uri);
  return text;
}

const Address kPeer{Protocol::kUdp, "127.0.0.1", 5070};
const Target kOptionsTo{kPeer, ""};

class SharedPortTest : public ::testing::Test {
 protected:
  SharedPortTest() {
    transport_.set_user(&demux_);
    demux_.add(1, alice_, "alice"sv, "");
    demux_.add(2, bob_, "bob"sv, "");
  }
  base::VirtualTimers timers_;
  test::FakeTransport transport_{timers_};
  txn::SharedPortDemux demux_{transport_, "sipline/test"};
  Recorder alice_, bob_;
};

TEST(SharedPortBranch, PrefixNamesTheAccount) {
  EXPECT_EQ(txn::branch_prefix(42), "s42x");
  base::SeededRandom random{7};
  random.set_branch_prefix(txn::branch_prefix(42));
  const std::string branch = random.branch();
  EXPECT_TRUE(branch.starts_with("z9hG4bKs42x")) << branch;
  EXPECT_EQ(txn::account_of_branch(branch), 42);
  EXPECT_EQ(txn::account_of_branch("z9hG4bKs0xabc"), 0);
  EXPECT_EQ(txn::account_of_branch("z9hG4bKabcdef"), -1);  // device mode: no prefix
  EXPECT_EQ(txn::account_of_branch("z9hG4bKs42"), -1);     // no terminator
  EXPECT_EQ(txn::account_of_branch("z9hG4bKsx1"), -1);     // no number
  EXPECT_EQ(txn::account_of_branch("s42xabc"), -1);        // no magic cookie
}

TEST_F(SharedPortTest, ResponsesGoToTheAccountOfTheBranch) {
  ASSERT_TRUE(transport_.inject(response_text("z9hG4bKs2xabc", 200), kPeer));
  ASSERT_TRUE(transport_.inject(response_text("z9hG4bKs1xdef", 401, "REGISTER"), kPeer));
  EXPECT_THAT(alice_.got, ::testing::ElementsAre("response 401"));
  EXPECT_THAT(bob_.got, ::testing::ElementsAre("response 200"));
  ASSERT_TRUE(transport_.inject(response_text("z9hG4bKs9xabc", 200), kPeer));  // no account 9
  ASSERT_TRUE(transport_.inject(response_text("z9hG4bKforeign", 200), kPeer));
  EXPECT_EQ(demux_.counters().responses_routed, 2U);
  EXPECT_EQ(demux_.counters().responses_unmatched, 2U);
  EXPECT_TRUE(transport_.sent().empty());  // responses are never answered
}

TEST_F(SharedPortTest, RequestsGoToTheAccountOfTheRequestUriUser) {
  ASSERT_TRUE(transport_.inject(request_to("sip:bob@127.0.0.1:5060", "NOTIFY"), kPeer));
  ASSERT_TRUE(transport_.inject(request_to("sip:alice@127.0.0.1:5060;transport=udp"), kPeer));
  EXPECT_THAT(alice_.got, ::testing::ElementsAre("request OPTIONS"));
  EXPECT_THAT(bob_.got, ::testing::ElementsAre("request NOTIFY"));
  EXPECT_EQ(demux_.counters().requests_routed, 2U);
  EXPECT_TRUE(transport_.sent().empty());
}

TEST_F(SharedPortTest, ALineTokenTellsAccountsWithOneUserApart) {
  Recorder carol1, carol2;
  demux_.add(3, carol1, "carol"sv, "l3");
  demux_.add(4, carol2, "carol"sv, "l4");
  ASSERT_TRUE(transport_.inject(request_to("sip:carol@127.0.0.1:5060;line=l4", "INVITE"), kPeer));
  ASSERT_TRUE(transport_.inject(request_to("sip:carol@127.0.0.1:5060;line=l3"), kPeer));
  EXPECT_THAT(carol1.got, ::testing::ElementsAre("request OPTIONS"));
  EXPECT_THAT(carol2.got, ::testing::ElementsAre("request INVITE"));
  // Without the token the user names two accounts: neither gets it, the sender gets 404.
  ASSERT_TRUE(transport_.inject(request_to("sip:carol@127.0.0.1:5060"), kPeer));
  EXPECT_EQ(carol1.got.size() + carol2.got.size(), 2U);
  ASSERT_EQ(transport_.sent().size(), 1U);
  EXPECT_EQ(transport_.sent()[0].status_code(), 404);
}

TEST_F(SharedPortTest, RequestsForNoAccountAreAnsweredByRfc3261) {
  ASSERT_TRUE(transport_.inject(request_to("sip:nobody@127.0.0.1:5060"), kPeer));
  ASSERT_TRUE(transport_.inject(request_to("sip:nobody@127.0.0.1:5060", "BYE", "t1"), kPeer));
  ASSERT_TRUE(transport_.inject(request_to("sip:nobody@127.0.0.1:5060", "CANCEL"), kPeer));
  ASSERT_TRUE(transport_.inject(request_to("sip:nobody@127.0.0.1:5060", "ACK", "t1"), kPeer));
  ASSERT_TRUE(transport_.inject(request_to("sip:alice@127.0.0.1:5060;line=zz"), kPeer));
  const auto& sent = transport_.sent();
  ASSERT_EQ(sent.size(), 4U);  // the ACK is not answered
  EXPECT_EQ(sent[0].status_code(), 404);
  EXPECT_EQ(sent[1].status_code(), 481);    // in a dialog (To tag)
  EXPECT_EQ(sent[2].status_code(), 481);    // CANCEL of no transaction
  EXPECT_EQ(sent[3].status_code(), 404);    // a line token no account has
  EXPECT_EQ(sent[0].target.remote, kPeer);  // Via ;rport: back to the source
  const msg::Message answer = sent[1].parse();
  EXPECT_EQ(answer.top_via()->branch(), "z9hG4bKpeer1");
  EXPECT_FALSE(answer.to()->tag().empty());
  EXPECT_EQ(demux_.counters().requests_unmatched, 5U);
  EXPECT_EQ(demux_.counters().answered_404, 2U);
  EXPECT_EQ(demux_.counters().answered_481, 2U);
  EXPECT_EQ(demux_.counters().acks_dropped, 1U);
  EXPECT_TRUE(alice_.got.empty());
  EXPECT_TRUE(bob_.got.empty());
}

TEST_F(SharedPortTest, TransportErrorsReachEveryAccount) {
  transport_.inject_error(transport::TransportErrorKind::kUnreachable, kOptionsTo);
  EXPECT_THAT(alice_.got, ::testing::ElementsAre("error unreachable"));
  EXPECT_THAT(bob_.got, ::testing::ElementsAre("error unreachable"));
}

TEST_F(SharedPortTest, RemovingAStaleRuntimeKeepsItsReplacement) {
  Recorder replacement;
  demux_.add(2, replacement, "bob"sv, "");
  demux_.remove(2, bob_);  // the retired runtime goes later: the replacement stays
  ASSERT_TRUE(transport_.inject(request_to("sip:bob@127.0.0.1:5060"), kPeer));
  EXPECT_THAT(replacement.got, ::testing::ElementsAre("request OPTIONS"));
  EXPECT_TRUE(bob_.got.empty());
  demux_.remove(2, replacement);
  EXPECT_EQ(demux_.size(), 1U);
}

// One of two accounts with a user leaves: its line token goes with it, and the user names the
// other account alone again.
TEST_F(SharedPortTest, RemovingOneOfTwoAccountsWithAUserLeavesTheOther) {
  Recorder carol1, carol2;
  demux_.add(7, carol1, "carol"sv, "l7");
  demux_.add(40, carol2, "carol"sv, "l40");  // ids need not be contiguous
  EXPECT_EQ(demux_.size(), 4U);
  demux_.remove(7, carol1);
  EXPECT_EQ(demux_.size(), 3U);
  ASSERT_TRUE(transport_.inject(request_to("sip:carol@127.0.0.1:5060"), kPeer));
  ASSERT_TRUE(transport_.inject(request_to("sip:carol@127.0.0.1:5060;line=l7"), kPeer));
  EXPECT_TRUE(carol1.got.empty());
  EXPECT_THAT(carol2.got, ::testing::ElementsAre("request OPTIONS"));
  ASSERT_EQ(transport_.sent().size(), 1U);  // the removed line token: 404
  EXPECT_EQ(transport_.sent()[0].status_code(), 404);
  // A response whose branch names an id no account has (any more) is dropped, counted.
  ASSERT_TRUE(transport_.inject(response_text("z9hG4bKs7xgone", 200), kPeer));
  EXPECT_EQ(demux_.counters().responses_unmatched, 1U);
}

// A fleet's worth of users, reserved up front: each request reaches the one account whose
// Contact user it names exactly (users that share a prefix or a length are not confused).
TEST(SharedPortFleet, EveryUserOfAReservedFleetReachesItsAccount) {
  base::VirtualTimers timers;
  test::FakeTransport transport{timers};
  txn::SharedPortDemux demux{transport, "sipline/test"};
  transport.set_user(&demux);
  constexpr int kAccounts = 300;
  demux.reserve(kAccounts, kAccounts);
  std::vector<Recorder> phones(kAccounts + 1);
  std::vector<std::string> users(kAccounts + 1);  // the demultiplexer keeps views of them
  for (int id = 1; id <= kAccounts; ++id) {
    users[id] = std::to_string(id);
    demux.add(id, phones[id], users[id], "");
  }
  EXPECT_EQ(demux.size(), static_cast<std::size_t>(kAccounts));
  for (const int id : {1, 10, 100, 299, 300}) {
    const std::string uri = "sip:" + std::to_string(id) + "@127.0.0.1:5060";
    ASSERT_TRUE(transport.inject(request_to(uri), kPeer));
  }
  for (int id = 1; id <= kAccounts; ++id) {
    const bool named = id == 1 || id == 10 || id == 100 || id == 299 || id == 300;
    EXPECT_EQ(phones[id].got.size(), named ? 1U : 0U) << id;
  }
  ASSERT_TRUE(transport.inject(request_to("sip:3000@127.0.0.1:5060"), kPeer));  // nobody's
  ASSERT_TRUE(transport.inject(request_to("sip:01@127.0.0.1:5060"), kPeer));
  EXPECT_EQ(demux.counters().requests_routed, 5U);
  EXPECT_EQ(demux.counters().answered_404, 2U);
}

// Two transaction layers on one transport: each one's response reaches its own transaction.
TEST(SharedPortLayers, EachLayerGetsItsOwnResponses) {
  base::VirtualTimers timers;
  test::FakeTransport transport{timers};
  txn::SharedPortDemux demux{transport, "sipline/test"};
  transport.set_user(&demux);
  base::SeededRandom r1{1}, r2{1};  // same seed: only the prefix tells the branches apart
  r1.set_branch_prefix(txn::branch_prefix(1));
  r2.set_branch_prefix(txn::branch_prefix(2));
  txn::TransactionLayer l1{timers, transport, txn::TimerConfig{}, &r1};
  txn::TransactionLayer l2{timers, transport, txn::TimerConfig{}, &r2};
  demux.add(1, l1, "a"sv, "");
  demux.add(2, l2, "b"sv, "");
  std::vector<std::string> got1, got2;
  const auto record = [](std::vector<std::string>& into) {
    return [&into](const txn::ClientEvent& e) { into.push_back(describe(e)); };
  };
  const std::string b1 = r1.branch();
  const std::string b2 = r2.branch();
  l1.send_request(kOptionsTo, b1, "OPTIONS", request_text(b1), record(got1));
  l2.send_request(kOptionsTo, b2, "OPTIONS", request_text(b2), record(got2));
  ASSERT_TRUE(transport.inject(response_text(b2, 486), kPeer));
  ASSERT_TRUE(transport.inject(response_text(b1, 200), kPeer));
  EXPECT_THAT(got1, ::testing::ElementsAre("200"));
  EXPECT_THAT(got2, ::testing::ElementsAre("486"));
}

// Shared-port mode proper: every account's layer is a face on the socket's TransactionCore.
struct OneCore : ::testing::Test {
  OneCore() {
    transport.set_user(&demux);
    demux.set_core(&core);
    r1.set_branch_prefix(txn::branch_prefix(1));
    r2.set_branch_prefix(txn::branch_prefix(2));
    l1 = std::make_unique<txn::TransactionLayer>(core, timers, r1);
    l2 = std::make_unique<txn::TransactionLayer>(core, timers, r2);
    demux.add(1, *l1, "a"sv, "");
    demux.add(2, *l2, "b"sv, "");
  }
  ~OneCore() override {
    if (l1) demux.remove(1, *l1);
    if (l2) demux.remove(2, *l2);
  }
  static txn::ClientCallback record(std::vector<std::string>& into) {
    return [&into](const txn::ClientEvent& e) { into.push_back(describe(e)); };
  }
  std::uint64_t start(txn::TransactionLayer& l, base::Random& r, std::vector<std::string>& into,
                      std::string* branch = nullptr) {
    const std::string b = r.branch();
    if (branch != nullptr) *branch = b;
    return l.send_request(kOptionsTo, b, "OPTIONS", request_text(b), record(into));
  }
  base::VirtualTimers timers;
  test::FakeTransport transport{timers};
  txn::SharedPortDemux demux{transport, "sipline/test"};
  txn::TransactionCore core{transport, txn::TimerConfig{}};
  base::SeededRandom r1{1}, r2{1};
  std::unique_ptr<txn::TransactionLayer> l1, l2;
  std::vector<std::string> got1, got2;
};

// Each face's responses reach its own transactions and count on its own layer; handles never
// collide, and a face cannot cancel another's transaction.
TEST_F(OneCore, EachFaceKeepsItsTransactionsAndCounters) {
  std::string b1, b2;
  const auto h1 = start(*l1, r1, got1, &b1);
  const auto h2 = start(*l2, r2, got2, &b2);
  EXPECT_NE(h1, h2);
  l2->cancel(h1);  // not l2's: nothing happens
  EXPECT_EQ(l1->client_count(), 1U);
  EXPECT_EQ(l2->client_count(), 1U);
  ASSERT_TRUE(transport.inject(response_text(b2, 486), kPeer));
  ASSERT_TRUE(transport.inject(response_text(b1, 200), kPeer));
  ASSERT_TRUE(transport.inject(response_text(b1, 200), kPeer));  // absorbed (timer K)
  EXPECT_THAT(got1, ::testing::ElementsAre("200"));
  EXPECT_THAT(got2, ::testing::ElementsAre("486"));
  EXPECT_EQ(l1->counters().client_started, 1U);
  EXPECT_EQ(l2->counters().client_started, 1U);
  EXPECT_EQ(l1->counters().response_retransmissions, 1U);
  EXPECT_EQ(l2->counters().response_retransmissions, 0U);
  EXPECT_EQ(l1->client_count(), 0U);
}

// A transport error reaches the core once: every face's transactions to that target fail, each
// callback runs once, and no account is handed the error besides.
TEST_F(OneCore, ATransportErrorFailsEveryFacesTransactionsOnce) {
  start(*l1, r1, got1);
  start(*l2, r2, got2);
  start(*l2, r2, got2);
  transport.inject_error(transport::TransportErrorKind::kUnreachable, kOptionsTo);
  EXPECT_THAT(got1, ::testing::ElementsAre("error:unreachable"));
  EXPECT_THAT(got2, ::testing::ElementsAre("error:unreachable", "error:unreachable"));
  EXPECT_EQ(l1->counters().transport_errors, 1U);
  EXPECT_EQ(l2->counters().transport_errors, 2U);
  EXPECT_EQ(timers.pending(), 0U);
}

// A face that goes ends its transactions (no callback, no timer left) while the other face's go
// on; a callback may destroy another face in the middle of a transport error.
TEST_F(OneCore, AFaceThatGoesTakesItsTransactionsWithIt) {
  start(*l1, r1, got1);
  std::string b2;
  start(*l2, r2, got2, &b2);
  demux.remove(1, *l1);
  l1.reset();
  timers.advance(std::chrono::seconds(40));  // l1's would have timed out
  EXPECT_TRUE(got1.empty());
  EXPECT_THAT(got2, ::testing::ElementsAre("timeout"));

  l1 = std::make_unique<txn::TransactionLayer>(core, timers, r1);
  demux.add(1, *l1, "a"sv, "");
  start(*l1, r1, got1);
  std::vector<std::string> destroyer;
  const std::string b = r1.branch();
  l1->send_request(kOptionsTo, b, "OPTIONS", request_text(b), [&](const txn::ClientEvent&) {
    destroyer.push_back("ran");
    demux.remove(2, *l2);
    l2.reset();
  });
  start(*l2, r2, got2);  // fails after the one above: its layer is gone by then
  transport.inject_error(transport::TransportErrorKind::kUnreachable, kOptionsTo);
  EXPECT_THAT(got1, ::testing::ElementsAre("error:unreachable"));
  EXPECT_THAT(destroyer, ::testing::ElementsAre("ran"));
  EXPECT_THAT(got2, ::testing::ElementsAre("timeout"));  // l2 went before its turn
  EXPECT_EQ(timers.pending(), 0U);
}

// Requests: each face answers with its own handlers and its own Server header. The same request
// (one branch) to two accounts is a transaction of each, as with a layer each.
TEST_F(OneCore, EachFaceAnswersWithItsOwnHandlersAndServerHeader) {
  l1->set_server("phone-a");
  l2->set_server("phone-b");
  int notifies = 0;
  l2->set_request_handler("NOTIFY", [&](const msg::Message& r, const Address&, txn::Respond re) {
    ++notifies;
    re(msg::response_to(r, 200, "OK", "t").finish());
  });
  ASSERT_TRUE(transport.inject(request_to("sip:a@127.0.0.1:5060"), kPeer));
  ASSERT_TRUE(transport.inject(request_to("sip:a@127.0.0.1:5060", "NOTIFY"), kPeer));
  ASSERT_TRUE(transport.inject(request_to("sip:b@127.0.0.1:5060", "NOTIFY"), kPeer));
  ASSERT_EQ(transport.sent().size(), 3U);
  EXPECT_EQ(transport.sent()[0].status_code(), 200);  // OPTIONS by default, l1's Server
  EXPECT_NE(transport.sent()[0].bytes.find("Server: phone-a"), std::string::npos);
  EXPECT_EQ(transport.sent()[1].status_code(), 405);  // l1 has no NOTIFY handler
  EXPECT_EQ(transport.sent()[2].status_code(), 200);
  EXPECT_EQ(notifies, 1);
  EXPECT_EQ(l1->counters().server_requests, 2U);
  EXPECT_EQ(l2->counters().server_requests, 1U);
  EXPECT_EQ(l1->server_count(), 2U);  // both in Completed (timer J)
  EXPECT_EQ(l2->server_count(), 1U);
}

}  // namespace
}  // namespace sipline::txn_test
