// The transaction state machines on their own (events in, actions out) and the matching and
// addressing helpers: table tests, no layer, no clock.
#include <gtest/gtest.h>

#include <chrono>

#include "txn/default_responses.hpp"
#include "txn/matching.hpp"
#include "txn/non_invite_client.hpp"
#include "txn/non_invite_server.hpp"
#include "txn/via_stamp.hpp"

namespace sipline::txn {
namespace {

using namespace std::chrono_literals;

bool arms(const Actions& a, TimerName t, base::Duration d) {
  for (const auto& op : a.timers) {
    if (op.timer == t && op.delay == d) return true;
  }
  return false;
}
bool stops(const Actions& a, TimerName t) {
  for (const auto& op : a.timers) {
    if (op.timer == t && !op.delay) return true;
  }
  return false;
}

TEST(NonInviteClientFsm, UdpStartSendsAndArmsEAndF) {
  NonInviteClient c({}, false);
  const Actions a = c.start();
  EXPECT_TRUE(a.send);
  EXPECT_TRUE(arms(a, TimerName::kE, 500ms));
  EXPECT_TRUE(arms(a, TimerName::kF, 32000ms));
  EXPECT_EQ(c.state(), ClientState::kTrying);
}

TEST(NonInviteClientFsm, ReliableStartArmsOnlyF) {
  NonInviteClient c({}, true);
  const Actions a = c.start();
  EXPECT_TRUE(a.send);
  ASSERT_EQ(a.timers.size(), 1u);
  EXPECT_TRUE(arms(a, TimerName::kF, 32000ms));
}

TEST(NonInviteClientFsm, TimerEDoublesToT2InTryingAndIsT2InProceeding) {
  NonInviteClient c({}, false);
  c.start();
  EXPECT_TRUE(arms(c.on_timer(TimerName::kE), TimerName::kE, 1000ms));
  EXPECT_TRUE(arms(c.on_timer(TimerName::kE), TimerName::kE, 2000ms));
  EXPECT_TRUE(arms(c.on_timer(TimerName::kE), TimerName::kE, 4000ms));
  EXPECT_TRUE(arms(c.on_timer(TimerName::kE), TimerName::kE, 4000ms));
  NonInviteClient p({}, false);
  p.start();
  EXPECT_EQ(p.on_response(180).report, Report::kResponse);
  EXPECT_EQ(p.state(), ClientState::kProceeding);
  const Actions a = p.on_timer(TimerName::kE);
  EXPECT_TRUE(a.send);
  EXPECT_TRUE(arms(a, TimerName::kE, 4000ms));
}

TEST(NonInviteClientFsm, FinalCompletesOverUdpAndTerminatesOverTcp) {
  NonInviteClient udp({}, false);
  udp.start();
  Actions a = udp.on_response(200);
  EXPECT_EQ(a.report, Report::kResponse);
  EXPECT_TRUE(stops(a, TimerName::kE));
  EXPECT_TRUE(stops(a, TimerName::kF));
  EXPECT_TRUE(arms(a, TimerName::kK, 5000ms));
  EXPECT_EQ(udp.state(), ClientState::kCompleted);
  EXPECT_EQ(udp.on_response(200).report, Report::kAbsorbed);
  EXPECT_EQ(udp.on_timer(TimerName::kE).send, false);  // a stale E cannot resend
  EXPECT_EQ(udp.on_timer(TimerName::kF).report, Report::kNone);
  udp.on_timer(TimerName::kK);
  EXPECT_EQ(udp.state(), ClientState::kTerminated);

  NonInviteClient tcp({}, true);
  tcp.start();
  tcp.on_response(404);
  EXPECT_EQ(tcp.state(), ClientState::kTerminated);
}

TEST(NonInviteClientFsm, TimeoutAndTransportErrorAreFinalOnce) {
  NonInviteClient c({}, false);
  c.start();
  EXPECT_EQ(c.on_timer(TimerName::kF).report, Report::kTimeout);
  EXPECT_EQ(c.state(), ClientState::kTerminated);
  EXPECT_EQ(c.on_transport_error().report, Report::kNone);
  EXPECT_EQ(c.on_response(200).report, Report::kNone);

  NonInviteClient e({}, false);
  e.start();
  EXPECT_EQ(e.on_transport_error().report, Report::kTransportError);
  EXPECT_EQ(e.on_timer(TimerName::kF).report, Report::kNone);
}

TEST(NonInviteServerFsm, StatesAndTimerJ) {
  NonInviteServer s({}, false);
  EXPECT_TRUE(arms(s.start(), TimerName::kAbandon, 32000ms));
  Actions a = s.on_retransmission();
  EXPECT_FALSE(a.send);  // Trying: nothing to resend
  EXPECT_TRUE(s.on_respond(100).send);
  EXPECT_EQ(s.state(), ServerState::kProceeding);
  EXPECT_TRUE(s.on_retransmission().send);
  a = s.on_respond(200);
  EXPECT_TRUE(a.send);
  EXPECT_TRUE(arms(a, TimerName::kJ, 32000ms));
  EXPECT_TRUE(stops(a, TimerName::kAbandon));
  EXPECT_EQ(s.state(), ServerState::kCompleted);
  EXPECT_FALSE(s.on_respond(500).send);
  EXPECT_TRUE(s.on_retransmission().send);
  s.on_timer(TimerName::kJ);
  EXPECT_EQ(s.state(), ServerState::kTerminated);

  NonInviteServer tcp({}, true);
  tcp.start();
  tcp.on_respond(200);
  EXPECT_EQ(tcp.state(), ServerState::kTerminated);
}

TEST(TimerConfig, ValidateNamesEveryProblem) {
  EXPECT_TRUE(TimerConfig{}.validate().empty());
  const auto problems = TimerConfig{.t1 = 0ms, .t2 = -1ms, .t4 = -5ms}.validate();
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].rfind("t1:", 0), 0u);
  EXPECT_EQ(problems[1].rfind("t2:", 0), 0u);
  EXPECT_EQ(problems[2].rfind("t4:", 0), 0u);
}

