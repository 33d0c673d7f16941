#include "dialog/success_retransmit.hpp"

#include <algorithm>

namespace sipline::dialog {

void SuccessRetransmitter::start(base::Duration t1, base::Duration t2, std::function<void()> resend,
                                 std::function<void()> no_ack) {
  stop();
  interval_ = t1;
  t2_ = t2;
  on_resend_ = std::move(resend);
  give_up_.arm_in(64 * t1, [this, no_ack = std::move(no_ack)] {
    resend_.cancel();
    if (no_ack) no_ack();  // may destroy this: nothing after it
  });
  arm_next();
}

void SuccessRetransmitter::arm_next() {
  resend_.arm_in(interval_, [this] {
    interval_ = std::min(2 * interval_, t2_);
    arm_next();
    if (on_resend_) on_resend_();  // may destroy this: nothing after it
  });
}

void SuccessRetransmitter::stop() {
  resend_.cancel();
  give_up_.cancel();
}

}  // namespace sipline::dialog
