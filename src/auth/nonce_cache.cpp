#include "auth/nonce_cache.hpp"

#include <algorithm>
#include <limits>

namespace sipline::auth {

std::optional<std::uint32_t> NonceCache::next_nc(
    const std::shared_ptr<const Challenge>& challenge) {
  const Challenge& c = *challenge;
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) {
    return e.challenge->kind == c.kind && e.challenge->realm == c.realm &&
           e.challenge->nonce == c.nonce;
  });
  if (it == entries_.end()) {
    if (entries_.size() == kKeep) entries_.erase(entries_.begin());
    entries_.push_back({challenge, 0});
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

void NonceCache::clear() {
  entries_.clear();
  latest_www_.reset();
  latest_proxy_.reset();
}

}  // namespace sipline::auth
