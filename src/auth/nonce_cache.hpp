// The nonces one account's usages (its registration and subscriptions) were challenged with,
// shared by their DigestSessions: RFC 7616 §3.4 / RFC 3261 §22.3 let a client reuse a nonce for
// later requests to the same protection space, each with the next nonce count. One count per
// nonce for all the usages is what keeps nc strictly increasing for the server's replay check
// when a subscription reuses the registration's nonce.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/challenge.hpp"

namespace sipline::auth {

// Names a nonce for counting: its kind, realm and nonce, hashed (FNV-1a, 64 bits). Two nonces
// that collide would only share one count, which a server takes as a gap in nc, not a replay.
std::uint64_t nonce_key(const Challenge& challenge);

class NonceCache {
 public:
  // Nonces remembered (the most recent ones); an older nonce starts again at nc 1, which a
  // server that still knows it takes as a replay and answers with a fresh challenge.
  static constexpr std::size_t kKeep = 8;

  // The nc for the next use of the nonce `key` names (nonce_key(); 1 for a nonce not seen),
  // recorded as used; nullopt when the count is exhausted. An entry is the key and its count:
  // 16 bytes, and the count outlives forget_challenges().
  std::optional<std::uint32_t> next_nc(std::uint64_t key);
  // The newest challenge received of `kind` (WWW or proxy), else of the other kind; nullptr
  // before any.
  const Challenge* latest(HeaderKind kind) const { return latest_shared(kind).get(); }
  const std::shared_ptr<const Challenge>& latest_shared(HeaderKind kind) const;
  // A challenge just received (and answered): the newest of its kind. Shared with the session
  // that answered it (one copy of a challenge an account, not one per holder).
  void note(std::shared_ptr<const Challenge> challenge);
  void note(const Challenge& challenge) { note(std::make_shared<const Challenge>(challenge)); }
  // Nothing will be answered pre-emptively (add_auth_header_on_reregister off): the challenges
  // go (a fleet account's ~150 bytes while it stays registered); the nonce counts stay, so a
  // server that challenges again with a nonce we used still gets the next count.
  void forget_challenges();
  void clear();

 private:
  struct Entry {
    std::uint64_t key = 0;  // nonce_key(): kind, realm and nonce
    std::uint32_t nc = 0;
  };
  std::vector<Entry> entries_;  // oldest first
  std::shared_ptr<const Challenge> latest_www_, latest_proxy_;
};

}  // namespace sipline::auth
