#include "base/random.hpp"

#include <sys/random.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <iterator>
#include <random>
#include <stdexcept>
#include <system_error>

namespace sipline::base {

std::uint64_t Random::below(std::uint64_t bound) {
  return bound == 0 ? 0 : next_u64() % bound;
}

double Random::unit() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

std::string Random::branch() {
  static constexpr std::string_view kCookie = "z9hG4bK";
  std::string out;
  out.reserve(kCookie.size() + prefix_size_ + 16);
  out.append(kCookie).append(prefix_.data(), prefix_size_).append(token(16));
  return out;
}

void Random::set_branch_prefix(std::string_view prefix) {
  if (prefix.size() > prefix_.size()) {
    throw std::length_error("branch prefix longer than 15 characters: " + std::string(prefix));
  }
  std::copy(prefix.begin(), prefix.end(), prefix_.begin());
  prefix_size_ = static_cast<std::uint8_t>(prefix.size());
}

std::string Random::token(std::size_t n) {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(n);
  std::uint64_t bits = 0;
  int left = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (left == 0) {
      bits = next_u64();
      left = 10;  // 10 draws of 6 bits each from one 64-bit word
    }
    out.push_back(kAlphabet[(bits & 63u) % 36u]);
    bits >>= 6;
    --left;
  }
  return out;
}

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}
}  // namespace

SeededRandom::SeededRandom(std::uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

std::uint64_t SeededRandom::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t os_seed() {
  // One read of the kernel's entropy per process, then a SplitMix64 sequence from it: distinct
  // seeds for 50,000 accounts cost no system call (a std::random_device each opened a device).
  static std::atomic<std::uint64_t> state{[] {
    std::uint64_t s = 0;
    secure_bytes(&s, sizeof s);
    return s;
  }()};
  std::uint64_t x = state.fetch_add(0x9e3779b97f4a7c15ull, std::memory_order_relaxed);
  return splitmix64(x);
}

void secure_bytes(void* out, std::size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    ssize_t got = ::getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    p += got;
    n -= static_cast<std::size_t>(got);
  }
}

std::string uuid_v4() {
  unsigned char b[16];
  secure_bytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // variant 10xx
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

std::uint64_t SecureRandom::next_u64() {
  struct Pool {
    std::uint64_t words[512];
    std::size_t next = 512;
  };
  thread_local Pool pool;
  if (pool.next == std::size(pool.words)) {
    secure_bytes(pool.words, sizeof pool.words);
    pool.next = 0;
  }
  return pool.words[pool.next++];
}

}  // namespace sipline::base
