// Shared pieces of the call usage tests: a MediaPort that records what the call asked of it.
#pragma once
#include "usage/invite/call.hpp"

namespace sipline::usage::invite {

class FakeMedia : public MediaPort {
 public:
  media::LocalMedia local() const override {
    media::LocalMedia l;
    l.address = {false, "127.0.0.1"};
    l.port = 20000;
    return l;
  }
  void start(const media::RemoteMedia& r) override {
    started_port = r.port;
    last = r;
    ++starts;
  }
  void stop() override { ++stops; }
  void dtmf_info(char digit) override { digits += digit; }
  int started_port = 0;
  int starts = 0;
  int stops = 0;
  media::RemoteMedia last;  // what the last start() said
  std::string digits;       // INFO DTMF
};

}  // namespace sipline::usage::invite
