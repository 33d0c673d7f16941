#include "transport/source_routes.hpp"

#include <spdlog/spdlog.h>

namespace sipline::transport::detail {

namespace {

asio::ip::address unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

class RoutesService final : public asio::execution_context::service {
 public:
  using key_type = RoutesService;
  static inline asio::execution_context::id id;  // NOLINT: Asio's service identity
  explicit RoutesService(asio::execution_context& context)
      : asio::execution_context::service(context) {}
  void shutdown() override {}
  SourceRoutes routes;
};

}  // namespace

base::Result<asio::ip::address, std::string> SourceRoutes::source(const asio::ip::address& remote,
                                                                  Clock::time_point now) {
  const asio::ip::address key = unmapped(remote);
  auto it = entries_.find(key);
  if (it == entries_.end() || now >= it->second.until) {
    if (entries_.size() >= kMaxEntries) entries_.clear();  // a few registrars in practice
    ++probes_;
    auto found = probe_(key);
    Entry e;
    if (found && !found->is_unspecified()) {
      e.source = unmapped(*found);
      e.until = now + kKnownFor;
    } else {
      e.why = found ? "the kernel named the wildcard " + found->to_string() : found.error();
      e.until = now + kUnknownFor;
      const bool was_known = it != entries_.end() && it->second.source.has_value();
      const bool first = it == entries_.end() || was_known;
      // Logged once per change, not once per probe.
      if (first) spdlog::warn("transport: no source address toward {}: {}", key.to_string(), e.why);
    }
    it = entries_.insert_or_assign(key, std::move(e)).first;
  }
  if (it->second.source) return *it->second.source;
  return base::fail(it->second.why);
}

void SourceRoutes::set_probe(SourceProbe probe) {
  probe_ = std::move(probe);
  entries_.clear();
}

std::string no_source_reason(const std::string& destination, const std::string& why) {
  return "no usable source address toward " + destination + " (" + why + ")";
}

SourceRoutes& source_routes(asio::io_context& io) {
  return asio::use_service<RoutesService>(io).routes;
}

}  // namespace sipline::transport::detail
