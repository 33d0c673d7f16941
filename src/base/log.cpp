#include "base/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace sipline::base {

bool init_logging(std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string(level));
  if (level != "off" && lvl == spdlog::level::off) return false;
  static bool created = false;
  if (!created) {
    auto logger = spdlog::stderr_color_mt("sipline");
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    spdlog::set_default_logger(logger);
    created = true;
  }
  spdlog::set_level(lvl);
  return true;
}

}  // namespace sipline::base
