#include "account/rtp_media.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace sipline::account {

base::Result<std::unique_ptr<RtpMediaPort>, std::string> RtpMediaPort::open(
    CallMediaEnv& env, const std::string& bind_address,
    std::shared_ptr<const media::Samples> source, const std::string& record_name,
    std::uint32_t ssrc) {
  std::error_code ec;
  const asio::ip::address bind = asio::ip::make_address(bind_address, ec);
  if (ec) return base::fail("no usable local address for RTP (" + bind_address + ")");
  media::RtpSessionConfig cfg;
  cfg.source = std::move(source);
  if (!env.record_dir.empty() && !record_name.empty()) {
    // Made when missing (owner only: recordings are private), like state_dir; a failure shows
    // when the WAV cannot be created (the call goes on unrecorded, with a warning).
    if (std::filesystem::create_directories(env.record_dir, ec)) {
      std::filesystem::permissions(env.record_dir, std::filesystem::perms::owner_all, ec);
    }
    cfg.record_path = env.record_dir + "/" + record_name;
  }
  cfg.ssrc = ssrc;
  cfg.first_sequence = static_cast<std::uint16_t>(ssrc >> 16);
  cfg.first_timestamp = ssrc * 2654435761U;
  auto session = media::RtpSession::open(env.io, env.timers, env.ports, bind, std::move(cfg));
  if (!session.ok()) return base::fail(session.error());
  media::LocalMedia local;
  local.address = {bind.is_v6(), bind.to_string()};
  local.port = session.value()->port();
  local.session_id = ssrc;
  local.session_version = 1;
  return std::unique_ptr<RtpMediaPort>(new RtpMediaPort(std::move(session).value(), local));
}

void RtpMediaPort::start(const media::RemoteMedia& remote) {
  const bool pcma = remote.codec == media::Codec::kPcma;
  codec_ = pcma ? "PCMA" : "PCMU";
  session_->set_codec(remote.codec, remote.payload_type, remote.telephone_event_pt);
  std::error_code ec;
  const asio::ip::address to = asio::ip::make_address(remote.address.address, ec);
  if (ec) {
    spdlog::warn("media: remote address '{}' is not an IP address: nothing sent",
                 remote.address.address);
    return;
  }
  session_->set_sending(remote.we_send());
  session_->start({to, remote.port});
}

void RtpMediaPort::stop() {
  session_->stop();
}

RtpFigures RtpMediaPort::figures() const {
  const auto& c = session_->counters();
  const auto& r = session_->receive_stats();
  return {c.packets_sent, c.packets_received,       r.lost(),
          c.junk,         session_->dtmf().count(), r.jitter_ms()};
}

}  // namespace sipline::account
