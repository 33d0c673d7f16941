// libFuzzer target: untrusted dialog-info+xml bodies (RFC 4235) through the parser and BlfView.
// Nothing may crash; the view never holds a terminated dialog and is idle only when empty.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_require.hpp"
#include "usage/sub/bodies/dialog_info.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipline::usage::sub::bodies;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto r = parse_dialog_info(text);
  if (!r) {
    require(!r.error().reason.empty());
    return 0;
  }
  BlfView view;
  const Applied first = view.apply(*r);
  require(first == (r->full ? Applied::kApplied : Applied::kNeedFull));
  require(view.apply(*r) == Applied::kStale || first != Applied::kApplied);
  for (const Dialog& d : view.dialogs()) require(d.state != DialogState::kTerminated);
  require((view.state() == BlfState::kIdle) == view.dialogs().empty());
  return 0;
}
