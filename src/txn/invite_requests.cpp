#include "txn/invite_requests.hpp"

#include "msg/writer.hpp"

namespace sipline::txn {

namespace {

std::string_view value_of(const msg::Message& m, msg::HeaderId id) {
  const msg::HeaderField* f = m.find(id);
  return f ? f->value : std::string_view{};
}

std::string build(std::string_view method, const msg::Message& invite, std::string_view to) {
  auto w = msg::MessageWriter::request(method, invite.request_uri());
  const auto vias = invite.values(msg::HeaderId::kVia);
  if (!vias.empty()) w.header(msg::HeaderId::kVia, vias.front());
  w.header(msg::HeaderId::kMaxForwards, std::uint64_t{70});
  w.header(msg::HeaderId::kFrom, value_of(invite, msg::HeaderId::kFrom));
  w.header(msg::HeaderId::kTo, to);
  w.header(msg::HeaderId::kCallId, invite.call_id());
  const auto cseq = invite.cseq();
  const std::uint32_t seq = cseq.ok() ? cseq.value().seq : 0;
  w.header(msg::HeaderId::kCSeq, std::to_string(seq) + " " + std::string(method));
  for (std::string_view route : invite.values(msg::HeaderId::kRoute)) {
    w.header(msg::HeaderId::kRoute, route);
  }
  return w.finish();
}

}  // namespace

std::string ack_for_final(const msg::Message& invite, const msg::Message& response) {
  return build("ACK", invite, value_of(response, msg::HeaderId::kTo));
}

std::string cancel_for(const msg::Message& invite) {
  return build("CANCEL", invite, value_of(invite, msg::HeaderId::kTo));
}

}  // namespace sipline::txn
