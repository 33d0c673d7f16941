// Shared vocabulary of the event-body parsers (RFC 3842, 4235, 3680): errors as values, input
// bounds, and the version-ordering policy the stateful views apply to NOTIFY bodies.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "base/result.hpp"

namespace sipline::usage::sub::bodies {

// A human-readable reason, fit for a 400's reason phrase or a Warning header.
struct BodyError {
  std::string reason;
};

template <typename T>
using BodyResult = base::Result<T, BodyError>;

// Bounds on untrusted bodies: larger bodies and documents with more elements are refused.
struct BodyLimits {
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_elements = 2000;
  std::size_t max_lines = 256;  // text bodies (message-summary)
};

// What a view did with one document.
enum class Applied {
  kApplied,   // state updated
  kStale,     // version older than or equal to the one held: ignored
  kNeedFull,  // partial that does not follow the held version (or none held): resubscribe
};

// Version policy (RFC 4235 §4.1, RFC 3680 §5.1): `held` is the last applied version, if any.
// A full document is applied when newer (or when nothing is held); a partial only when it is
// exactly held+1. Pure function, table-tested.
Applied decide_version(std::optional<std::uint32_t> held, std::uint32_t got, bool full);

}  // namespace sipline::usage::sub::bodies
