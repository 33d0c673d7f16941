// Calls with more real peers (issue 9): linphone-cli calls sipline and is called by it, and a
// SIPp redirect server sends sipline's INVITE on with 302 (RFC 3261 §8.1.3.4: followed once,
// a second 3xx is the outcome). Everything goes through the test's Kamailio; every wait is
// bounded and every peer is stopped by its destructor.
#include <gtest/gtest.h>

#include <thread>

#include "e2e/baresip_peer.hpp"
#include "e2e/call_test.hpp"
#include "e2e/linphone_peer.hpp"
#include "support/net.hpp"
#include "support/process.hpp"

namespace sipline::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The value of header `name` in a message head ("" when absent).
std::string header(const std::string& head, const std::string& name) {
  const auto at = head.find("\r\n" + name + ": ");
  if (at == std::string::npos) return {};
  const auto from = at + name.size() + 4;
  return head.substr(from, head.find("\r\n", from) - from);
}

// SIPp as a redirect server (tests/e2e/sipp/redirect_uas.xml): one INVITE answered 302 with
// Contact: <redirect_to>; its contact registered at Kamailio as `user`, so that calls to the
// user reach it. It exits 0 once the INVITE, the 302 and the ACK have passed.
class SippRedirector {
 public:
  SippRedirector(const std::filesystem::path& dir, const test::Kamailio& kam,
                 const std::string& user, const std::string& redirect_to)
      : messages_(dir / ("sipp-" + user + "-messages.log")), user_(user) {
    port_ = test::free_port(test::Protocol::kUdp);
    process_.spawn(
        {"sipp", "-sf", std::string(SIPLINE_SOURCE_DIR) + "/tests/e2e/sipp/redirect_uas.xml", "-i",
         "127.0.0.1", "-p", std::to_string(port_), "-m", "1", "-key", "redirect_to", redirect_to,
         "-trace_msg", "-message_file", messages_.string(), "-timeout", "40s", "-nostdin"},
        dir / ("sipp-" + user + ".log"));
    registered_ = raw_register(kam, user, contact(), 60);
  }
  bool registered() const { return registered_; }
  std::string contact() const { return "sip:" + user_ + "@127.0.0.1:" + std::to_string(port_); }
  // SIPp's exit code once it has ended (bounded), -2 when it is still running.
  int wait_exit() {
    if (!eventually([this] { return !process_.running(); }, seconds(10))) return -2;
    return process_.exit_code().value_or(-1);
  }
  // What SIPp received and sent (its -trace_msg file).
  std::string messages() const { return test::read_file(messages_); }

 private:
  std::filesystem::path messages_;
  std::string user_;
  std::uint16_t port_ = 0;
  bool registered_ = false;
  test::ChildProcess process_;
};

class Peers : public CallTest {
 protected:
  void start_linphone(Transport t, bool auto_answer) {
    linphone_.emplace(dir_.path() / "linphone", kam_, "1004", t, auto_answer);
    ASSERT_TRUE(linphone_->start());
  }
  void start_baresip() {
    baresip_.emplace(dir_.path() / "baresip", kam_, "1002", true);
    ASSERT_TRUE(baresip_->start());
  }
  // Account 1001 over `t`, playing a tone (so the far end's recording can be checked).
  AccountToml account(Transport t) {
    const auto tone = dir_.path() / "sipline-tone.wav";
    write_tone_wav(tone);
    auto acc = account_for(kam_, t, "1001");
    acc.text("media_file", tone.string());
    return acc;
  }
  // The RTP figures of call `id` over `span`: packets sent and received in it.
  std::pair<std::uint64_t, std::uint64_t> rtp_over(std::uint64_t id, milliseconds span) {
    const Json before = call(id)["rtp"];
    std::this_thread::sleep_for(span);
    const Json after = call(id)["rtp"];
    const auto sent = after["sent"].get<std::uint64_t>() - before["sent"].get<std::uint64_t>();
    const auto received =
        after["received"].get<std::uint64_t>() - before["received"].get<std::uint64_t>();
    std::cout << span.count() << " ms of RTP: sent " << sent << ", received " << received
              << " (expected " << span.count() / 20 << " each), lost " << after["lost"]
              << ", jitter_ms " << after["jitter_ms"] << "\n";
    return {sent, received};
  }
  // Sets call_record_dir (not made beforehand: the daemon creates it) for the next start.
  std::filesystem::path record_calls() {
    const auto dir = dir_.path() / "records";
    daemon_.add_daemon_keys("call_record_dir = \"" + dir.string() + "\"\n");
    return dir;
  }
  void call_linphone_and_hang_up(Transport t);

  std::optional<Linphone> linphone_;
  std::optional<Baresip> baresip_;
};

