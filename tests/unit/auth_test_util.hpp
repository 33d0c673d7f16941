// Test-only helpers for the auth tests: a tiny auth-param splitter (so these tests do not
// depend on msg's parser) and a Random that always yields the same word.
#pragma once
#include <cstdint>
#include <string_view>

#include "base/random.hpp"
#include "msg/values.hpp"

namespace sipline::auth::testing {

// "Digest realm="r", nonce="n", qop="auth,auth-int"" -> AuthValue with views into `text`.
// Quotes are removed, escapes kept (what msg's parser promises). Test input only: no error
// handling beyond what the tests need.
inline msg::AuthValue auth_value(std::string_view text) {
  msg::AuthValue v;
  const std::size_t space = text.find(' ');
  v.scheme = text.substr(0, space);
  if (space == std::string_view::npos) return v;
  std::size_t i = space + 1;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    if (i >= text.size()) break;
    const std::size_t eq = text.find('=', i);
    msg::Param p;
    p.name = text.substr(i, eq - i);
    p.has_value = eq != std::string_view::npos;
    if (!p.has_value) {
      v.params.push_back(p);
      break;
    }
    i = eq + 1;
    if (i < text.size() && text[i] == '"') {
      std::size_t j = i + 1;
      while (j < text.size() && text[j] != '"') j += (text[j] == '\\') ? 2 : 1;
      p.value = text.substr(i + 1, j - i - 1);
      i = j + 1;
    } else {
      const std::size_t comma = text.find(',', i);
      p.value = text.substr(i, comma == std::string_view::npos ? comma : comma - i);
      i = comma == std::string_view::npos ? text.size() : comma;
    }
    v.params.push_back(p);
  }
  return v;
}

// Every draw is the same word, so tokens (cnonces) are predictable: word 0 -> "000...".
class FixedRandom final : public base::Random {
 public:
  explicit FixedRandom(std::uint64_t word = 0) : word_(word) {}
  std::uint64_t next_u64() override { return word_; }

 private:
  std::uint64_t word_;
};

}  // namespace sipline::auth::testing
