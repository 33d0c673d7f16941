#include "e2e/linphone_peer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "support/net.hpp"

namespace sipline::e2e {

Linphone::Linphone(std::filesystem::path dir, const test::Kamailio& kam, std::string user,
                   Transport t, bool auto_answer)
    : dir_(std::move(dir)), kam_(kam), user_(std::move(user)), auto_answer_(auto_answer) {
  // linphonec cannot start its core without a writable database directory under HOME (it
  // spins without ever binding a socket when ~/.local/share/linphone is missing).
  std::filesystem::create_directories(dir_ / ".local" / "share" / "linphone");
  sip_port_ = test::free_port(test::Protocol::kUdpTcp);
  const bool tcp = t == Transport::kTcp;
  const std::string transport = tcp ? "tcp" : "udp";
  std::ofstream rc(dir_ / "linphonerc");
  rc << "[sip]\n"
     << "sip_port=" << (tcp ? -1 : sip_port_) << "\n"
     << "sip_tcp_port=" << (tcp ? sip_port_ : -1) << "\n"
     << "sip_tls_port=-1\n"
     << "default_proxy=0\n"
     << "[rtp]\n"
     << "audio_rtp_port=34000-34999\n"
     << "[proxy_0]\n"
     << "reg_proxy=<sip:127.0.0.1:" << kam_.udp_port() << ";transport=" << transport << ">\n"
     << "reg_identity=sip:" << user_ << "@127.0.0.1\n"
     << "reg_expires=60\n"
     << "reg_sendregister=1\n"
     << "[auth_info_0]\n"
     << "username=" << user_ << "\n"
     << "passwd=" << test::Kamailio::password(user_) << "\n"
     << "domain=127.0.0.1\n";
  write_tone_wav(dir_ / "tone.wav");
}

Linphone::~Linphone() {
  stop();
}

::testing::AssertionResult Linphone::start() {
  const std::filesystem::path fifo = dir_ / "stdin.fifo";
  if (mkfifo(fifo.c_str(), 0600) != 0) {
    return ::testing::AssertionFailure() << "mkfifo " << fifo << " failed";
  }
  // Read-write: never blocks, and linphonec's stdin stays open while we hold it.
  fifo_fd_ = open(fifo.c_str(), O_RDWR | O_CLOEXEC);
  if (fifo_fd_ < 0) return ::testing::AssertionFailure() << "cannot open " << fifo;
  // HOME for its database and zrtp files; stdin from the FIFO (ChildProcess gives /dev/null).
  const std::string q = "'";
  std::string line = "cd " + q + dir_.string() + q + " && HOME=" + q + dir_.string() + q +
                     " exec linphonec -c linphonerc -d 4 -l linphone-debug.log" +
                     (auto_answer_ ? " -a" : "") + " < stdin.fifo";
  process_.spawn({"sh", "-c", line}, dir_ / "linphonec.log");
  command("soundcard use files");
  command("play " + (dir_ / "tone.wav").string());
  command("record " + heard_wav().string());
  const bool registered = eventually(
      [this] {
        for (const auto& b : kam_.ul_dump()) {
          if (b.aor == user_) return true;
        }
        return false;
      },
      milliseconds(10000), milliseconds(100));
  if (!registered) {
    return ::testing::AssertionFailure() << "linphonec did not register\n" << diagnostics();
  }
  if (!wait_output("Using wav files instead of soundcard.")) {
    return ::testing::AssertionFailure() << "linphonec did not take the WAV files\n"
                                         << diagnostics();
  }
  return ::testing::AssertionSuccess();
}

void Linphone::stop() {
  if (fifo_fd_ >= 0) {
    command("quit");
    eventually([this] { return !process_.running(); }, milliseconds(3000));
  }
  process_.stop(milliseconds(2000));
  if (fifo_fd_ >= 0) close(fifo_fd_);
  fifo_fd_ = -1;
}

void Linphone::command(const std::string& line) {
  if (fifo_fd_ < 0) return;
  const std::string text = line + "\n";
  if (write(fifo_fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    ADD_FAILURE() << "linphonec: cannot write \"" << line << "\"";
  }
}

std::string Linphone::output() const {
  return test::read_file(dir_ / "linphonec.log");
}

bool Linphone::wait_output(const std::string& text, milliseconds timeout) const {
  return eventually([&] { return output().find(text) != std::string::npos; }, timeout);
}

std::string Linphone::diagnostics() const {
  return "linphonec output:\n" + output() + "\nits debug log (tail):\n" +
         test::file_tail(dir_ / "linphone-debug.log", 40);
}

}  // namespace sipline::e2e
