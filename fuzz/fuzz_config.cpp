// libFuzzer target: untrusted config text through the TOML loader and validation. Nothing may
// crash or throw; every problem formats; a valid account dumped with account_to_toml parses back
// to the same settings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/load.hpp"
#include "config/validate.hpp"

namespace {

std::string listing(const sipline::config::AccountConfig& a) {
  std::string out;
  sipline::config::for_each_setting(a, [&](std::string_view k, const std::string& v) {
    out.append(k).append("=").append(v).append("\n");
  });
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipline::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // No base_dir: relative password_file / tls_ca_file resolve in the working directory.
  auto result = parse_config(text, "fuzz.toml", "");
  if (!result) {
    if (result.error().errors.empty()) std::abort();
    for (const auto& p : result.error().errors) (void)format_problem(p);
    return 0;
  }
  for (const auto& a : result->config.accounts) {
    auto again = parse_config("[[account]]\n" + account_to_toml(a), "dump.toml", "");
    if (!again || again->config.accounts.size() != 1) std::abort();
    if (listing(again->config.accounts[0]) != listing(a)) std::abort();
  }
  return 0;
}
