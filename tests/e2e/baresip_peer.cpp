#include "e2e/baresip_peer.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "e2e/e2e_support.hpp"
#include "support/net.hpp"

namespace sipline::e2e {

Baresip::Baresip(std::filesystem::path dir, const test::Kamailio& kam, std::string user,
                 bool auto_answer)
    : dir_(std::move(dir)), kam_(kam), user_(std::move(user)) {
  std::filesystem::create_directories(dir_);
  sip_port_ = test::free_port(test::Protocol::kUdpTcp);
  cons_port_ = test::free_port(test::Protocol::kUdp);
  std::ofstream config(dir_ / "config");
  config << "poll_method epoll\n"
         << "sip_listen 127.0.0.1:" << sip_port_ << "\n"
         << "module_path /usr/lib/baresip/modules\n"
         << "module cons.so\nmodule g711.so\nmodule aufile.so\n"
         << "module_tmp uuid.so\nmodule_tmp account.so\nmodule_app menu.so\n"
         << "cons_listen 127.0.0.1:" << cons_port_ << "\n"
         << "audio_source aufile," << (dir_ / "tone.wav").string() << "\n"
         << "audio_player aufile," << (dir_ / "heard.wav").string() << "\n"
         << "audio_alert aufile," << (dir_ / "alert.wav").string() << "\n"
         << "rtp_ports 33000-33999\n";
  std::ofstream accounts(dir_ / "accounts");
  accounts << "<sip:" << user_ << "@127.0.0.1:" << kam_.udp_port()
           << ";transport=udp>;auth_pass=" << test::Kamailio::password(user_) << ";regint=60"
           << (auto_answer ? ";answermode=auto" : ";answermode=manual") << "\n";
  std::ofstream(dir_ / "contacts") << "";
  write_tone_wav(dir_ / "tone.wav");
}

Baresip::~Baresip() {
  process_.stop(std::chrono::milliseconds(2000));
}

::testing::AssertionResult Baresip::start() {
  process_.spawn({"baresip", "-f", dir_.string()}, dir_ / "baresip.log");
  const bool registered = eventually(
      [this] {
        for (const auto& b : kam_.ul_dump()) {
          if (b.aor == user_) return true;
        }
        return false;
      },
      std::chrono::milliseconds(8000), std::chrono::milliseconds(100));
  if (registered) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "baresip did not register; its log:\n" << log();
}

void Baresip::stop() {
  process_.stop(std::chrono::milliseconds(2000));
}

void Baresip::command(const std::string& line) {
  test::UdpSocket s;
  s.send_to(line + "\n", "127.0.0.1", cons_port_);
}

std::string Baresip::query(const std::string& line, std::chrono::milliseconds wait) {
  test::UdpSocket s;
  s.send_to(line + "\n", "127.0.0.1", cons_port_);
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto got = s.recv(std::chrono::milliseconds(100));
    if (got) {
      out += *got;
    } else if (!out.empty()) {
      break;  // the answer came and nothing followed it for 100 ms
    }
  }
  return out;
}

std::optional<std::uint64_t> Baresip::rtp_received() {
  const std::string text = query("/audio_debug");
  const auto at = text.find(" rcvd=");
  if (at == std::string::npos) return std::nullopt;
  try {
    return std::stoull(text.substr(at + 6));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string Baresip::log() const {
  return test::read_file(dir_ / "baresip.log");
}

}  // namespace sipline::e2e
