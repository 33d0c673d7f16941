#include "sipline/engine.hpp"

namespace sipline {

std::string_view version() {
  return SIPLINE_VERSION;
}

}  // namespace sipline
