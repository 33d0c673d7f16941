// Shared pieces of the call usage tests: a MediaPort that records what the call asked of it.
#pragma once
#include "usage/invite/call.hpp"

namespace sipline::usage::invite {

class FakeMedia : public MediaPort {
 public:
  media::LocalMedia local() const override {
    media::LocalMedia l;
    l.address = {false, "127.0.0.1"};

  }  // namespace sipline::usage::invite
