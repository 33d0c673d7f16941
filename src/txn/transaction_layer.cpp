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
  if (by_key) {  // a core's thousands: by hash, the newest (highest handle) of those matching
    ClientRecord* newest = nullptr;
    const auto [first, last] = by_key->equal_range(h);
    for (auto it = first; it != last; ++it) {
      if (it->second->key == key && (!newest || it->second->handle > newest->handle)) {
        newest = it->second;
      }
    }
    return newest;
  }
  for (auto it = clients.rbegin(); it != clients.rend(); ++it) {
    if ((*it)->key_hash == h && (*it)->key == key) return it->get();
  }
  return nullptr;
}

void TransactionLayer::Impl::unindex(const ClientRecord& rec) {
  if (!by_key) return;
  const auto [first, last] = by_key->equal_range(rec.key_hash);
  for (auto it = first; it != last; ++it) {
    if (it->second == &rec) {
      by_key->erase(it);
      return;
    }
  }
}

std::uint64_t TransactionLayer::Impl::send_request(TransactionLayer& face,
                                                   const transport::Target& target,
                                                   std::string_view branch, std::string_view method,
                                                   std::string request, ClientCallback cb) {
  const std::uint64_t handle = next_handle++;
  auto rec = std::make_unique<ClientRecord>(face, face.timers_, method == "INVITE", cfg,
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
  if (by_key) by_key->emplace(rec->key_hash, rec.get());
  clients.push_back(std::move(rec));
  ++face.counters_.client_started;
  apply_client(handle, a, nullptr);
  return handle;
}

std::uint64_t TransactionLayer::Impl::send_cancel(TransactionLayer& face,
                                                  std::uint64_t invite_handle, ClientCallback cb) {
  const ClientRecord* rec = client(invite_handle);
  if (rec == nullptr || !rec->fsm.invite() || !rec->fsm.pending()) return 0;
  auto invite = msg::Message::parse(rec->request);
  if (!invite) return 0;
  auto via = invite->top_via();
  if (!via) return 0;
  const transport::Target target = rec->target;
  return send_request(face, target, via->branch(), "CANCEL", cancel_for(*invite), std::move(cb));
}

void TransactionLayer::Impl::erase_client(std::uint64_t handle) {
  const auto it = client_at(handle);
  if (it == clients.end()) return;
  unindex(**it);
  clients.erase(it);  // its TimerSet cancels every timer
  if (clients.empty()) std::vector<std::unique_ptr<ClientRecord>>().swap(clients);
}

void TransactionLayer::Impl::retire_client(std::uint64_t handle) {
  const ClientRecord* rec = client(handle);
  if (rec == nullptr) return;
  const base::TimePoint now = rec->face->timers_.now();
  drop_expired_completed(now);
  completed.push_back({rec->key_hash, now + cfg.t4});
  erase_client(handle);  // cancels its timers, K included: the entry's expiry stands in for it
}

bool TransactionLayer::Impl::absorbed_by_completed(std::string_view key, base::TimePoint now) {
  drop_expired_completed(now);
  const std::size_t h = std::hash<std::string_view>{}(key);
  return std::any_of(completed.begin() + static_cast<std::ptrdiff_t>(completed_head),
                     completed.end(), [h](const Completed& c) { return c.key_hash == h; });
}

void TransactionLayer::Impl::drop_expired_completed(base::TimePoint now) {
  // In expiry order (T4 is the layer's, and a changed T4 only keeps an entry a little longer).
  while (completed_head < completed.size() && completed[completed_head].expires <= now) {
    ++completed_head;
  }
  if (completed_head == completed.size()) {
    completed_head = 0;
    if (shared()) {
      completed.clear();  // a core keeps its room (reserve_completed()) for the next burst
    } else {
      std::vector<Completed>().swap(completed);
    }
  } else if (completed_head > completed.size() / 2) {
    // The expired go in batches: a core's thousands of keys are not moved at every expiry.
    completed.erase(completed.begin(),
                    completed.begin() + static_cast<std::ptrdiff_t>(completed_head));
    completed_head = 0;
  }
}

void TransactionLayer::Impl::apply_client(std::uint64_t handle, const Actions& a,
                                          const ClientEvent* event) {
  ClientRecord* found = client(handle);
  if (found == nullptr) return;
  ClientRecord& rec = *found;
  rec.timers.apply(a, handle, [this](std::uint64_t h, TimerName t) { on_client_timer(h, t); });
  Counters& counters = rec.face->counters_;
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
  if (cb && *cb && event) (*cb)(*event);  // may destroy the layer (or this): nothing after it
}

void TransactionLayer::Impl::on_client_timer(std::uint64_t handle, TimerName timer) {
  ClientRecord* rec = client(handle);
  if (rec == nullptr) return;
  const Actions a = rec->fsm.on_timer(timer);
  if (a.send) {
    ++rec->face->counters_.retransmissions;
    rec->retransmitted = true;
  }
  const ClientEvent timeout{TimeoutEvent{}};
  apply_client(handle, a, &timeout);
}

void TransactionLayer::Impl::on_response(TransactionLayer& face, const msg::Message& response) {
  Counters& counters = face.counters_;  // a matched transaction counts on its own layer
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
  if (found == nullptr && absorbed_by_completed(key, face.timers_.now())) {
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
  if (a.send_ack && a.report == Report::kAbsorbed) ++rec.face->counters_.ack_retransmissions;
  const ClientEvent event{ResponseEvent{response, rec.retransmitted}};
  apply_client(handle, a, &event);
}

void TransactionLayer::Impl::on_transport_error(const transport::TransportError& error,
                                                const TransactionLayer* only) {
  const auto same_target = [&error](const transport::Target& t) {
    return t.remote == error.target.remote && (error.target.tls_server_name.empty() ||
                                               t.tls_server_name == error.target.tls_server_name);
  };
  std::vector<std::uint64_t> failed;
  for (const auto& rec : clients) {
    if ((only == nullptr || rec->face == only) && rec->fsm.pending() && same_target(rec->target)) {
      failed.push_back(rec->handle);
    }
  }
  // `clients` is ordered by handle: `failed` is oldest first already.
  const std::weak_ptr<char> alive = failed.empty() ? std::weak_ptr<char>() : this->alive();
  const ClientEvent event{TransportErrorEvent{error}};
  for (std::uint64_t handle : failed) {
    if (alive.expired()) return;  // a callback destroyed the layer that owned these
    ClientRecord* rec = client(handle);
    if (rec == nullptr) continue;  // cancelled by an earlier callback
    const Actions a = rec->fsm.on_transport_error();
    apply_client(handle, a, &event);
  }
}

void TransactionLayer::Impl::forget(const TransactionLayer& face) {
  std::erase_if(clients, [this, &face](const std::unique_ptr<ClientRecord>& r) {
    if (r->face != &face) return false;
    unindex(*r);
    return true;
  });
  if (clients.empty()) std::vector<std::unique_ptr<ClientRecord>>().swap(clients);
  if (!server_tables) return;
  auto& records = server_tables->records;
  for (auto it = records.begin(); it != records.end();) {
    if (it->second->face != &face) {
      ++it;
      continue;
    }
    const auto idx = server_tables->index.find(it->second->key);
    if (idx != server_tables->index.end() && idx->second == it->first) {
      server_tables->index.erase(idx);
    }
    it = records.erase(it);
  }
}

// ---- public API ----

TransactionCore::TransactionCore(transport::Transport& transport, TimerConfig cfg)
    : impl_(std::make_unique<TransactionLayer::Impl>(transport, cfg)) {
  impl_->by_key = std::make_unique<std::unordered_multimap<std::size_t, ClientRecord*>>();
}

TransactionCore::~TransactionCore() = default;

void TransactionCore::on_transport_error(const transport::TransportError& error) {
  impl_->on_transport_error(error, nullptr);
}

void TransactionCore::reserve(std::size_t layers) {
  // Two keys a layer: a REGISTER challenged, then answered. Made once, the array never holds
  // an old and a new copy of itself while a fleet's burst fills it.
  impl_->completed.reserve(2 * layers);
}

TransactionLayer::TransactionLayer(base::TimerService& timers, transport::Transport& transport,
                                   TimerConfig cfg, base::Random* random)
    : impl_(nullptr),
      own_impl_(std::make_unique<Impl>(transport, cfg)),
      timers_(timers),
      own_random_(random != nullptr ? nullptr : std::make_unique<base::SecureRandom>()),
      random_(random != nullptr ? random : own_random_.get()) {
  impl_ = own_impl_.get();
}

TransactionLayer::TransactionLayer(TransactionCore& core, base::TimerService& timers,
                                   base::Random& random)
    : impl_(core.impl_.get()), timers_(timers), random_(&random) {}

TransactionLayer::~TransactionLayer() {
  if (!own_impl_) impl_->forget(*this);  // on a core: its transactions go with it
}

void TransactionLayer::set_timer_config(TimerConfig cfg) {
  impl_->cfg = cfg;
}
const TimerConfig& TransactionLayer::timer_config() const {
  return impl_->cfg;
}
const Counters& TransactionLayer::counters() const {
  return counters_;
}
std::size_t TransactionLayer::client_count() const {
  if (impl_->shared()) {  // the core's completed keys name no layer: its live transactions only
    return static_cast<std::size_t>(
        std::count_if(impl_->clients.begin(), impl_->clients.end(),
                      [this](const std::unique_ptr<ClientRecord>& r) { return r->face == this; }));
  }
  const base::TimePoint now = timers_.now();
  return impl_->clients.size() + static_cast<std::size_t>(std::count_if(
                                     impl_->completed.begin(), impl_->completed.end(),
                                     [now](const Impl::Completed& c) { return c.expires > now; }));
}
std::size_t TransactionLayer::server_count() const {
  if (!impl_->server_tables) return 0;
  const auto& records = impl_->server_tables->records;
  return static_cast<std::size_t>(std::count_if(
      records.begin(), records.end(), [this](const auto& r) { return r.second->face == this; }));
}

std::uint64_t TransactionLayer::send_request(const transport::Target& target,
                                             std::string_view branch, std::string_view method,
                                             std::string request, ClientCallback cb) {
  return impl_->send_request(*this, target, branch, method, std::move(request), std::move(cb));
}

std::uint64_t TransactionLayer::send_cancel(std::uint64_t invite_handle, ClientCallback cb) {
  const ClientRecord* rec = impl_->client(invite_handle);
  if (rec == nullptr || rec->face != this) return 0;
  return impl_->send_cancel(*this, invite_handle, std::move(cb));
}

void TransactionLayer::cancel(std::uint64_t handle) {
  const ClientRecord* rec = impl_->client(handle);
  if (rec != nullptr && rec->face == this) impl_->erase_client(handle);
}

void TransactionLayer::set_supported(base::SharedText option_tags) {
  supported_ = std::move(option_tags);
}

void TransactionLayer::set_server(base::SharedText product) {
  server_header_ = std::move(product);
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

RequestHandler TransactionLayer::handler_for(std::string_view method) const {
  if (handlers_.empty()) return nullptr;
  const std::uint64_t bit = method_bit(method, false);
  for (const HandlerEntry& e : handlers_) {
    if ((e.methods & bit) != 0) return e.handler;
  }
  return nullptr;
}

std::vector<std::string> TransactionLayer::handled_methods() const {
  std::uint64_t all = 0;
  for (const HandlerEntry& e : handlers_) all |= e.methods;
  const MethodNames& m = method_names();
  std::vector<std::string> out;
  for (std::size_t i = 0; i < m.count.load(std::memory_order_acquire); ++i) {
    if ((all >> i) & 1U) out.push_back(m.names[i]);
  }
  return out;
}

void TransactionLayer::set_handler(std::uint64_t mask, RequestHandler handler) {
  for (HandlerEntry& e : handlers_) e.methods &= ~mask;
  std::erase_if(handlers_, [](const HandlerEntry& e) { return e.methods == 0; });
  if (handler) handlers_.push_back({mask, std::move(handler)});
}

void TransactionLayer::set_request_handler(std::string_view method, RequestHandler handler) {
  set_request_handler({method}, std::move(handler));
}

void TransactionLayer::set_request_handler(std::initializer_list<std::string_view> methods,
                                           RequestHandler handler) {
  std::uint64_t mask = 0;
  for (std::string_view m : methods) mask |= method_bit(m, true);
  set_handler(mask, std::move(handler));
}

void TransactionLayer::on_message(msg::Message message, const transport::Address& source,
                                  const transport::Address& /*local*/) {
  if (message.is_response()) {
    impl_->on_response(*this, message);
  } else {
    impl_->on_request(*this, message, source);
  }
}

void TransactionLayer::on_transport_error(const transport::TransportError& error) {
  impl_->on_transport_error(error, this);
}

}  // namespace sipline::txn
