// Calls: what comes in (calls-and-subscriptions.md "Incoming", "In-dialog").
#include <spdlog/spdlog.h>

#include "account/calls.hpp"
#include "msg/writer.hpp"

namespace sipline::account {

using usage::invite::CallState;

namespace {
void answer_with(const msg::Message& req, const txn::Respond& respond, int code) {
  respond(msg::response_to(req, code, msg::reason_phrase(code)).finish());
}
}  // namespace

void Calls::on_request(const msg::Message& req, const transport::Address& source,
                       txn::Respond respond) {
  const std::string_view method = req.method();
  if (method == "INVITE") return on_invite(req, source, std::move(respond));
  if (method == "CANCEL") return on_cancel(req);
  in_dialog(req, respond);
}

bool Calls::from_server(const transport::Address& source) const {
  const transport::Address& server = identity_.target.remote;
  return source.address == server.address && source.port == server.port;
}

void Calls::on_invite(const msg::Message& req, const transport::Address& source,
                      txn::Respond respond) {
  auto to = req.to();
  if (to.ok() && !to.value().tag().empty()) return in_dialog(req, respond);  // re-INVITE
  if (cfg_.accept_calls_from_server_only && !from_server(source)) {
    spdlog::info("account[{}]: INVITE from {} refused: not our server", index_,
                 transport::to_string(source));
    return answer_with(req, respond, 403);
  }
  auto ruri = msg::parse_uri(req.request_uri());
  if (!ruri.ok() || ruri.value().user != cfg_.user_id) {
    return answer_with(req, respond, 404);
  }
  if (active() >= static_cast<std::size_t>(cfg_.max_calls)) {
    return answer_with(req, respond, 486);
  }
  auto from = req.from();
  const std::string remote = from.ok() ? std::string(from.value().uri.text) : std::string{};
  const bool anonymous = from.ok() && from.value().uri.host == "anonymous.invalid";
  DialError error;
  Entry* e = create(false, remote, anonymous, error);
  if (e == nullptr) {
    spdlog::warn("account[{}]: incoming call refused: {}", index_, error.message);
    return answer_with(req, respond, 503);
  }
  const std::uint64_t id = e->record.id;
  e->call->receive(req, std::move(respond));
  auto it = entries_.find(id);
  if (!cfg_.auto_answer || it == entries_.end() ||
      it->second->call->state() != CallState::kIncoming) {
    return;
  }
  it->second->auto_answer = std::make_unique<base::Timer>(stack_.timers);
  it->second->auto_answer->arm_in(cfg_.auto_answer_delay_s, [this, id] { answer(id); });
}

void Calls::on_cancel(const msg::Message& req) {
  for (auto& [id, e] : entries_) {
    if (e->call->call_id() == req.call_id() && e->call->state() == CallState::kIncoming) {
      e->auto_answer.reset();
      return e->call->on_cancel();
    }
  }
}

void Calls::in_dialog(const msg::Message& req, const txn::Respond& respond) {
  for (auto& [id, e] : entries_) {
    if (e->call->on_request(req, respond)) return;
  }
  if (req.method() != "ACK") answer_with(req, respond, 481);
}

}  // namespace sipline::account
