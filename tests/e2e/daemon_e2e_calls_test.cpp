// Calls end to end (issue 9, calls-and-subscriptions.md "Calls"): the real daemon and a real
// baresip registered at the test's Kamailio, over UDP. Every wait is bounded.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "e2e/baresip_peer.hpp"
#include "e2e/call_test.hpp"
#include "e2e/e2e_support.hpp"
#include "support/net.hpp"
#include "support/raw_sip.hpp"

namespace sipline::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class Calls : public CallTest {
 protected:
  void start_baresip(bool auto_answer) {
    baresip_.emplace(dir_.path() / "baresip", kam_, "1002", auto_answer);
    ASSERT_TRUE(baresip_->start());
  }
  void call_baresip_and_hang_up(Transport t);

  std::optional<Baresip> baresip_;
};

// (a) sipline calls baresip (auto-answer), RTP both ways, sipline hangs up. sipline reaches
// Kamailio over `t`; baresip is on UDP (Kamailio bridges the transports).
void Calls::call_baresip_and_hang_up(Transport t) {
  start_baresip(true);
  start_daemon({account_for(kam_, t, "1001")});
  const std::uint64_t id = dial({{"account", 1}, {"to", "1002"}});
  ASSERT_NE(id, 0u);
  Json c = wait_state(id, "confirmed");
  ASSERT_EQ(c.value("state", ""), "confirmed") << c.dump() << daemon_.log_tail();
  EXPECT_EQ(c["direction"], "out");
  // A bare user: sip:USER@ the sip_server as written, port included.
  const std::uint16_t server_port = t == Transport::kTls ? kam_.tls_port() : kam_.udp_port();
  EXPECT_EQ(c["remote"], "sip:1002@127.0.0.1:" + std::to_string(server_port));
  EXPECT_EQ(c["codec"], "PCMU");
  EXPECT_FALSE(c["answered_at"].is_null());
  // Junk on our media port while both sides settle: counted and dropped, nothing else moves.
  const std::uint16_t rtp_port = our_rtp_port();
  ASSERT_NE(rtp_port, 0) << trace();
  {
    test::UdpSocket junk;
    std::string not_ours(172, '\0');  // RTP v2 with payload type 18 (not offered)
    not_ours[0] = '\x80';
    not_ours[1] = 18;
    const std::string kinds[] = {"hello", std::string(1200, '\xff'), not_ours, "\x80"};
    for (int i = 0; i < 20; ++i) junk.send_to(kinds[i % 4], "127.0.0.1", rtp_port);
  }
  std::this_thread::sleep_for(milliseconds(500));
  const Json before = call(id)["rtp"];
  const std::optional<std::uint64_t> far_before = baresip_->rtp_received();
  EXPECT_EQ(before["junk"], 20) << before.dump();
  std::this_thread::sleep_for(seconds(5));
  const Json after = call(id)["rtp"];
  const auto sent = after["sent"].get<std::uint64_t>() - before["sent"].get<std::uint64_t>();
  const auto received =
      after["received"].get<std::uint64_t>() - before["received"].get<std::uint64_t>();
  std::cout << "5 s of RTP: sent " << sent << ", received " << received << " (expected 250 each)"
            << ", lost " << after["lost"] << ", jitter_ms " << after["jitter_ms"] << "\n";
  EXPECT_GE(sent, 238u) << after.dump();
  EXPECT_GE(received, 238u) << after.dump();
  EXPECT_EQ(after["junk"], 20) << after.dump();
  // baresip's side (its /audio_debug "rcvd="): what it received in the same five seconds, and
  // in all at least 95 % of what sipline had sent when asked.
  const std::optional<std::uint64_t> far_after = baresip_->rtp_received();
  ASSERT_TRUE(far_before && far_after) << baresip_->log();
  std::cout << "baresip received " << *far_after - *far_before << " in the 5 s, " << *far_after
            << " of " << after["sent"] << " sent by sipline in all\n";
  EXPECT_GE(*far_after - *far_before, 238u);
  EXPECT_GE(*far_after * 100, after["sent"].get<std::uint64_t>() * 95);

  auto [status, hung] = daemon_.http("DELETE", "/api/calls/" + std::to_string(id));
  EXPECT_EQ(status, 200) << hung.dump();
  c = wait_state(id, "ended");
  ASSERT_EQ(c.value("state", ""), "ended") << c.dump();
  EXPECT_EQ(c["outcome"]["ended_by"], "local");
  EXPECT_EQ(c["outcome"]["status"], 200);
  EXPECT_FALSE(c["ended_at"].is_null());
  EXPECT_GT(c["duration_s"].get<double>(), 5.0);
  // The ended call heads the history; nothing is left active.
  auto [ls, list] = daemon_.http("GET", "/api/calls");
  ASSERT_EQ(ls, 200);
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list[0]["id"], id);
  // /metrics counts it by direction and outcome, with its RTP packets.
  const std::string metrics = daemon_.metrics();
  const std::string labels = "{account=\"1\",name=\"e2e 1001 " + to_string(t) + "\"";
  EXPECT_NE(metrics.find("sipline_calls_total" + labels + ",direction=\"out\",status=\"200\"} 1\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("sipline_calls_active" + labels + ",direction=\"out\"} 0\n"),
            std::string::npos);
  EXPECT_EQ(metrics.find("sipline_rtp_sent_packets_total" + labels + "} 0\n"), std::string::npos);
}

