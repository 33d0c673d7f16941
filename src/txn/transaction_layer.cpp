// TransactionLayer: the public forwarding functions and the client side (RFC 3261 §17.1.1,
// §17.1.2, and CANCEL §9.1).
#include "txn/transaction_layer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "txn/invite_requests.hpp"
#include "txn/layer_impl.hpp"
#include "txn/matching.hpp"

namespace sipline::txn {

using transport::Protocol;

TransactionLayer::Impl::Impl(base::TimerService& t, transport::Transport& tr, TimerConfig c,
                             base::Random* r)
    : timers(t),
      transport(tr),
      cfg(c),
      own_random(r ? nullptr : std::make_unique<base::SecureRandom>()),
      random(r ? *r : *own_random) {}

std::vector<std::unique_ptr<ClientRecord>>::const_iterator TransactionLayer::Impl::client_at(
    std::uint64_t handle) const {
  const auto it = std::lower_bound(
      clients.begin(), clients.end(), handle,
      [](const std::unique_ptr<ClientRecord>& r, std::uint64_t h) { return r->handle < h; });
  return it != clients.end() && (*it)->handle == handle ? it : clients.end();
}

ClientRecord* TransactionLayer::Impl::client(std::uint64_t handle) const {
  const auto it = client_at(handle);
  return it != clients.end() ? it->get() : nullptr;
}

ClientRecord* TransactionLayer::Impl::client_by_key(std::string_view key) const {
  const std::size_t h = std::hash<std::string_view>{}(key);
  for (auto it = clients.rbegin(); it != clients.rend(); ++it) {
    if ((*it)->key_hash == h && (*it)->key == key) return it->get();
  }
  return nullptr;
}

std::uint64_t TransactionLayer::Impl::send_request(const transport::Target& target,
                                                   std::string_view branch, std::string_view method,
                                                   std::string request, ClientCallback cb) {
  const std::uint64_t handle = next_handle++;
  auto rec = std::make_unique<ClientRecord>(timers, method == "INVITE", cfg,
                                            target.remote.protocol != Protocol::kUdp);
  rec->handle = handle;
  rec->target = target;
  rec->key = client_key(branch, method);
  rec->key_hash = std::hash<std::string_view>{}(rec->key);
  rec->request = std::move(request);
  rec->callback = std::make_shared<ClientCallback>(std::move(cb));
  if (client_by_key(rec->key) != nullptr) {
    // Two live transactions with one branch is a caller bug; the newer one gets the responses.
    spdlog::warn("txn: branch/method {} reused by a new client transaction", rec->key);
  }
  const Actions a = rec->fsm.start();
  clients.push_back(std::move(rec));
  ++counters.client_started;
  apply_client(handle, a, nullptr);
  return handle;
}

std::uint64_t TransactionLayer::Impl::send_cancel(std::uint64_t invite_handle, ClientCallback cb) {
  const ClientRecord* rec = client(invite_handle);
  if (rec == nullptr || !rec->fsm.invite() || !rec->fsm.pending()) return 0;
  auto invite = msg::Message::parse(rec->request);
  if (!invite) return 0;
  auto via = invite->top_via();
  if (!via) return 0;
  const transport::Target target = rec->target;
  return send_request(target, via->branch(), "CANCEL", cancel_for(*invite), std::move(cb));
}

void TransactionLayer::Impl::erase_client(std::uint64_t handle) {
  const auto it = client_at(handle);
  if (it == clients.end()) return;
  clients.erase(it);  // its TimerSet cancels every timer
  if (clients.empty()) std::vector<std::unique_ptr<ClientRecord>>().swap(clients);
}

void TransactionLayer::Impl::retire_client(std::uint64_t handle) {
  const ClientRecord* rec = client(handle);
  if (rec == nullptr) return;
  drop_expired_completed();
  completed.push_back({rec->key_hash, timers.now() + cfg.t4});
  erase_client(handle);  // cancels its timers, K included: the entry's expiry stands in for it
}

bool TransactionLayer::Impl::absorbed_by_completed(std::string_view key) {
  drop_expired_completed();
  const std::size_t h = std::hash<std::string_view>{}(key);
  return std::any_of(completed.begin(), completed.end(),
                     [h](const Completed& c) { return c.key_hash == h; });
}

void TransactionLayer::Impl::drop_expired_completed() {
  if (completed.empty()) return;
  const base::TimePoint now = timers.now();
  // In expiry order (T4 is the layer's, and a changed T4 only keeps an entry a little longer).
  auto end = std::find_if(completed.begin(), completed.end(),
                          [now](const Completed& c) { return c.expires > now; });
  completed.erase(completed.begin(), end);
  if (completed.empty()) std::vector<Completed>().swap(completed);
}

void TransactionLayer::Impl::apply_client(std::uint64_t handle, const Actions& a,
                                          const ClientEvent* event) {
  ClientRecord* found = client(handle);
  if (found == nullptr) return;
  ClientRecord& rec = *found;
  rec.timers.apply(a, handle, [this](std::uint64_t h, TimerName t) { on_client_timer(h, t); });
  if (a.report == Report::kAbsorbed) ++counters.response_retransmissions;
  if (a.report == Report::kTimeout) ++counters.timeouts;
  if (a.report == Report::kTransportError) ++counters.transport_errors;

  std::shared_ptr<ClientCallback> cb;
  const bool reports = a.report == Report::kResponse || a.report == Report::kTimeout ||
                       a.report == Report::kTransportError;
  if (reports) cb = rec.callback;
  if (!rec.fsm.reporting() && reports) rec.callback.reset();  // the final event: nothing after
  transport::Target target;
  std::string bytes;
  if (a.send || a.send_ack) {
    target = rec.target;
    bytes = a.send ? rec.request : rec.ack;
  }
  if (rec.fsm.terminated())
    erase_client(handle);  // `rec` is gone
  else if (rec.fsm.retire())
    retire_client(handle);

  if (a.send || (a.send_ack && !bytes.empty())) transport.send(target, std::move(bytes));
  if (cb && *cb && event) (*cb)(*event);  // may destroy this layer: nothing after it
}

void TransactionLayer::Impl::on_client_timer(std::uint64_t handle, TimerName timer) {
  ClientRecord* rec = client(handle);
  if (rec == nullptr) return;
  const Actions a = rec->fsm.on_timer(timer);
  if (a.send) {
    ++counters.retransmissions;
    rec->retransmitted = true;
  }
  const ClientEvent timeout{TimeoutEvent{}};
  apply_client(handle, a, &timeout);
}

void TransactionLayer::Impl::on_response(const msg::Message& response) {
  auto via = response.top_via();
  auto cseq = response.cseq();
  const int code = response.status_code();
  if (!via || !cseq || code < 100 || code > 699) {
    ++counters.malformed;
    spdlog::debug("txn: response without a usable Via/CSeq dropped");
    return;
  }
  const std::string key = client_key(via->branch(), cseq->method);
  ClientRecord* found = client_by_key(key);
  if (found == nullptr && absorbed_by_completed(key)) {
    ++counters.response_retransmissions;  // Completed absorbs it (RFC 3261 §17.1.2.2)
    return;
  }
  if (found == nullptr) {
    ++counters.stray_responses;
    spdlog::debug("txn: stray {} response (branch {}, {}) dropped", code, via->branch(),
                  cseq->method);
    return;
  }
  const std::uint64_t handle = found->handle;
  ClientRecord& rec = *found;
  const Actions a = rec.fsm.on_response(code);
  if (a.send_ack && rec.ack.empty()) {
    auto invite = msg::Message::parse(rec.request);
    if (invite) rec.ack = ack_for_final(*invite, response);
  }
  if (a.send_ack && a.report == Report::kAbsorbed) ++counters.ack_retransmissions;
  const ClientEvent event{ResponseEvent{response, rec.retransmitted}};
  apply_client(handle, a, &event);
}

void TransactionLayer::Impl::on_transport_error(const transport::TransportError& error) {
  const auto same_target = [&error](const transport::Target& t) {
    return t.remote == error.target.remote && (error.target.tls_server_name.empty() ||
                                               t.tls_server_name == error.target.tls_server_name);
  };
  std::vector<std::uint64_t> failed;
  for (const auto& rec : clients) {
    if (rec->fsm.pending() && same_target(rec->target)) failed.push_back(rec->handle);
  }
  // `clients` is ordered by handle: `failed` is oldest first already.
  const std::weak_ptr<char> alive = failed.empty() ? std::weak_ptr<char>() : this->alive();
  const ClientEvent event{TransportErrorEvent{error}};
  for (std::uint64_t handle : failed) {
    if (alive.expired()) return;  // a callback destroyed the layer
    ClientRecord* rec = client(handle);
    if (rec == nullptr) continue;  // cancelled by an earlier callback
    const Actions a = rec->fsm.on_transport_error();
    apply_client(handle, a, &event);
  }
}

// ---- public API ----

TransactionLayer::TransactionLayer(base::TimerService& timers, transport::Transport& transport,
                                   TimerConfig cfg, base::Random* random)
    : impl_(std::make_unique<Impl>(timers, transport, cfg, random)) {}

TransactionLayer::~TransactionLayer() = default;

void TransactionLayer::set_timer_config(TimerConfig cfg) {
  impl_->cfg = cfg;
}
const TimerConfig& TransactionLayer::timer_config() const {
  return impl_->cfg;
}
const Counters& TransactionLayer::counters() const {
  return impl_->counters;
}
std::size_t TransactionLayer::client_count() const {
  const base::TimePoint now = impl_->timers.now();
  return impl_->clients.size() + static_cast<std::size_t>(std::count_if(
                                     impl_->completed.begin(), impl_->completed.end(),
                                     [now](const Impl::Completed& c) { return c.expires > now; }));
}
std::size_t TransactionLayer::server_count() const {
  return impl_->server_tables ? impl_->server_tables->records.size() : 0;
}

std::uint64_t TransactionLayer::send_request(const transport::Target& target,
                                             std::string_view branch, std::string_view method,
                                             std::string request, ClientCallback cb) {
  return impl_->send_request(target, branch, method, std::move(request), std::move(cb));
}

std::uint64_t TransactionLayer::send_cancel(std::uint64_t invite_handle, ClientCallback cb) {
  return impl_->send_cancel(invite_handle, std::move(cb));
}

void TransactionLayer::cancel(std::uint64_t handle) {
  impl_->erase_client(handle);
}

std::string TransactionLayer::allowed_methods() const {
  return impl_->allowed_methods();
}

void TransactionLayer::set_supported(base::SharedText option_tags) {
  impl_->supported = std::move(option_tags);
}

void TransactionLayer::set_server(base::SharedText product) {
  impl_->server_header = std::move(product);
}

namespace {
// Every method a handler was set for, process-wide, each at its bit of a handler entry's mask.
// Only methods named by code get here (never one read off the wire), a dozen at most. Names are
// only ever appended: a reader (every incoming request) scans the first `count` without a lock.
struct MethodNames {
  static constexpr std::size_t kMax = 64;
  std::mutex append;
  std::atomic<std::size_t> count{0};
  std::array<std::string, kMax> names;
};
MethodNames& method_names() {
  static MethodNames m;
  return m;
}

// The bit of `method`: 0 when no handler was ever set for it, unless `add`.
std::uint64_t method_bit(std::string_view method, bool add) {
  MethodNames& m = method_names();
  auto find = [&](std::size_t n) -> std::uint64_t {
    for (std::size_t i = 0; i < n; ++i) {
      if (m.names[i] == method) return std::uint64_t{1} << i;
    }
    return 0;
  };
  if (const std::uint64_t bit = find(m.count.load(std::memory_order_acquire)); bit || !add) {
    return bit;
  }
  const std::lock_guard<std::mutex> lock(m.append);
  const std::size_t n = m.count.load(std::memory_order_relaxed);
  if (const std::uint64_t bit = find(n)) return bit;  // added meanwhile
  if (n == MethodNames::kMax) {
    throw std::length_error("txn: more than 64 methods with request handlers");
  }
  m.names[n] = std::string(method);
  m.count.store(n + 1, std::memory_order_release);
  return std::uint64_t{1} << n;
}
}  // namespace

RequestHandler TransactionLayer::Impl::handler_for(std::string_view method) const {
  if (handlers.empty()) return nullptr;
  const std::uint64_t bit = method_bit(method, false);
  for (const HandlerEntry& e : handlers) {
    if ((e.methods & bit) != 0) return e.handler;
  }
  return nullptr;
}

std::vector<std::string> TransactionLayer::Impl::handled_methods() const {
  std::uint64_t all = 0;
  for (const HandlerEntry& e : handlers) all |= e.methods;
  const MethodNames& m = method_names();
  std::vector<std::string> out;
  for (std::size_t i = 0; i < m.count.load(std::memory_order_acquire); ++i) {
    if ((all >> i) & 1U) out.push_back(m.names[i]);
  }
  return out;
}

void TransactionLayer::Impl::set_handler(std::uint64_t mask, RequestHandler handler) {
  for (HandlerEntry& e : handlers) e.methods &= ~mask;
  std::erase_if(handlers, [](const HandlerEntry& e) { return e.methods == 0; });
  if (handler) handlers.push_back({mask, std::move(handler)});
}

void TransactionLayer::set_request_handler(std::string_view method, RequestHandler handler) {
  set_request_handler({method}, std::move(handler));
}

void TransactionLayer::set_request_handler(std::initializer_list<std::string_view> methods,
                                           RequestHandler handler) {
  std::uint64_t mask = 0;
  for (std::string_view m : methods) mask |= method_bit(m, true);
  impl_->set_handler(mask, std::move(handler));
}

void TransactionLayer::on_message(msg::Message message, const transport::Address& source,
                                  const transport::Address& /*local*/) {
  if (message.is_response()) {
    impl_->on_response(message);
  } else {
    impl_->on_request(message, source);
  }
}

void TransactionLayer::on_transport_error(const transport::TransportError& error) {
  impl_->on_transport_error(error);
}

}  // namespace sipline::txn
