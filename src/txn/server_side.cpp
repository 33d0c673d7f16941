// TransactionLayer: the server side (RFC 3261 §17.2.1 INVITE and §17.2.2 non-INVITE server
// transactions, ACK and CANCEL matching) and the layer's default answers (OPTIONS 200,
// CANCEL 481, 405, 400).
#include <spdlog/spdlog.h>

#include <set>

#include "txn/default_responses.hpp"
#include "txn/layer_impl.hpp"
#include "txn/matching.hpp"
#include "txn/via_stamp.hpp"

namespace sipline::txn {

using transport::Protocol;

void TransactionLayer::Impl::on_request(TransactionLayer& face, const msg::Message& request,
                                        const transport::Address& source) {
  if (request.method() == "ACK") return on_ack(face, request, source);
  Counters& counters = face.counters_;
  const CheckedRequest checked = check_request(request);
  if (checked.fault == RequestFault::kNoVia) {
    ++counters.malformed;
    spdlog::debug("txn: {} without a usable Via dropped", request.method());
    return;
  }
  const transport::Target reply_to{response_address(*checked.top_via, source), {}};
  if (checked.fault == RequestFault::kBadHeaders) {
    ++counters.malformed;
    spdlog::debug("txn: {} with bad mandatory headers ({}): 400", request.method(),
                  checked.problem);
    const std::string response =
        bad_request(request, face.random_->tag(), checked.problem, face.server_header_);
    transport.send(reply_to, stamp_top_via(response, source));  // stateless
    return;
  }
  std::string key = scoped(face, server_key(request, *checked.top_via, *checked.cseq));
  if (auto idx = server().index.find(key); idx != server().index.end()) {
    ++counters.server_retransmissions;
    const Actions a = server().records.at(idx->second)->fsm.on_retransmission();
    apply_server(idx->second, a);
    return;
  }
  ++counters.server_requests;
  const std::uint64_t handle = next_handle++;
  const bool invite = request.method() == "INVITE";
  auto rec = std::make_unique<ServerRecord>(face, face.timers_, invite, cfg,
                                            source.protocol != Protocol::kUdp);
  rec->source = source;
  rec->reply_to = reply_to;
  rec->key = std::move(key);
  if (invite) rec->last_response = stamp_top_via(trying(request, face.server_header_), source);
  server().index.emplace(rec->key, handle);
  const Actions a = rec->fsm.start();
  server().records.emplace(handle, std::move(rec));
  apply_server(handle, a);
  if (request.method() == "CANCEL" && cancel_invite(face, request, checked, handle, source)) {
    return;
  }

  const auto handler = face.handler_for(request.method());  // a copy: lives if it removes itself
  if (!handler) {
    answer_by_default(face, request, handle);
    return;
  }
  handler(request, source, make_respond(handle));  // may destroy the layer: nothing after
}

void TransactionLayer::Impl::on_ack(TransactionLayer& face, const msg::Message& ack,
                                    const transport::Address& source) {
  const CheckedRequest checked = check_request(ack);
  if (checked.fault != RequestFault::kNone) {
    ++face.counters_.malformed;
    spdlog::debug("txn: ACK with bad headers dropped");
    return;
  }
  // §17.2.3: an ACK matches the INVITE it acknowledges (same branch, method INVITE).
  const std::string key = scoped(face, server_key(ack, *checked.top_via, *checked.cseq, "INVITE"));
  if (auto idx = server().index.find(key); idx != server().index.end()) {
    InviteServer* fsm = server().records.at(idx->second)->fsm.invite();
    if (fsm) {
      const Actions a = fsm->on_ack();
      apply_server(idx->second, a);
      if (a.report != Report::kResponse) {
        ++face.counters_.acks_absorbed;
        return;
      }
    }
  }
  const auto handler = face.handler_for("ACK");
  if (!handler) return;
  handler(ack, source, [](std::string) {});
}

bool TransactionLayer::Impl::cancel_invite(TransactionLayer& face, const msg::Message& cancel,
                                           const CheckedRequest& checked, std::uint64_t handle,
                                           const transport::Address& source) {
  const std::string key =
      scoped(face, server_key(cancel, *checked.top_via, *checked.cseq, "INVITE"));
  auto idx = server().index.find(key);
  if (idx == server().index.end()) return false;
  InviteServer* fsm = server().records.at(idx->second)->fsm.invite();
  if (fsm == nullptr) return false;
  const bool pending = fsm->cancellable();
  respond(handle, cancel_ok(cancel, face.random_->tag(), face.server_header_));
  if (!pending) return true;  // §9.2: a final was sent already, the CANCEL has no effect
  const auto handler = face.handler_for("CANCEL");
  if (!handler) return true;
  handler(cancel, source, [](std::string) {});  // may destroy the layer: nothing after
  return true;
}

void TransactionLayer::Impl::answer_by_default(TransactionLayer& face, const msg::Message& request,
                                               std::uint64_t handle) {
  const std::string allow = face.allowed_methods();
  const std::string tag = face.random_->tag();
  if (request.method() == "OPTIONS") {
    respond(handle, options_ok(request, tag, allow, face.supported_, face.server_header_));
  } else if (request.method() == "CANCEL") {
    // Only a usage with INVITE server transactions can know the one it cancels (§9.2).
    respond(handle, no_such_transaction(request, tag, face.server_header_));
  } else {
    respond(handle, method_not_allowed(request, tag, allow, face.server_header_));
  }
}

std::string TransactionLayer::allowed_methods() const {
  std::vector<std::string> names = handled_methods();
  std::set<std::string_view> methods{"OPTIONS"};
  methods.insert(names.begin(), names.end());
  std::string allow;
  for (std::string_view m : methods) {
    if (!allow.empty()) allow.append(", ");
    allow.append(m);
  }
  return allow;
}

Respond TransactionLayer::Impl::make_respond(std::uint64_t handle) {
  return [alive = alive(), this, handle](std::string response) {
    if (alive.expired()) return;  // the layer is gone
    respond(handle, std::move(response));
  };
}

void TransactionLayer::Impl::respond(std::uint64_t handle, std::string response) {
  auto it = server().records.find(handle);
  if (it == server().records.end()) {
    spdlog::debug("txn: response for a finished server transaction dropped");
    return;
  }
  const int code = status_of(response);
  if (code == 0) {
    spdlog::warn("txn: a request handler responded with something that is not a response");
    return;
  }
  ServerRecord& rec = *it->second;
  const Actions a = rec.fsm.on_respond(code);
  if (!a.send) {
    spdlog::warn("txn: response {} after the final response dropped", code);
    return;
  }
  rec.last_response = stamp_top_via(std::move(response), rec.source);
  apply_server(handle, a);
}

void TransactionLayer::Impl::apply_server(std::uint64_t handle, const Actions& a) {
  auto it = server().records.find(handle);
  if (it == server().records.end()) return;
  ServerRecord& rec = *it->second;
  rec.timers.apply(a, handle, [this](std::uint64_t h, TimerName t) { on_server_timer(h, t); });
  transport::Target target;
  std::string bytes;
  const bool send = a.send && !rec.last_response.empty();
  if (send) {
    target = rec.reply_to;
    bytes = rec.last_response;
  }
  if (a.report == Report::kAckTimeout) {
    ++rec.face->counters_.ack_timeouts;
    spdlog::debug("txn: no ACK for a non-2xx final response to an INVITE (timer H)");
  }
  if (rec.fsm.terminated()) erase_server(handle);  // `rec` is gone
  if (send) transport.send(target, std::move(bytes));
}

void TransactionLayer::Impl::on_server_timer(std::uint64_t handle, TimerName timer) {
  auto it = server().records.find(handle);
  if (it == server().records.end()) return;
  if (timer == TimerName::kAbandon) {
    spdlog::debug("txn: a request handler never responded; transaction dropped");
  }
  apply_server(handle, it->second->fsm.on_timer(timer));
}

void TransactionLayer::Impl::erase_server(std::uint64_t handle) {
  auto it = server().records.find(handle);
  if (it == server().records.end()) return;
  auto idx = server().index.find(it->second->key);
  if (idx != server().index.end() && idx->second == handle) server().index.erase(idx);
  server().records.erase(it);
}

}  // namespace sipline::txn