TEST_F(Calls, SiplineCallsBaresipAudioBothWaysAndHangsUp) {
  call_baresip_and_hang_up(Transport::kUdp);
}
TEST_F(Calls, SiplineCallsBaresipOverTcp) {
  call_baresip_and_hang_up(Transport::kTcp);
}
TEST_F(Calls, SiplineCallsBaresipOverTls) {
  call_baresip_and_hang_up(Transport::kTls);
}

// Hold and resume from baresip's side (its /hold and /resume send re-INVITEs with a=sendonly,
// then a=sendrecv, RFC 3264 §8.4): sipline answers recvonly, stops sending RTP while held and
// sends again after the resume; the call stays confirmed throughout.
TEST_F(Calls, BaresipHoldsAndResumesSiplineStopsAndRestartsRtp) {
  start_baresip(true);
  start_daemon({account_for(kam_, Transport::kUdp, "1001")});
  const std::uint64_t id = dial({{"account", 1}, {"to", "1002"}});
  ASSERT_NE(id, 0u);
  Json c = wait_state(id, "confirmed");
  ASSERT_EQ(c.value("state", ""), "confirmed") << c.dump() << daemon_.log_tail();
  const auto sent = [&] { return call(id)["rtp"]["sent"].get<std::uint64_t>(); };
  const auto received = [&] { return call(id)["rtp"]["received"].get<std::uint64_t>(); };
  ASSERT_TRUE(eventually([&] { return sent() > 25 && received() > 25; }, seconds(5)))
      << call(id).dump();

  baresip_->command("/hold");
  // Held: our answer says recvonly and our send counter stands still (checked over 1 s, after
  // the re-INVITE was answered).
  ASSERT_TRUE(
      eventually([&] { return trace().find("a=recvonly") != std::string::npos; }, seconds(5)))
      << trace() << baresip_->log();
  std::uint64_t held_at = 0;
  const bool stopped = eventually(
      [&] {
        const std::uint64_t a = sent();
        std::this_thread::sleep_for(seconds(1));
        held_at = sent();
        return held_at == a;
      },
      seconds(8));
  EXPECT_TRUE(stopped) << call(id).dump() << daemon_.log_tail();
  const std::uint64_t received_held = received();
  std::this_thread::sleep_for(seconds(1));
  EXPECT_EQ(sent(), held_at);
  std::cout << "held for 1 s: sipline sent " << sent() - held_at << ", received "
            << received() - received_held << "\n";
  EXPECT_EQ(call(id)["state"], "confirmed");
  EXPECT_EQ(call(id)["held"], true);

  baresip_->command("/resume");
  EXPECT_TRUE(eventually([&] { return sent() > held_at + 25; }, seconds(8)))
      << call(id).dump() << daemon_.log_tail() << baresip_->log();
  EXPECT_EQ(call(id)["state"], "confirmed");
  EXPECT_EQ(call(id)["held"], false);
  const std::string t = trace();
  EXPECT_NE(t.find("a=sendonly"), std::string::npos) << "baresip's hold offer";
  EXPECT_EQ(t.find("501 Not Implemented"), std::string::npos) << t;
  EXPECT_EQ(daemon_.http("DELETE", "/api/calls/" + std::to_string(id)).first, 200);
  EXPECT_EQ(wait_state(id, "ended").value("state", ""), "ended");
}

