#include "txn/timer_config.hpp"

#include <string>

namespace sipline::txn {

std::vector<std::string> TimerConfig::validate() const {
  using base::Duration;
  std::vector<std::string> problems;
  if (t1 < Duration{1} || t1 > Duration{60'000}) {
    problems.push_back("t1: must be 1..60000 ms, is " + std::to_string(t1.count()));
  }
  if (t2 < t1 || t2 > Duration{600'000}) {
    problems.push_back("t2: must be t1..600000 ms, is " + std::to_string(t2.count()));
  }
  if (t4 < Duration{0} || t4 > Duration{600'000}) {
    problems.push_back("t4: must be 0..600000 ms, is " + std::to_string(t4.count()));
  }
  return problems;
}

}  // namespace sipline::txn
