// A real baresip (Debian's 1.0) as the far end of calls: headless (aufile plays a tone, aufile
// writes what it hears), G.711 only, registered at the test's Kamailio over UDP, driven through
// its `cons` module (UDP console: "/dial URI", "/hangup", "/accept"). Stopped by the destructor.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "support/kamailio.hpp"
#include "support/process.hpp"

namespace sipline::e2e {

class Baresip {
 public:
  // `user` registers at `kam` (password Kamailio::password(user)); `auto_answer`: it answers
  // incoming calls by itself (;answermode=auto).
  Baresip(std::filesystem::path dir, const test::Kamailio& kam, std::string user, bool auto_answer);
  ~Baresip();
  Baresip(const Baresip&) = delete;
  Baresip& operator=(const Baresip&) = delete;

  // Spawns baresip and waits (bounded) until Kamailio holds its binding; false with the log.
  ::testing::AssertionResult start();
  // One console command ("/dial sip:1001@127.0.0.1:5060", "/hangup").
  void command(const std::string& line);
  std::string log() const;
  // The RTCP summary baresip's rtcpsummary module logs when a call closes ("EX=BareSip;...;
  // PR=..;PS=..;PL=..,..;..."): packets received and sent, lost as baresip counted them.
  struct RtpSummary {
    std::uint64_t received = 0, sent = 0;
    std::int64_t lost_rx = 0;
    int duration_s = 0;
  };
  // The last summary in the log, nullopt when there is none (yet).
  std::optional<RtpSummary> rtp_summary() const;

 private:
  std::filesystem::path dir_;
  const test::Kamailio& kam_;
  std::string user_;
  std::uint16_t sip_port_ = 0, cons_port_ = 0;
  test::ChildProcess process_;
};

}  // namespace sipline::e2e