// (b) baresip calls sipline, auto_answer on; baresip hangs up.
TEST_F(Calls, BaresipCallsAutoAnsweringSiplineAndHangsUp) {
  start_baresip(false);
  auto acc = account_for(kam_, Transport::kUdp, "1001");
  acc.flag("auto_answer", true).number("auto_answer_delay_s", 1);
  start_daemon({acc});
  baresip_->command("/dial " + kam_uri("1001"));
  Json c = wait_any("in", "confirmed");
  ASSERT_TRUE(c.is_object()) << daemon_.log_tail() << baresip_->log();
  const auto id = c["id"].get<std::uint64_t>();
  EXPECT_NE(c["remote"].get<std::string>().find("1002"), std::string::npos) << c.dump();
  eventually([&] { return call(id)["rtp"]["received"].get<std::uint64_t>() > 25; }, seconds(5));
  baresip_->command("/hangup");
  c = wait_state(id, "ended");
  ASSERT_EQ(c.value("state", ""), "ended") << c.dump() << daemon_.log_tail();
  EXPECT_EQ(c["outcome"]["ended_by"], "remote");
  EXPECT_GT(c["rtp"]["received"].get<std::uint64_t>(), 25u) << c.dump();
  EXPECT_GT(c["rtp"]["sent"].get<std::uint64_t>(), 25u) << c.dump();
}

// (c) manual answer over REST, then sipline hangs up with BYE.
TEST_F(Calls, ManualAnswerOverRest) {
  start_baresip(false);
  start_daemon({account_for(kam_, Transport::kUdp, "1001")});
  baresip_->command("/dial " + kam_uri("1001"));
  Json c = wait_any("in", "incoming");
  ASSERT_TRUE(c.is_object()) << daemon_.log_tail() << baresip_->log();
  const auto id = c["id"].get<std::uint64_t>();
  EXPECT_TRUE(c["answered_at"].is_null());
  EXPECT_EQ(daemon_.http("POST", "/api/calls/999999/answer").first, 404);
  auto [status, answered] = daemon_.http("POST", "/api/calls/" + std::to_string(id) + "/answer");
  EXPECT_EQ(status, 200) << answered.dump();
  c = wait_state(id, "confirmed");
  ASSERT_EQ(c.value("state", ""), "confirmed") << c.dump();
  EXPECT_EQ(daemon_.http("POST", "/api/calls/" + std::to_string(id) + "/answer").first, 409);
  EXPECT_EQ(daemon_.http("DELETE", "/api/calls/" + std::to_string(id)).first, 200);
  c = wait_state(id, "ended");
  EXPECT_EQ(c["outcome"]["ended_by"], "local") << c.dump();
}

