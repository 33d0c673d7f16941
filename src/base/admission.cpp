#include "base/admission.hpp"

#include <algorithm>

namespace sipline::base {

AdmissionControl::AdmissionControl(std::size_t start, AdmissionLimits limits)
    : floor_(std::max<std::size_t>(1, std::min(limits.floor, start))),
      ceiling_(std::max(limits.ceiling, start)),
      capacity_(std::clamp(start, floor_, ceiling_)) {}

std::size_t AdmissionControl::on_answer(Answer answer, std::uint64_t admitted_epoch) {
  if (answer == Answer::kAnswered) {
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
