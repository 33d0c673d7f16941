#include "auth/nonce_cache.hpp"

#include <algorithm>
#include <limits>

namespace sipline::auth {

std::uint64_t nonce_key(const Challenge& c) {
  std::uint64_t h = 14695981039346656037ULL;
  const auto mix = [&h](std::string_view bytes) {
    for (const char ch : bytes) {
      h ^= static_cast<unsigned char>(ch);
      h *= 1099511628211ULL;
    }
  };
  const char kind = c.kind == HeaderKind::kWww ? 'w' : 'p';
  mix({&kind, 1});
  mix(c.realm);
  mix({"\0", 1});  // "ab" + "c" is not "a" + "bc"
  mix(c.nonce);
  return h;
}

std::optional<std::uint32_t> NonceCache::next_nc(std::uint64_t key) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [key](const Entry& e) { return e.key == key; });
  if (it == entries_.end()) {
    if (entries_.size() == kKeep) entries_.erase(entries_.begin());
    entries_.push_back({key, 0});
    it = entries_.end() - 1;
  }
  if (it->nc == std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return ++it->nc;
}

const std::shared_ptr<const Challenge>& NonceCache::latest_shared(HeaderKind kind) const {
  const auto& same = kind == HeaderKind::kWww ? latest_www_ : latest_proxy_;
  const auto& other = kind == HeaderKind::kWww ? latest_proxy_ : latest_www_;
  return same ? same : other;
}

void NonceCache::note(std::shared_ptr<const Challenge> challenge) {
  if (!challenge) return;
  auto& slot = challenge->kind == HeaderKind::kWww ? latest_www_ : latest_proxy_;
  slot = std::move(challenge);
}

void NonceCache::forget_challenges() {
  latest_www_.reset();
  latest_proxy_.reset();
}

void NonceCache::clear() {
  entries_.clear();
  latest_www_.reset();
  latest_proxy_.reset();
}

}  // namespace sipline::auth