// (d) the caller cancels before the answer: the call ends 487, ended by the remote.
TEST_F(Calls, CancelBeforeAnswerEnds487) {
  start_baresip(false);
  start_daemon({account_for(kam_, Transport::kUdp, "1001")});
  baresip_->command("/dial " + kam_uri("1001"));
  Json c = wait_any("in", "incoming");
  ASSERT_TRUE(c.is_object()) << daemon_.log_tail() << baresip_->log();
  const auto id = c["id"].get<std::uint64_t>();
  baresip_->command("/hangup");
  c = wait_state(id, "ended");
  ASSERT_EQ(c.value("state", ""), "ended") << c.dump() << daemon_.log_tail();
  EXPECT_EQ(c["outcome"]["status"], 487);
  EXPECT_EQ(c["outcome"]["ended_by"], "remote");
  EXPECT_TRUE(c["answered_at"].is_null());
}

// A raw INVITE straight to the daemon's socket (no Kamailio): its final response.
int raw_invite(std::uint16_t daemon_port, const std::string& call_id, const std::string& sdp,
               const std::string& user = "1001") {
  test::UdpSocket s;
  test::RawRequest r;
  r.method = "INVITE";
  r.request_uri = "sip:" + user + "@127.0.0.1:" + std::to_string(daemon_port);
  r.user = user;
  r.local_port = s.local_port();
  r.call_id = call_id;
  r.branch = "z9hG4bK-" + call_id;
  s.send_to(test::with_extras(test::make_request(r), "Content-Type: application/sdp\r\n", sdp),
            "127.0.0.1", daemon_port);
  const auto deadline = Clock::now() + seconds(5);
  while (Clock::now() < deadline) {
    auto got = s.recv(milliseconds(500));
    if (got && test::status_code(*got) >= 200) return test::status_code(*got);
  }
  return 0;
}

const std::string kGoodSdp =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 0\r\n";

// (e) max_calls: one more INVITE gets 486 and no call is added.
TEST_F(Calls, MaxCallsBusy486) {
  start_baresip(false);
  auto acc = account_for(kam_, Transport::kUdp, "1001");
  acc.number("max_calls", 1);
  start_daemon({acc});
  baresip_->command("/dial " + kam_uri("1001"));
  Json c = wait_any("in", "incoming");
  ASSERT_TRUE(c.is_object()) << daemon_.log_tail() << baresip_->log();
  const auto port = daemon_.account(1)["local_port"].get<std::uint16_t>();
  EXPECT_EQ(raw_invite(port, "busy-1", kGoodSdp), 486);
  EXPECT_EQ(daemon_.http("GET", "/api/calls").second.size(), 1u);
  // Outgoing too: the API refuses a second call.
  auto [status, body] = daemon_.http("POST", "/api/calls", R"({"account":1,"to":"1002"})");
  EXPECT_EQ(status, 409) << body.dump();
}

