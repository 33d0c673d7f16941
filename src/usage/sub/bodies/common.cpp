#include "usage/sub/bodies/common.hpp"

namespace sipline::usage::sub::bodies {

Applied decide_version(std::optional<std::uint32_t> held, std::uint32_t got, bool full) {
  if (!held) return full ? Applied::kApplied : Applied::kNeedFull;
  if (got <= *held) return Applied::kStale;
  if (full) return Applied::kApplied;
  return static_cast<std::uint64_t>(got) == static_cast<std::uint64_t>(*held) + 1
             ? Applied::kApplied
             : Applied::kNeedFull;
}

}  // namespace sipline::usage::sub::bodies
