// RFC 3261 §13.3.1.4: the UAS core, not the transaction, retransmits its 2xx to an INVITE until
// the ACK comes: after T1, then intervals doubling up to T2. No ACK within 64*T1: the caller is
// told to end the dialog (a BYE). Generation-safe: after ack() or stop() nothing runs.
#pragma once
#include <functional>

#include "base/timer.hpp"
#include "base/timers.hpp"

namespace sipline::dialog {

class SuccessRetransmitter {
 public:
  explicit SuccessRetransmitter(base::TimerService& timers) : resend_(timers), give_up_(timers) {}

  // Starts after the 2xx was sent once: `resend` runs at each retransmission time, `no_ack`
  // once at 64*T1 if the ACK has not come.
  void start(base::Duration t1, base::Duration t2, std::function<void()> resend,
             std::function<void()> no_ack);
  // The ACK arrived (or the call ends): no more retransmissions.
  void stop();
  bool active() const { return give_up_.armed(); }

 private:
  void arm_next();

  base::Timer resend_, give_up_;
  base::Duration interval_{0}, t2_{0};
  std::function<void()> on_resend_;
};

}  // namespace sipline::dialog
