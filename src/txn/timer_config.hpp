// RFC 3261 timer values (§17.1.1.1, table 4), changeable at run time: every transaction copies
// them when it starts, so a change applies to transactions started afterwards.
#pragma once
#include <string>
#include <vector>

#include "base/timers.hpp"

namespace sipline::txn {

struct TimerConfig {
  base::Duration t1{500};   // RTT estimate; 1 ms .. 60 s, default 500 ms
  base::Duration t2{4000};  // maximum retransmit interval for non-INVITE requests; >= t1, <= 600 s
  base::Duration t4{5000};  // maximum duration a message stays in the network; 0 .. 600 s

  // Every problem, each naming its key ("t1: must be 1..60000 ms"); empty when valid.
  std::vector<std::string> validate() const;
};

}  // namespace sipline::txn
