// libFuzzer target: untrusted WWW-Authenticate values through msg's auth parser, the challenge
// parser and a DigestSession. Nothing may crash, and a header we produce never carries CR/LF.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/challenge.hpp"
#include "auth/session.hpp"
#include "base/random.hpp"
#include "msg/values.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipline;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto value = msg::parse_auth(text);
  if (!value) return 0;
  auto challenge = auth::choose_challenge({&*value, 1}, auth::HeaderKind::kWww);
  if (!challenge) return 0;
  base::SeededRandom random(1);
  auth::DigestSession session(auth::Credentials{"alice", "secret"}, random);
  (void)session.on_challenge(*challenge);
  for (int i = 0; i < 2; ++i) {
    auto header = session.authorize(*challenge, "REGISTER", "sip:example.com", text);
    if (header && header->find_first_of("\r\n") != std::string::npos) std::abort();
  }
  (void)session.on_challenge(*challenge);
  return 0;
}