TEST(Matching, IpLiterals) {
  EXPECT_TRUE(is_ip_literal("127.0.0.1"));
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_TRUE(is_ip_literal("[2001:db8::1]"));
  EXPECT_FALSE(is_ip_literal("example.com"));
  EXPECT_FALSE(is_ip_literal("1.2.3"));
  EXPECT_FALSE(is_ip_literal("1..2.3"));
  EXPECT_FALSE(is_ip_literal("999.0.0.1"));
  EXPECT_FALSE(is_ip_literal(":::"));
  EXPECT_FALSE(is_ip_literal(""));
}

TEST(Matching, StatusOfResponseBytes) {
  EXPECT_EQ(status_of("SIP/2.0 200 OK\r\n"), 200);
  EXPECT_EQ(status_of("SIP/2.0 180\r\n"), 180);
  EXPECT_EQ(status_of("SIP/2.0 099 x\r\n"), 0);
  EXPECT_EQ(status_of("SIP/2.0 2000 x\r\n"), 0);
  EXPECT_EQ(status_of("OPTIONS sip:a SIP/2.0\r\n"), 0);
  EXPECT_EQ(status_of(""), 0);
}

TEST(Matching, ResponseAddressIpv6ReceivedLosesBrackets) {
  auto via = msg::parse_via("SIP/2.0/UDP [::1]:5070;received=[::2];rport");
  ASSERT_TRUE(via.ok());
  const transport::Address a = response_address(*via, {transport::Protocol::kUdp, "::1", 40000});
  EXPECT_EQ(a, (transport::Address{transport::Protocol::kUdp, "::2", 40000}));
}

TEST(Matching, ClientKeySeparatesMethods) {
  EXPECT_NE(client_key("z9hG4bKa", "INVITE"), client_key("z9hG4bKa", "CANCEL"));
  EXPECT_EQ(client_key("z9hG4bKa", "OPTIONS"), client_key("z9hG4bKa", "OPTIONS"));
}

struct StampRow {
  std::string via_line;  // the response's Via header line(s), without CRLF
  transport::Address source;
  std::string expected;
};

std::string response_with(const std::string& via_line) {
  return "SIP/2.0 200 OK\r\n" + via_line +
         "\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\n"
         "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
}

TEST(ViaStamp, ReceivedAndRportOnTheTopViaOnly) {
  using transport::Protocol;
  const transport::Address udp{Protocol::kUdp, "192.0.2.7", 40000};
  // Named, not braced inside the array: g++ 12 -O3 warns a false -Wmaybe-uninitialized there.
  const transport::Address tcp6{Protocol::kTcp, "::1", 41000};
  const StampRow rows[] = {
      {"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx", udp,
       "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx;received=192.0.2.7"},
      {"Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKx", udp,
       "Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKx"},
      {"Via: SIP/2.0/UDP 192.0.2.7:5060;rport;branch=z9hG4bKx", udp,
       "Via: SIP/2.0/UDP 192.0.2.7:5060;rport=40000;branch=z9hG4bKx;received=192.0.2.7"},
      {"v: SIP/2.0/UDP h.example;rport;branch=z9hG4bK1 , SIP/2.0/UDP p:5060;rport;branch=z9hG4bK2",
       udp,
       "v: SIP/2.0/UDP h.example;rport=40000;branch=z9hG4bK1;received=192.0.2.7 , "
       "SIP/2.0/UDP p:5060;rport;branch=z9hG4bK2"},
      {"Via: SIP/2.0/UDP 10.0.0.1;received=192.0.2.7;rport=40000;branch=z9hG4bKx", udp,
       "Via: SIP/2.0/UDP 10.0.0.1;received=192.0.2.7;rport=40000;branch=z9hG4bKx"},
      {"Via: SIP/2.0/TCP [::1]:5060;branch=z9hG4bKx", tcp6,
       "Via: SIP/2.0/TCP [::1]:5060;branch=z9hG4bKx"},
  };
  for (const StampRow& row : rows) {
    EXPECT_EQ(stamp_top_via(response_with(row.via_line), row.source), response_with(row.expected))
        << row.via_line;
  }
  EXPECT_EQ(stamp_top_via("garbage", udp), "garbage");
}

}  // namespace
}  // namespace sipline::txn