// (a) sipline calls linphonec (auto-answer), RTP both ways, sipline hangs up and linphonec sees
// the end; linphonec's recording holds our tone.
void Peers::call_linphone_and_hang_up(Transport t) {
  start_linphone(t, true);
  start_daemon({account(t)});
  const std::uint64_t id = dial({{"account", 1}, {"to", "1004"}});
  ASSERT_NE(id, 0u);
  Json c = wait_state(id, "confirmed");
  ASSERT_EQ(c.value("state", ""), "confirmed")
      << c.dump() << daemon_.log_tail() << linphone_->diagnostics();
  EXPECT_EQ(c["codec"], "PCMU");
  EXPECT_TRUE(linphone_->wait_output("connected.")) << linphone_->diagnostics();
  const auto [sent, received] = rtp_over(id, seconds(5));
  EXPECT_GE(sent, 238u) << call(id).dump();  // 95 % of 250
  EXPECT_GE(received, 238u) << call(id).dump();

  EXPECT_EQ(daemon_.http("DELETE", "/api/calls/" + std::to_string(id)).first, 200);
  c = wait_state(id, "ended");
  ASSERT_EQ(c.value("state", ""), "ended") << c.dump();
  EXPECT_EQ(c["outcome"]["ended_by"], "local");
  EXPECT_EQ(c["outcome"]["status"], 200);
  EXPECT_TRUE(linphone_->wait_output(" ended (")) << linphone_->diagnostics();
  linphone_->stop();
  const auto heard = read_wav(linphone_->heard_wav());
  ASSERT_TRUE(heard) << linphone_->diagnostics();
  std::cout << "linphonec recorded " << heard->seconds() << " s, rms " << heard->rms << "\n";
  EXPECT_GE(heard->seconds(), 4.5);
  EXPECT_GT(heard->rms, 1000.0);  // our tone (rms ~5650), not silence
}

TEST_F(Peers, SiplineCallsLinphoneOverUdp) {
  call_linphone_and_hang_up(Transport::kUdp);
}
TEST_F(Peers, SiplineCallsLinphoneOverTcp) {
  call_linphone_and_hang_up(Transport::kTcp);
}

// (b) linphonec calls sipline (auto_answer on), RTP both ways, linphonec hangs up: the call
// ends by the remote. call_record_dir holds what sipline heard: linphonec's tone.
TEST_F(Peers, LinphoneCallsAutoAnsweringSiplineAndHangsUp) {
  start_linphone(Transport::kUdp, false);
  auto acc = account(Transport::kUdp);
  acc.flag("auto_answer", true);
  const auto records = record_calls();
  start_daemon({acc});
  linphone_->command("call " + kam_uri("1001"));
  Json c = wait_any("in", "confirmed");
  ASSERT_TRUE(c.is_object()) << daemon_.log_tail() << linphone_->diagnostics();
  const auto id = c["id"].get<std::uint64_t>();
  EXPECT_NE(c["remote"].get<std::string>().find("1004"), std::string::npos) << c.dump();
  EXPECT_TRUE(linphone_->wait_output("connected.")) << linphone_->diagnostics();
  const auto [sent, received] = rtp_over(id, seconds(3));
  EXPECT_GE(sent, 143u) << call(id).dump();  // 95 % of 150
  EXPECT_GE(received, 143u) << call(id).dump();

  linphone_->command("terminate");
  c = wait_state(id, "ended");
  ASSERT_EQ(c.value("state", ""), "ended") << c.dump() << daemon_.log_tail();
  EXPECT_EQ(c["outcome"]["ended_by"], "remote");
  EXPECT_TRUE(linphone_->wait_output(" ended (")) << linphone_->diagnostics();
  // The recording: call-ID.wav (ID: the API's id), 8 kHz mono, linphonec's tone.
  const auto recorded = read_wav(records / ("call-" + std::to_string(id) + ".wav"));
  ASSERT_TRUE(recorded) << "no call-" << id << ".wav in " << records;
  std::cout << "sipline recorded " << recorded->seconds() << " s, rms " << recorded->rms << "\n";
  EXPECT_EQ(recorded->rate, 8000);
  EXPECT_EQ(recorded->channels, 1);
  EXPECT_GE(recorded->seconds(), 2.5);
  EXPECT_GT(recorded->rms, 1000.0);
}