// (f) broken SDP: 400 (488 when nothing in common), the account and other calls untouched.
TEST_F(Calls, BrokenSdpRejectedNothingElseChanges) {
  start_daemon({account_for(kam_, Transport::kUdp, "1001")});
  const auto port = daemon_.account(1)["local_port"].get<std::uint16_t>();
  EXPECT_EQ(raw_invite(port, "broken-1", "v=0\r\nthis is not sdp\r\n"), 400);
  EXPECT_EQ(raw_invite(port, "broken-2",
                       "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                       "m=audio 40000 RTP/AVP 18\r\n"),
            488);
  auto [status, list] = daemon_.http("GET", "/api/calls");
  ASSERT_EQ(status, 200);
  for (const auto& c : list) EXPECT_EQ(c["state"], "ended") << c.dump();
  EXPECT_EQ(list.size(), 2u);
  // A request for another user is refused before any call exists.
  EXPECT_EQ(raw_invite(port, "other-user", kGoodSdp, "1009"), 404);
  EXPECT_EQ(daemon_.http("GET", "/api/calls").second.size(), 2u);
  EXPECT_EQ(daemon_.account(1)["state"], "registered");
  EXPECT_TRUE(daemon_.running());
}

// accept_calls_from_server_only: an INVITE that does not come from Kamailio gets 403.
TEST_F(Calls, CallsFromElsewhereRefusedWhenServerOnly) {
  auto acc = account_for(kam_, Transport::kUdp, "1001");
  acc.flag("accept_calls_from_server_only", true);
  start_daemon({acc});
  const auto port = daemon_.account(1)["local_port"].get<std::uint16_t>();
  EXPECT_EQ(raw_invite(port, "elsewhere-1", kGoodSdp), 403);
  EXPECT_TRUE(daemon_.http("GET", "/api/calls").second.empty());
}

// The seed's identity rows on the wire (the daemon's sip_trace), anonymous and not, on and off.
TEST_F(Calls, IdentityHeadersOnTheWire) {
  start_baresip(true);
  auto on = account_for(kam_, Transport::kUdp, "1001");
  on.text("display_name", "Front door")
      .flag("use_privacy_header", true)
      .flag("use_p_preferred_identity_header", true);
  auto off = account_for(kam_, Transport::kUdp, "1003");
  start_daemon({on, off});
  const std::string ppi = "P-Preferred-Identity: \"Front door\" <sip:1001@127.0.0.1>";
  const std::string anon_from = "From: \"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=";
  struct Case {
    int account;
    bool anonymous;
  };
  for (const Case k : {Case{1, false}, Case{1, true}, Case{2, false}, Case{2, true}}) {
    SCOPED_TRACE("account " + std::to_string(k.account) + " anonymous " +
                 std::to_string(k.anonymous));
    const std::uint64_t id =
        dial({{"account", k.account}, {"to", "1002"}, {"anonymous", k.anonymous}});
    ASSERT_NE(id, 0u);
    Json c = wait_state(id, "confirmed");
    ASSERT_EQ(c.value("state", ""), "confirmed") << c.dump() << daemon_.log_tail();
    EXPECT_EQ(c["anonymous"], k.anonymous);
    const std::string invite = last_invite_sent();
    const bool keys = k.account == 1;
    EXPECT_EQ(invite.find("Privacy: id") != std::string::npos, keys && k.anonymous) << invite;
    EXPECT_EQ(invite.find("Privacy: none") != std::string::npos, keys && !k.anonymous) << invite;
    EXPECT_EQ(invite.find(ppi) != std::string::npos, keys) << invite;
    EXPECT_EQ(invite.find("P-Preferred-Identity") != std::string::npos, keys) << invite;
    EXPECT_EQ(invite.find(anon_from) != std::string::npos, k.anonymous) << invite;
    EXPECT_EQ(daemon_.http("DELETE", "/api/calls/" + std::to_string(id)).first, 200);
    ASSERT_EQ(wait_state(id, "ended").value("state", ""), "ended");
  }
}

}  // namespace
}  // namespace sipline::e2e

namespace sipline::e2e {
namespace {

// The CLI through the running daemon: call --wait --hangup-after, calls, hangup.
TEST_F(Calls, CliCallsWaitsAndLists) {
  start_baresip(true);
  start_daemon({account_for(kam_, Transport::kUdp, "1001")});
  const std::string cfg = daemon_.config_path().string();
  auto r = test::run_command(
      {SIPLINE_BINARY, "call", "-c", cfg, "--wait", "--hangup-after", "1", "1002"}, seconds(20));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 confirmed\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 ended 200 "), std::string::npos) << r.output;  // baresip's reason
  EXPECT_NE(r.output.find("(local)\n"), std::string::npos) << r.output;
  auto list = test::run_command({SIPLINE_BINARY, "calls", "-c", cfg}, seconds(10));
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find(kam_uri("1002")), std::string::npos) << list.output;
  auto json = test::run_command({SIPLINE_BINARY, "calls", "--json", "-c", cfg}, seconds(10));
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_EQ(Json::parse(json.output).at(0)["state"], "ended");
  auto none = test::run_command({SIPLINE_BINARY, "hangup", "-c", cfg, "99"}, seconds(10));
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.output.find("no call 99"), std::string::npos) << none.output;
}

}  // namespace
}  // namespace sipline::e2e
