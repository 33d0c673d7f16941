#include "usage/options/keepalive.hpp"

#include "msg/writer.hpp"
#include "txn/request.hpp"

namespace sipline::usage::options {

Keepalive::Keepalive(txn::TransactionLayer& txn, transport::Transport& transport,
                     base::TimerService& timers, base::Random& random, Callbacks callbacks)
    : txn_(txn),
      transport_(transport),
      random_(random),
      callbacks_(std::move(callbacks)),
      timer_(timers),
      call_id_(random.call_id()),
      from_tag_(random.tag()) {}

Keepalive::~Keepalive() {
  stop();
}

void Keepalive::start(const txn::Identity& identity, base::Duration interval, int max_tries,
                      std::optional<ViaReflection> reference, std::optional<base::Duration> first) {
  stop();
  identity_ = &identity;
  interval_ = interval;
  max_tries_ = max_tries;
  reference_ = std::move(reference);
  misses_ = 0;
  timer_.arm_in(first.value_or(interval_), [this] { on_due(); });
}

void Keepalive::stop() {
  timer_.cancel();
  if (outstanding_ != 0) txn_.cancel(outstanding_);
  outstanding_ = 0;
  leave_gate();
}

void Keepalive::leave_gate(std::optional<base::Answer> answer) {
  if (gate_ != nullptr) gate_->release(ticket_, answer);
  ticket_ = 0;
}

void Keepalive::on_due() {
  if (outstanding_ != 0) {  // the previous one is still unanswered: a miss
    txn_.cancel(outstanding_);
    outstanding_ = 0;
    leave_gate();
    if (miss()) return;
  }
  if (gate_ != nullptr) {
    leave_gate();  // a place still held by an OPTIONS that never got under way
    bool granted = false;
    ticket_ = gate_->acquire([this] { send(); }, granted);
    if (!granted) return;  // send() runs when a place frees up; no next one is due before
  }
  send();
}

void Keepalive::send() {
  timer_.arm_in(interval_, [this] { on_due(); });
  ++cseq_;
  ++sent_total_;
  const std::string branch = random_.branch();
  const txn::Identity& id = *identity_;
  const std::string from = msg::format_name_addr(id.display_name, id.aor, ";tag=" + from_tag_);
  const std::string to = msg::format_name_addr({}, id.aor);
  auto w = txn::start_request({"OPTIONS", id.request_uri, from, to, call_id_, cseq_}, transport_,
                              id.target, branch);
  w.header(msg::HeaderId::kAccept, "application/sdp");
  if (!id.user_agent.empty()) w.header(msg::HeaderId::kUserAgent, id.user_agent);
  outstanding_ = txn_.send_request(id.target, branch, "OPTIONS", w.finish(),
                                   [this](const txn::ClientEvent& e) { on_event(e); });
}

void Keepalive::on_event(const txn::ClientEvent& event) {
  const auto* r = std::get_if<txn::ResponseEvent>(&event);
  if (r == nullptr) {  // timeout or transport error: no response
    outstanding_ = 0;
    leave_gate(base::Answer::kLost);
    miss();
    return;
  }
  if (const int code = r->response.status_code(); code >= 200) {
    outstanding_ = 0;
    leave_gate(base::answer_for_status(code, r->retransmitted));
  }
  misses_ = 0;  // any response, of any status (a 401/407 too, never answered)
  if (!reference_ || !callbacks_.on_address_changed) return;
  auto via = r->response.top_via();
  if (!via.ok()) return;
  ViaReflection seen{std::string(via->received()), via->rport()};
  if (seen != *reference_) {
    reference_ = seen;
    callbacks_.on_address_changed(seen);
  }
}

bool Keepalive::miss() {
  ++misses_;
  ++misses_total_;
  if (misses_ < static_cast<std::uint32_t>(max_tries_)) return false;
  stop();
  misses_ = 0;
  if (callbacks_.on_dead) callbacks_.on_dead();
  return true;
}

}  // namespace sipline::usage::options
