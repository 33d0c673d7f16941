// Pure policies of the stream transports, table-tested in tests/unit/transport_test.cpp.
#pragma once
#include <chrono>
#include <cstddef>

namespace sipline::transport {

inline constexpr std::size_t kReadDeadlineBodyStep = 64 * 1024;

// How long a message begun on a stream may take to arrive in full: `timeout` for the start
// line and headers, plus `timeout` again for every 64 KiB of the frame once its size is known
// (`frame_size`, 0 before its headers are in). So a peer sending one byte per idle period
// cannot hold a connection, yet a large body on a slow link fits.
constexpr std::chrono::milliseconds message_read_deadline(std::chrono::milliseconds timeout,
                                                          std::size_t frame_size) {
  const auto steps = (frame_size + kReadDeadlineBodyStep - 1) / kReadDeadlineBodyStep;
  return timeout * static_cast<long>(1 + steps);
}

// How long a listener waits before accepting again after `consecutive` failed accepts (out of
// descriptors, EMFILE/ENFILE): 100 ms, doubling, at most 2 s.
constexpr std::chrono::milliseconds accept_backoff(unsigned consecutive) {
  constexpr std::chrono::milliseconds first{100}, most{2000};
  auto wait = first;
  for (unsigned i = 1; i < consecutive && wait < most; ++i) wait *= 2;
  return wait < most ? wait : most;
}

// Accept failures are logged at most once per this interval (the rest are counted).
inline constexpr std::chrono::seconds kAcceptLogInterval{10};

}  // namespace sipline::transport
