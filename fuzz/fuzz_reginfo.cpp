// libFuzzer target: untrusted reginfo+xml bodies (RFC 3680) through the parser, RegInfoView and
// the URI comparison. Nothing may crash; an active contact of a full document is found active.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_require.hpp"
#include "usage/sub/bodies/reginfo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipline::usage::sub::bodies;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto r = parse_reginfo(text);
  if (!r) {
    require(!r.error().reason.empty());
    return 0;
  }
  RegInfoView view;
  if (view.apply(*r) != Applied::kApplied) return 0;
  for (const Registration& reg : r->registrations) {
    require(sip_uri_equal(reg.aor, reg.aor));
    for (const RegContact& c : reg.contacts) {
      require(sip_uri_equal(c.uri, c.uri));
      if (c.state == ContactState::kActive && reg.contacts.size() == 1 &&
          r->registrations.size() == 1) {
        require(view.query(reg.aor, c.uri).kind == ContactStatus::Kind::kActive);
      }
    }
  }
  return 0;
}
