// The call usage's MediaPort backed by a real media::RtpSession on the loop: the session opens
// (port taken from the daemon's range) when the call is created, so the offer or answer can name
// its port; the codec the offer/answer chose is set when the call starts sending.
#pragma once
#include <asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "base/timers.hpp"
#include "media/audio_file.hpp"
#include "media/port_allocator.hpp"
#include "media/rtp_session.hpp"
#include "usage/invite/call.hpp"

namespace sipline::account {

class Account;
struct CallRecord;

// What every call of an engine shares: the loop, its timers, the RTP port range, the recording
// directory ("": none) and the call id counter (ids unique across accounts).
struct CallMediaEnv {
  asio::io_context& io;
  base::TimerService& timers;  // the loop's own (not an account's observing wrapper)
  media::PortAllocator& ports;
  std::string record_dir;
  std::uint64_t next_call_id = 1;
  // The engine's hooks, one for all accounts (an account's calls are made at its first call):
  // each call as it ends, after its outcome is set (the engine keeps it on disk); and each state
  // change of a call, with its record then and its state before ("" for a new call), the last
  // one "ended". Both run inside the call's own callback: they must not dial, answer or hang up.
  std::function<void(const CallRecord&)> on_ended;
  std::function<void(const Account&, const CallRecord& now, const std::string& before)> on_change;
};

struct RtpFigures {
  std::uint64_t sent = 0, received = 0, lost = 0, junk = 0, dtmf = 0;
  double jitter_ms = 0;
};

class RtpMediaPort final : public usage::invite::MediaPort {
 public:
  // Binds an RTP port on `bind_address` (the account's source address toward its server).
  // `record_name` ("": no recording) is the WAV file name inside env.record_dir.
  static base::Result<std::unique_ptr<RtpMediaPort>, std::string> open(
      CallMediaEnv& env, const std::string& bind_address,
      std::shared_ptr<const media::Samples> source, const std::string& record_name,
      std::uint32_t ssrc);

  media::LocalMedia local() const override { return local_; }
  void start(const media::RemoteMedia& remote) override;
  void stop() override;
  void dtmf_info(char digit) override { session_->dtmf().add(digit); }

  RtpFigures figures() const;
  // "PCMU"/"PCMA" once started, "" before.
  const std::string& codec() const { return codec_; }

 private:
  RtpMediaPort(std::shared_ptr<media::RtpSession> session, media::LocalMedia local)
      : session_(std::move(session)), local_(std::move(local)) {}
  std::shared_ptr<media::RtpSession> session_;
  media::LocalMedia local_;
  std::string codec_;
};

}  // namespace sipline::account
