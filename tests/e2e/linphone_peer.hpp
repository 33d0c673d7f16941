// A real linphone-cli (Debian's linphonec 5.1) as the far end of calls: its own HOME and rc file
// in the test's temp dir, registered at the test's Kamailio over UDP or TCP, no sound card
// ("soundcard use files": it plays a tone WAV and records what it hears to a WAV). linphonec
// reads its console commands from stdin: here a FIFO the test writes ("call URI", "terminate").
// What it prints (its call events) goes to a log the test reads. Stopped by the destructor.
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "e2e/e2e_support.hpp"
#include "support/kamailio.hpp"
#include "support/process.hpp"

namespace sipline::e2e {

class Linphone {
 public:
  // `user` registers at `kam` over `t` (kUdp or kTcp; password Kamailio::password(user));
  // `auto_answer`: linphonec -a (answers incoming calls by itself).
  Linphone(std::filesystem::path dir, const test::Kamailio& kam, std::string user, Transport t,
           bool auto_answer);
  ~Linphone();
  Linphone(const Linphone&) = delete;
  Linphone& operator=(const Linphone&) = delete;

  // Spawns linphonec, switches it to WAV files and waits (bounded) until Kamailio holds its
  // binding; false with its output and debug log.
  ::testing::AssertionResult start();
  // "quit", then SIGTERM/SIGKILL: its output and the recorded WAV are complete after this.
  void stop();
  // One console command ("call sip:1001@127.0.0.1:5060", "terminate").
  void command(const std::string& line);
  // What linphonec printed so far (its prompt, answers and call events).
  std::string output() const;
  // Polls output() until it contains `text` (bounded).
  bool wait_output(const std::string& text, milliseconds timeout = milliseconds(10000)) const;
  // Output and the tail of its debug log, for failure messages.
  std::string diagnostics() const;
  // What linphone heard in its calls (8 kHz mono WAV, written by its file player).
  std::filesystem::path heard_wav() const { return dir_ / "heard.wav"; }
  std::uint16_t sip_port() const { return sip_port_; }

 private:
  std::filesystem::path dir_;
  const test::Kamailio& kam_;
  std::string user_;
  bool auto_answer_;
  std::uint16_t sip_port_ = 0;
  int fifo_fd_ = -1;  // linphonec's stdin, kept open read-write so it never sees EOF
  test::ChildProcess process_;
};

}  // namespace sipline::e2e
