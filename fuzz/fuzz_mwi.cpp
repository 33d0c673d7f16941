// libFuzzer target: untrusted message-summary bodies (RFC 3842). Nothing may crash; a parsed
// summary reparses to the same value when printed back in canonical form.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_require.hpp"
#include "usage/sub/bodies/mwi.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipline::usage::sub::bodies;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto r = parse_message_summary(text);
  if (!r) {
    require(!r.error().reason.empty());
    return 0;
  }
  const auto& v = r->voice;
  std::string canon = std::string("Messages-Waiting: ") + (r->waiting ? "yes" : "no") + "\r\n";
  if (r->account.find_first_of("\r\n") == std::string::npos && !r->account.empty()) {
    canon += "Message-Account: " + r->account + "\r\n";
  }
  canon += "Voice-Message: " + std::to_string(v.new_msgs) + "/" + std::to_string(v.old_msgs) +
           " (" + std::to_string(v.urgent_new) + "/" + std::to_string(v.urgent_old) + ")\r\n";
  const auto again = parse_message_summary(canon);
  require(again.ok());
  require(again->waiting == r->waiting && again->voice == r->voice);
  return 0;
}
