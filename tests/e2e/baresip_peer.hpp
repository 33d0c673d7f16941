// A real baresip (Debian's 1.0) as the far end of calls: headless (aufile plays a tone, aufile
// writes what it hears), G.711 only, registered at the test's Kamailio over UDP, driven through
// its `cons` module (UDP console: "/dial URI", "/hangup", "/accept"). Stopped by the destructor.
#pragma once
#include <gtest/gtest.h>

#include <chrono>
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
  // Ends baresip (SIGTERM, then SIGKILL after 2 s): its log is complete after this.
  void stop();
  // One console command ("/dial sip:1001@127.0.0.1:5060", "/hangup").
  void command(const std::string& line);
  // One console command and what baresip answers to it (the datagrams within `wait`).
  std::string query(const std::string& line,
                    std::chrono::milliseconds wait = std::chrono::milliseconds(1000));
  std::string log() const;
  // RTP packets baresip has received in its current call, from its /audio_debug answer (the
  // RTCP session's "rcvd=" of the member that sends to it); nullopt when it does not say.
  std::optional<std::uint64_t> rtp_received();

 private:
  std::filesystem::path dir_;
  const test::Kamailio& kam_;
  std::string user_;
  std::uint16_t sip_port_ = 0, cons_port_ = 0;
  test::ChildProcess process_;
};

}  // namespace sipline::e2e
