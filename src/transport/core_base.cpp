#include "transport/core_base.hpp"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>

namespace sipline::transport::detail {

void CoreBase::report(TransportErrorKind kind, const Target& target, std::string detail) {
  if (stopped_) return;
  spdlog::debug("transport: {} to {}: {}", to_string(kind), to_string(target.remote), detail);
  if (user_ == nullptr) return;
  user_->on_transport_error(TransportError{kind, target, std::move(detail)});
}

void CoreBase::report_later(TransportErrorKind kind, const Target& target, std::string detail) {
  asio::post(io_, [self = shared_from_this(), kind, target, detail = std::move(detail)]() mutable {
    self->report(kind, target, std::move(detail));
  });
}

void CoreBase::trace(TraceDirection direction, const Address& local, const Address& remote,
                     std::string_view bytes) {
  if (trace_) trace_(direction, local, remote, bytes);
}

bool CoreBase::deliver(std::string bytes, const Address& source, const Address& local) {
  trace(TraceDirection::kReceived, local, source, bytes);
  auto parsed = msg::Message::parse(std::move(bytes), limits_);
  if (!parsed) {
    ++counters_.malformed_dropped;
    spdlog::debug("transport: dropped malformed message from {}: {} at byte {}", to_string(source),
                  msg::describe(parsed.error().code), parsed.error().offset);
    return false;
  }
  ++counters_.messages_in;
  if (user_ == nullptr) {
    spdlog::debug("transport: no user for a message from {}", to_string(source));
    return true;
  }
  user_->on_message(std::move(parsed).value(), source, local);
  return true;
}

base::Result<asio::ip::address, std::string> CoreBase::source_for(
    const asio::ip::address& bound, const asio::ip::address& remote,
    const Address& destination) const {
  if (!bound.is_unspecified()) return bound;
  auto found = routes_.source(remote, SourceRoutes::Clock::now());
  if (!found) return base::fail(no_source_reason(to_string(destination), found.error()));
  return *found;
}

bool only_crlf(std::string_view bytes) {
  for (char c : bytes) {
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') return false;
  }
  return true;
}

}  // namespace sipline::transport::detail
