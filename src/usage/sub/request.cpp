#include "usage/sub/request.hpp"

#include "msg/writer.hpp"

namespace sipline::usage::sub {

namespace {

std::string finish(msg::MessageWriter& w, const SubscribeFields& f) {
  w.header(msg::HeaderId::kEvent, event_name(f.package));
  w.header(msg::HeaderId::kAccept, accept_type(f.package));
  w.header(msg::HeaderId::kContact, msg::format_name_addr({}, f.contact));
  w.header(msg::HeaderId::kExpires, std::uint64_t{f.expires_s});
  if (f.authorization != nullptr) w.header(f.auth_header_name, *f.authorization);
  w.header(msg::HeaderId::kUserAgent, f.user_agent);
  return w.finish();
}

}  // namespace

std::string initial_subscribe(const txn::Identity& id, std::string_view resource,
                              std::string_view from_tag, std::string_view call_id,
                              std::uint32_t cseq, const SubscribeFields& f,
                              const transport::Transport& transport,
                              const transport::Target& target, std::string_view branch) {
  const std::string from =
      msg::format_name_addr(id.display_name, id.aor, ";tag=" + std::string(from_tag));
  const std::string to = msg::format_name_addr({}, resource);
  auto w = txn::start_request({"SUBSCRIBE", resource, from, to, call_id, cseq}, transport, target,
                              branch);
  return finish(w, f);
}

std::string in_dialog_subscribe(const dialog::InDialogRequest& r, const SubscribeFields& f,
                                const transport::Transport& transport,
                                const transport::Target& target, std::string_view branch) {
  auto w = txn::start_request({"SUBSCRIBE", r.request_uri, r.from, r.to, r.call_id, r.cseq},
                              transport, target, branch);
  for (const std::string& route : r.routes) w.header(msg::HeaderId::kRoute, route);
  return finish(w, f);
}

}  // namespace sipline::usage::sub
