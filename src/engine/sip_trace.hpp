// The daemon's sip_trace file: every SIP message sent or received by any account, with time,
// direction and addresses, in the text form sngrep/ngrep users know. One writer for all
// accounts, on the loop thread.
#pragma once
#include <fstream>
#include <string>
#include <string_view>

#include "transport/asio_transport.hpp"

namespace sipline::engine {

class SipTrace {
 public:
  // Opens `path` for appending; false (and `error`) when it cannot.
  bool open(const std::string& path, std::string& error);
  bool is_open() const { return out_.is_open(); }
  void write(transport::TraceDirection direction, const transport::Address& local,
             const transport::Address& remote, std::string_view bytes);
  // A hook for AsioTransport::set_trace writing to this trace.
  transport::TraceHook hook();

 private:
  std::ofstream out_;
};

}  // namespace sipline::engine
