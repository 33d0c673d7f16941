#include "base/admission.hpp"

#include <algorithm>

namespace sipline::base {

AdmissionControl::AdmissionControl(std::size_t start, AdmissionLimits limits)
    : floor_(std::max<std::size_t>(1, std::min(limits.floor, start))),
      ceiling_(std::max(limits.ceiling, start)),
      capacity_(std::clamp(start, floor_, ceiling_)) {}

std::size_t AdmissionControl::on_answer(Answer answer, std::uint64_t admitted_epoch,
                                        std::optional<std::chrono::nanoseconds> took) {
  if (answer == Answer::kAnswered) {
    if (took) {
      if (!fastest_ || *took < *fastest_) fastest_ = *took;
      if (*took > 2 * *fastest_ + kQueueSlack) {  // queued: hold the capacity where it is
        ++slow_answers_;
        return capacity_;
      }
    }
    if (++answered_in_window_ >= capacity_) {
      answered_in_window_ = 0;
      if (capacity_ < ceiling_) {
        ++capacity_;
        ++increases_;
      }
    }
    return capacity_;
  }
  if (admitted_epoch < epoch_) return capacity_;  // its wave was halved for already
  answered_in_window_ = 0;
  ++epoch_;
  if (capacity_ > floor_) {
    capacity_ = std::max(floor_, capacity_ / 2);
    ++decreases_;
  }
  return capacity_;
}

}  // namespace sipline::base
