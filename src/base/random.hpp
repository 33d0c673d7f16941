// Injected randomness: branches, tags, Call-IDs and jitter all come from a Random, so a test can
// pin them and a fleet spreads out (each account seeds its own generator).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace sipline::base {

class Random {
 public:
  virtual ~Random() = default;
  virtual std::uint64_t next_u64() = 0;

  // Uniform in [0, bound); bound 0 yields 0.
  std::uint64_t below(std::uint64_t bound);
  // Uniform in [0.0, 1.0).
  double unit();
  // `n` characters from [0-9a-z]: tokens safe in any SIP token position.
  std::string token(std::size_t n);
  // RFC 3261 branch: the magic cookie, the branch prefix (set_branch_prefix) and 16 random
  // token characters.
  std::string branch();
  // Shared-port mode: each account's branches start with its own prefix, so a response on the
  // shared socket finds its account by its top Via branch alone (txn/shared_port.hpp).
  // At most 15 characters (std::length_error otherwise): kept inline, 16 bytes an account.
  void set_branch_prefix(std::string_view prefix);
  std::string tag() { return token(12); }
  std::string call_id() { return token(24); }

 private:
  std::array<char, 15> prefix_{};
  std::uint8_t prefix_size_ = 0;
};

// xoshiro256** seeded through splitmix64: fast, deterministic for a given seed.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed);
  std::uint64_t next_u64() override;

 private:
  std::uint64_t s_[4];
};

// A seed from the operating system: the kernel's entropy read once per process, then a
// distinct value per call.
std::uint64_t os_seed();

// `n` bytes from the kernel's CSPRNG (getrandom), for secrets such as the HTTP token.
// Blocks only until the kernel's pool is initialised at boot.
void secure_bytes(void* out, std::size_t n);

// A version 4 UUID (RFC 4122 §4.4) from the kernel's CSPRNG, lower-case hex with dashes:
// "f81d4fae-7dec-41d0-a765-00a0c91e6bf6". Used for the RFC 5626 instance ID.
std::string uuid_v4();

// Random from the kernel's CSPRNG, for Call-IDs, tags, branches and cnonces, which must not be
// guessable. Every instance draws from one per-thread pool refilled 4 KiB at a time, so a token
// costs a copy, not a system call, and an instance costs no memory (one per account).
class SecureRandom final : public Random {
 public:
  std::uint64_t next_u64() override;
};

}  // namespace sipline::base
