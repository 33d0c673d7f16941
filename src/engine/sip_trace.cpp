#include "sip_trace.hpp"

#include <chrono>
#include <ctime>

namespace sipline::engine {

bool SipTrace::open(const std::string& path, std::string& error) {
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".pcap") == 0) {
    error = "sip_trace: " + path + ": pcap output is not implemented yet; name a text file";
    return false;
  }
  out_.open(path, std::ios::app | std::ios::binary);
  if (!out_) {
    error = "sip_trace: cannot open " + path + " for writing";
    return false;
  }
  return true;
}

void SipTrace::write(transport::TraceDirection direction, const transport::Address& local,
                     const transport::Address& remote, std::string_view bytes) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  const bool sent = direction == transport::TraceDirection::kSent;
  out_ << stamp << "." << std::to_string(1000000 + micros).substr(1) << "Z "
       << (sent ? "sent " : "recv ") << bytes.size() << " bytes "
       << transport::to_string(sent ? local : remote) << " -> "
       << transport::to_string(sent ? remote : local) << "\n"
       << bytes << "\n\n";
  out_.flush();
}

transport::TraceHook SipTrace::hook() {
  return [this](transport::TraceDirection d, const transport::Address& local,
                const transport::Address& remote,
                std::string_view bytes) { write(d, local, remote, bytes); };
}

}  // namespace sipline::engine
