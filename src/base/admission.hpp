// Admission that adapts to the registrar (issue 13): an AIMD controller over the capacity of the
// engine's Gate. A pure policy: it is told how each admitted attempt ended and answers the
// capacity the gate should have; it does no I/O and reads no clock.
//
// - Additive increase: one more place after each window of `capacity` attempts that were
//   answered (any final response but 503), as TCP grows its window by one segment per round
//   trip. A registrar that keeps up sees the burst grow slowly.
// - Only while answers come back fast: an attempt that held its place more than twice as long
//   as the fastest one seen, plus kQueueSlack, says a queue is building at the registrar (more
//   places would only lengthen it, then overflow its socket). Such answers do not grow the
//   capacity (TCP Vegas's idea: see the queue before the loss).
// - Multiplicative decrease: half the places (not below the floor) on an attempt that got no
//   answer (transaction timeout, transport error), a 503, or an answer only after a request
//   was sent again (a loss: as TCP halves its window on a loss, before any timeout). Attempts
//   admitted before that decrease belong to the same overloaded wave: their timeouts and 503s do
//   not halve again (each attempt carries the epoch it was admitted in), so one outage costs one
//   halving per wave, not one per account.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace sipline::base {

// How one admitted attempt ended, for the admission policy.
enum class Answer : std::uint8_t {
  kAnswered,    // a final response that is not 503 (2xx, 4xx ...): the registrar keeps up
  kOverloaded,  // 503 Service Unavailable
  kLost,        // no answer: transaction timeout (timer F) or a transport error
  kDelayed,     // answered, but a request had to be sent again first: a datagram was lost
                // (on a loopback or a LAN: a receive buffer overflowed) or the answer was slow
};

// The Answer of an attempt that ended with final status `status_code` (0: none came), after
// `retransmitted`: whether any of its requests had to be sent again.
constexpr Answer answer_for_status(int status_code, bool retransmitted = false) {
  return status_code == 0     ? Answer::kLost
         : status_code == 503 ? Answer::kOverloaded
         : retransmitted      ? Answer::kDelayed
                              : Answer::kAnswered;
}

struct AdmissionLimits {
  std::size_t floor = 8;       // never below (nor below the start value)
  std::size_t ceiling = 4096;  // never above (nor above the start value, when higher)
};

class AdmissionControl {
 public:
  explicit AdmissionControl(std::size_t start, AdmissionLimits limits = {});

  std::size_t capacity() const { return capacity_; }
  // Stamped on an attempt when it is admitted, handed back with its answer.
  std::uint64_t epoch() const { return epoch_; }
  // One attempt admitted in `admitted_epoch` ended in `answer`, `took` after it was admitted
  // (when known); returns the new capacity.
  std::size_t on_answer(Answer answer, std::uint64_t admitted_epoch,
                        std::optional<std::chrono::nanoseconds> took = std::nullopt);
  static constexpr std::chrono::milliseconds kQueueSlack{25};
  std::uint64_t slow_answers() const { return slow_answers_; }

  std::uint64_t increases() const { return increases_; }
  std::uint64_t decreases() const { return decreases_; }

 private:
  std::size_t floor_;
  std::size_t ceiling_;
  std::size_t capacity_;
  std::size_t answered_in_window_ = 0;
  std::uint64_t epoch_ = 0;  // decreases so far
  std::uint64_t increases_ = 0;
  std::uint64_t decreases_ = 0;
  std::uint64_t slow_answers_ = 0;
  std::optional<std::chrono::nanoseconds> fastest_;  // the shortest `took` seen
};

}  // namespace sipline::base