// 3xx followed once: SIPp (user 1005) redirects to baresip (1002); the new INVITE goes to the
// Contact as Request-URI with the same Call-ID, From (tag) and To, CSeq one up (§8.1.3.4), and
// baresip answers it. sipline records the call's audio: baresip's tone.
TEST_F(Peers, RedirectFollowedOnceToBaresip) {
  start_baresip();
  SippRedirector redirector(dir_.path(), kam_, "1005", kam_uri("1002"));
  ASSERT_TRUE(redirector.registered());
  const auto records = record_calls();
  start_daemon({account(Transport::kUdp)});
  const std::uint64_t id = dial({{"account", 1}, {"to", "1005"}});
  ASSERT_NE(id, 0u);
  Json c = wait_state(id, "confirmed");
  ASSERT_EQ(c.value("state", ""), "confirmed") << c.dump() << daemon_.log_tail() << trace();
  EXPECT_EQ(redirector.wait_exit(), 0) << redirector.messages();

  const auto invites = requests_sent("INVITE");
  ASSERT_EQ(invites.size(), 2u) << trace();
  EXPECT_EQ(invites[0].rfind("INVITE " + kam_uri("1005") + " SIP/2.0", 0), 0u) << invites[0];
  EXPECT_EQ(invites[1].rfind("INVITE " + kam_uri("1002") + " SIP/2.0", 0), 0u) << invites[1];
  for (const char* h : {"Call-ID", "From", "To"}) {
    EXPECT_EQ(header(invites[0], h), header(invites[1], h)) << h;
    EXPECT_NE(header(invites[1], h), "") << h;
  }
  const int cseq0 = std::stoi(header(invites[0], "CSeq"));
  EXPECT_EQ(header(invites[1], "CSeq"), std::to_string(cseq0 + 1) + " INVITE");
  // SIPp saw our first INVITE (its Call-ID) and the ACK of its 302.
  const std::string seen = redirector.messages();
  EXPECT_NE(seen.find(header(invites[0], "Call-ID")), std::string::npos) << seen;
  EXPECT_NE(seen.find("ACK sip:"), std::string::npos) << seen;

  std::this_thread::sleep_for(seconds(2));  // audio to record
  EXPECT_EQ(daemon_.http("DELETE", "/api/calls/" + std::to_string(id)).first, 200);
  c = wait_state(id, "ended");
  ASSERT_EQ(c.value("state", ""), "ended") << c.dump();
  EXPECT_EQ(c["outcome"]["status"], 200);
  const auto recorded = read_wav(records / ("call-" + std::to_string(id) + ".wav"));
  ASSERT_TRUE(recorded) << "no call-" << id << ".wav in " << records;
  std::cout << "sipline recorded " << recorded->seconds() << " s of baresip, rms " << recorded->rms
            << "\n";
  EXPECT_GE(recorded->seconds(), 1.5);
  EXPECT_GT(recorded->rms, 1000.0);
}

// A second 3xx is the call's outcome: SIPp 1005 redirects to SIPp 1006, which redirects to
// baresip; sipline follows the first only, the call ends 302 and baresip never rings.
TEST_F(Peers, SecondRedirectIsTheOutcome) {
  start_baresip();
  SippRedirector first(dir_.path(), kam_, "1005", kam_uri("1006"));
  SippRedirector second(dir_.path(), kam_, "1006", kam_uri("1002"));
  ASSERT_TRUE(first.registered() && second.registered());
  start_daemon({account(Transport::kUdp)});
  const std::uint64_t id = dial({{"account", 1}, {"to", "1005"}});
  ASSERT_NE(id, 0u);
  Json c = wait_state(id, "ended");
  ASSERT_EQ(c.value("state", ""), "ended") << c.dump() << daemon_.log_tail() << trace();
  EXPECT_EQ(c["outcome"]["status"], 302) << c.dump();
  EXPECT_EQ(c["outcome"]["ended_by"], "remote") << c.dump();
  EXPECT_TRUE(c["answered_at"].is_null());
  EXPECT_EQ(first.wait_exit(), 0) << first.messages();
  EXPECT_EQ(second.wait_exit(), 0) << second.messages();

  const auto invites = requests_sent("INVITE");
  ASSERT_EQ(invites.size(), 2u) << trace();
  EXPECT_EQ(invites[1].rfind("INVITE " + kam_uri("1006") + " SIP/2.0", 0), 0u) << invites[1];
  // The second redirector got the same call (Call-ID) at its own contact.
  const std::string seen = second.messages();
  EXPECT_NE(seen.find("INVITE " + second.contact() + " SIP/2.0"), std::string::npos) << seen;
  EXPECT_NE(seen.find(header(invites[0], "Call-ID")), std::string::npos) << seen;
  EXPECT_EQ(baresip_->log().find("Incoming call"), std::string::npos) << baresip_->log();
  EXPECT_EQ(baresip_->log().find("answering call"), std::string::npos) << baresip_->log();
}

}  // namespace
}  // namespace sipline::e2e
