#include "transport/dns.hpp"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <mutex>

#include "transport/resolver.hpp"
#include "transport/srv.hpp"

namespace sipline::transport {

namespace {

using Clock = std::chrono::steady_clock;

// One question's answer as the cache keeps it. `ok` with no records: the name has none.
struct Answer {
  bool ok = false;
  std::string error;
  std::vector<SrvRecord> srv;
  std::vector<NaptrRecord> naptr;
  std::vector<std::string> addresses;
  bool service_refused = false;  // SRV records were there, all with target "."
  Clock::time_point expires{};
};
using AnswerCallback = std::function<void(const Answer&)>;

std::string family_key(Family f) {
  switch (f) {
    case Family::kV4:
      return "A ";
    case Family::kV6:
      return "AAAA ";
    case Family::kAny:
      break;
  }
  return "ADDR ";
}

// c-ares's words for a failed question, except where they mislead: a server that answers
// SERVFAIL or REFUSED is "not contacted" for c-ares, which then asks the next server and, when
// every one failed so, reports ECONNREFUSED.
std::string describe(int status) {
  if (status == ARES_ECONNREFUSED) {
    return "no usable answer from any DNS server (SERVFAIL, REFUSED or unreachable)";
  }
  return ares_strerror(status);
}

std::string join_servers(const std::vector<std::string>& servers) {
  std::string csv;
  for (const auto& s : servers) {
    if (!csv.empty()) csv += ',';
    csv += s;
  }
  return csv;
}

}  // namespace

struct DnsResolver::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, DnsOptions options) : io(io), timer(io), options(std::move(options)) {}

  struct Watch {
    std::unique_ptr<asio::posix::stream_descriptor> descriptor;
    std::uint64_t generation = 0;
    bool want_read = false;
    bool want_write = false;
    bool reading = false;
    bool writing = false;
  };
  // What a c-ares callback needs: who asked, and under which cache key.
  // Reads the records of one answer into `a` (SRV or NAPTR); c-ares' status of the parse.
  using Parse = int (*)(const unsigned char* abuf, int alen, Answer& a);
  struct Query {
    std::weak_ptr<Impl> impl;
    std::string key;
    std::string name;
    const char* type = "";  // "SRV", "NAPTR" (records_done's words)
    Parse parse = nullptr;  // records_done's reader
  };

  asio::io_context& io;
  asio::steady_timer timer;
  DnsOptions options;
  ares_channel channel = nullptr;
  DnsCounters counters;
  bool alive = true;
  std::map<ares_socket_t, Watch> watches;
  std::uint64_t next_generation = 1;
  std::map<std::string, Answer> cache;
  std::map<std::string, std::vector<AnswerCallback>> pending;

  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<Impl*>(data)->socket_state(fd, readable != 0, writable != 0);
  }

  void socket_state(ares_socket_t fd, bool readable, bool writable) {
    if (!alive) return;
    if (!readable && !writable) {  // c-ares is about to close it: Asio lets go first
      auto it = watches.find(fd);
      if (it == watches.end()) return;
      std::error_code ignored;
      it->second.descriptor->release();
      watches.erase(it);
      return;
    }
    Watch& w = watches[fd];
    if (!w.descriptor) {
      w.descriptor = std::make_unique<asio::posix::stream_descriptor>(io, fd);
      w.generation = next_generation++;
    }
    w.want_read = readable;
    w.want_write = writable;
    arm(fd);
  }

  void arm(ares_socket_t fd) {
    auto it = watches.find(fd);
    if (it == watches.end()) return;
    Watch& w = it->second;
    std::weak_ptr<Impl> weak = weak_from_this();
    if (w.want_read && !w.reading) {
      w.reading = true;
      w.descriptor->async_wait(asio::posix::stream_descriptor::wait_read,
                               [weak, fd, gen = w.generation](const std::error_code& ec) {
                                 if (auto self = weak.lock()) self->ready(fd, gen, true, ec);
                               });
    }
    if (w.want_write && !w.writing) {
      w.writing = true;
      w.descriptor->async_wait(asio::posix::stream_descriptor::wait_write,
                               [weak, fd, gen = w.generation](const std::error_code& ec) {
                                 if (auto self = weak.lock()) self->ready(fd, gen, false, ec);
                               });
    }
  }

  void ready(ares_socket_t fd, std::uint64_t generation, bool read, const std::error_code& ec) {
    if (!alive) return;
    auto it = watches.find(fd);
    if (it == watches.end() || it->second.generation != generation) return;
    (read ? it->second.reading : it->second.writing) = false;
    if (ec) return;
    ares_process_fd(channel, read ? fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : fd);
    arm(fd);
    schedule_timeout();
  }

  void schedule_timeout() {
    if (!alive) return;
    timeval tv{};
    if (ares_timeout(channel, nullptr, &tv) == nullptr) {
      timer.cancel();
      return;
    }
    timer.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
    timer.async_wait([weak = weak_from_this()](const std::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || !self->alive) return;
      ares_process_fd(self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      self->schedule_timeout();
    });
  }

  // Cached, joined to a question in flight, or asked. `cb` always runs later, on the loop.
  bool join(const std::string& key, AnswerCallback& cb) {
    auto hit = cache.find(key);
    if (hit != cache.end() && hit->second.expires > Clock::now()) {
      ++counters.cache_hits;
      asio::post(io, [weak = weak_from_this(), cb = std::move(cb), answer = hit->second] {
        auto self = weak.lock();
        if (self && self->alive) cb(answer);
      });
      return true;
    }
    if (hit != cache.end()) cache.erase(hit);
    auto waiting = pending.find(key);
    if (waiting != pending.end()) {
      ++counters.cache_hits;
      waiting->second.push_back(std::move(cb));
      return true;
    }
    pending[key].push_back(std::move(cb));
    ++counters.queries;
    return false;
  }

  void complete(const std::string& key, Answer answer, std::uint32_t ttl_s) {
    if (answer.ok) {
      answer.expires = Clock::now() + std::chrono::seconds(std::min(ttl_s, options.max_ttl_s));
      if (ttl_s > 0) cache[key] = answer;
    } else {
      ++counters.failures;
    }
    auto waiting = pending.find(key);
    if (waiting == pending.end()) return;
    auto callbacks = std::move(waiting->second);
    pending.erase(waiting);
    // Posted: c-ares may answer from inside ares_query (a bad name), and the callbacks may ask
    // again at once.
    asio::post(io, [weak = weak_from_this(), callbacks = std::move(callbacks),
                    answer = std::move(answer)] {
      for (const auto& cb : callbacks) {
        auto self = weak.lock();
        if (!self || !self->alive) return;
        cb(answer);
      }
    });
  }

  void lookup_srv(const std::string& name, AnswerCallback cb) {
    lookup_records("SRV", ns_t_srv, &parse_srv, name, std::move(cb));
  }
  void lookup_naptr(const std::string& name, AnswerCallback cb) {
    lookup_records("NAPTR", ns_t_naptr, &parse_naptr, name, std::move(cb));
  }

  // One question of `type` for `name`, shared by every caller asking meanwhile (join).
  void lookup_records(const char* type, int ns_type, Parse parse, const std::string& name,
                      AnswerCallback cb) {
    const std::string key = std::string(type) + " " + name;
    if (join(key, cb)) return;
    ares_query(channel, name.c_str(), ns_c_in, ns_type, &Impl::records_done,
               new Query{weak_from_this(), key, name, type, parse});
    schedule_timeout();
  }

  static void records_done(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    std::unique_ptr<Query> q(static_cast<Query*>(arg));
    auto self = q->impl.lock();
    if (!self || !self->alive || status == ARES_EDESTRUCTION) return;
    Answer a;
    std::uint32_t ttl = self->options.negative_ttl_s;
    const std::string what = std::string(q->type) + " " + q->name;
    if (status == ARES_SUCCESS) {
      const int rc = q->parse(abuf, alen, a);
      if (rc == ARES_SUCCESS) {
        a.ok = true;
        ttl = answer_min_ttl(abuf, static_cast<std::size_t>(alen)).value_or(0);
      } else if (rc == ARES_ENODATA) {
        a.ok = true;
      } else {
        a.error = what + ": malformed answer (" + ares_strerror(rc) + ")";
      }
    } else if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
      a.ok = true;  // no such records: SRV falls back to A/AAAA, NAPTR to SRV (RFC 3263)
    } else {
      a.error = what + ": " + describe(status);
    }
    self->complete(q->key, std::move(a), ttl);
  }

  static int parse_srv(const unsigned char* abuf, int alen, Answer& a) {
    ares_srv_reply* reply = nullptr;
    const int rc = ares_parse_srv_reply(abuf, alen, &reply);
    if (rc != ARES_SUCCESS) return rc;
    bool any = false;
    for (auto* r = reply; r != nullptr; r = r->next) {
      any = true;
      SrvRecord rec{r->priority, r->weight, r->port, r->host ? r->host : ""};
      if (rec.target.empty() || rec.target == ".") continue;
      a.srv.push_back(std::move(rec));
    }
    a.service_refused = any && a.srv.empty();
    ares_free_data(reply);
    return rc;
  }

  static int parse_naptr(const unsigned char* abuf, int alen, Answer& a) {
    ares_naptr_reply* reply = nullptr;
    const int rc = ares_parse_naptr_reply(abuf, alen, &reply);
    if (rc != ARES_SUCCESS) return rc;
    auto text = [](const unsigned char* s) {
      return s ? std::string(reinterpret_cast<const char*>(s)) : std::string();
    };
    for (auto* r = reply; r != nullptr; r = r->next) {
      a.naptr.push_back(NaptrRecord{r->order, r->preference, text(r->flags), text(r->service),
                                    r->replacement ? r->replacement : ""});
    }
    ares_free_data(reply);
    return rc;
  }

  // Tries `offers` in order: the first whose SRV name has records is the choice; none: the
  // URI's default (UDP, TLS for sips) with no SRV name. A failed SRV question fails the choice.
  void first_offered(std::shared_ptr<std::vector<TransportOffer>> offers, std::size_t i,
                     bool sips_only, DnsResolver::TransportCallback cb) {
    if (i >= offers->size()) {
      return cb(TransportOffer{sips_only ? Protocol::kTls : Protocol::kUdp, {}});
    }
    const TransportOffer offer = (*offers)[i];
    lookup_srv(offer.srv_name, [weak = weak_from_this(), offers, i, sips_only, offer,
                                cb = std::move(cb)](const Answer& a) mutable {
      auto self = weak.lock();
      if (!self) return;
      if (!a.ok) return cb(base::fail(a.error));
      if (!a.srv.empty()) return cb(offer);
      self->first_offered(std::move(offers), i + 1, sips_only, std::move(cb));
    });
  }

  void lookup_addresses(const std::string& name, Family family, AnswerCallback cb) {
    const std::string key = family_key(family) + name;
    if (join(key, cb)) return;
    ares_addrinfo_hints hints{};
    hints.ai_family = family == Family::kV4   ? AF_INET
                      : family == Family::kV6 ? AF_INET6
                                              : AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    ares_getaddrinfo(channel, name.c_str(), nullptr, &hints, &Impl::addresses_done,
                     new Query{weak_from_this(), key, name});
    schedule_timeout();
  }

  static void addresses_done(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
    std::unique_ptr<Query> q(static_cast<Query*>(arg));
    std::unique_ptr<ares_addrinfo, void (*)(ares_addrinfo*)> owned(result, &ares_freeaddrinfo);
    auto self = q->impl.lock();
    if (!self || !self->alive || status == ARES_EDESTRUCTION) return;
    Answer a;
    std::uint32_t ttl = self->options.negative_ttl_s;
    if (status == ARES_SUCCESS && result != nullptr) {
      a.ok = true;
      std::optional<std::uint32_t> least;
      for (auto* n = result->nodes; n != nullptr; n = n->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        const void* raw = n->ai_family == AF_INET6
                              ? static_cast<const void*>(
                                    &reinterpret_cast<const sockaddr_in6*>(n->ai_addr)->sin6_addr)
                              : static_cast<const void*>(
                                    &reinterpret_cast<const sockaddr_in*>(n->ai_addr)->sin_addr);
        if (inet_ntop(n->ai_family, raw, text, sizeof text) == nullptr) continue;
        if (std::find(a.addresses.begin(), a.addresses.end(), text) == a.addresses.end()) {
          a.addresses.emplace_back(text);
        }
        const auto node_ttl = static_cast<std::uint32_t>(std::max(n->ai_ttl, 0));
        least = least ? std::min(*least, node_ttl) : node_ttl;
      }
      ttl = least.value_or(0);
    } else if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
      a.ok = true;
    } else {
      a.error = "A/AAAA " + q->name + ": " + describe(status);
    }
    self->complete(q->key, std::move(a), ttl);
  }
};

namespace {

using TargetsResult = base::Result<std::vector<Target>, std::string>;

std::vector<Target> targets_of(const std::vector<std::string>& addresses, Protocol protocol,
                               std::uint16_t port, const std::string& tls_name) {
  std::vector<Target> out;
  out.reserve(addresses.size());
  for (const auto& a : addresses) out.push_back(Target{Address{protocol, a, port}, tls_name});
  return out;
}

}  // namespace

base::Result<std::unique_ptr<DnsResolver>, std::string> DnsResolver::create(
    asio::io_context& io, const DnsOptions& options) {
  static std::once_flag init_once;
  std::call_once(init_once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
  auto impl = std::make_shared<Impl>(io, options);
  ares_options opts{};
  opts.sock_state_cb = &Impl::on_socket_state;
  opts.sock_state_cb_data = impl.get();
  opts.timeout = options.timeout_ms;
  opts.tries = options.tries;
  const int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  if (const int rc = ares_init_options(&impl->channel, &opts, mask); rc != ARES_SUCCESS) {
    return base::fail(std::string("DNS resolver: ") + ares_strerror(rc));
  }
  if (!options.servers.empty()) {
    const std::string csv = join_servers(options.servers);
    if (const int rc = ares_set_servers_ports_csv(impl->channel, csv.c_str()); rc != ARES_SUCCESS) {
      ares_destroy(impl->channel);
      impl->channel = nullptr;
      return base::fail("bad dns_servers '" + csv + "': " + ares_strerror(rc));
    }
  }
  return std::unique_ptr<DnsResolver>(new DnsResolver(std::move(impl)));
}

DnsResolver::DnsResolver(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

DnsResolver::~DnsResolver() {
  impl_->alive = false;
  impl_->timer.cancel();
  // Asio lets go of c-ares's sockets before c-ares closes them.
  for (auto& [fd, w] : impl_->watches) w.descriptor->release();
  impl_->watches.clear();
  if (impl_->channel != nullptr) ares_destroy(impl_->channel);  // callbacks see EDESTRUCTION
  impl_->channel = nullptr;
}

const DnsCounters& DnsResolver::counters() const {
  return impl_->counters;
}

bool uses_srv(std::string_view host_port) {
  auto parsed = parse_host_port(host_port);
  return parsed && !parsed->is_ip_literal && !parsed->port;
}

void DnsResolver::select_transport(std::string_view host_port, bool sips_only,
                                   TransportCallback callback) {
  auto parsed = parse_host_port(host_port);
  auto later = [this](TransportCallback cb, base::Result<TransportOffer, std::string> r) {
    asio::post(impl_->io,
               [weak = std::weak_ptr<Impl>(impl_), cb = std::move(cb), r = std::move(r)] {
                 auto self = weak.lock();
                 if (self && self->alive) cb(r);
               });
  };
  if (!parsed) {
    return later(std::move(callback),
                 base::fail("bad address '" + std::string(host_port) + "': " + parsed.error()));
  }
  // RFC 3263 §4.1: an IP literal or an explicit port: UDP for sip:, TLS for sips:.
  if (parsed->is_ip_literal || parsed->port) {
    return later(std::move(callback),
                 TransportOffer{sips_only ? Protocol::kTls : Protocol::kUdp, {}});
  }
  const std::string host = parsed->host;
  impl_->lookup_naptr(host, [weak = std::weak_ptr<Impl>(impl_), host, sips_only,
                             cb = std::move(callback)](const Answer& a) mutable {
    auto self = weak.lock();
    if (!self) return;
    if (!a.ok) return cb(base::fail(a.error));
    auto offers = std::make_shared<std::vector<TransportOffer>>(order_naptr(a.naptr, sips_only));
    if (offers->empty()) *offers = srv_fallbacks(host, sips_only);
    self->first_offered(std::move(offers), 0, sips_only, std::move(cb));
  });
}

void DnsResolver::resolve_targets(std::string_view host_port, Protocol protocol, Family family,
                                  base::Random& random, TargetsCallback callback,
                                  const std::string& srv_name_override) {
  auto deliver_later = [this](TargetsCallback cb, TargetsResult r) {
    asio::post(impl_->io,
               [weak = std::weak_ptr<Impl>(impl_), cb = std::move(cb), r = std::move(r)] {
                 auto self = weak.lock();
                 if (self && self->alive) cb(r);
               });
  };
  auto parsed = parse_host_port(host_port);
  if (!parsed) {
    return deliver_later(std::move(callback), base::fail("bad address '" + std::string(host_port) +
                                                         "': " + parsed.error()));
  }
  const std::string host = parsed->host;
  if (parsed->is_ip_literal) {
    return deliver_later(
        std::move(callback),
        std::vector<Target>{
            Target{Address{protocol, host, parsed->port.value_or(default_port(protocol))}, {}}});
  }
  auto by_address = [protocol, host](TargetsCallback cb, std::uint16_t port) {
    return [cb = std::move(cb), protocol, host, port](const Answer& a) {
      if (!a.ok) return cb(base::fail(a.error));
      if (a.addresses.empty()) return cb(base::fail("no address for " + host));
      cb(targets_of(a.addresses, protocol, port, host));
    };
  };
  if (parsed->port) {
    return impl_->lookup_addresses(host, family, by_address(std::move(callback), *parsed->port));
  }
  // The draw is made now: the caller's Random may be gone when the answer comes.
  const std::uint64_t seed = random.next_u64();
  const std::string srv_name =
      srv_name_override.empty() ? std::string(srv_prefix(protocol)) + host : srv_name_override;
  std::weak_ptr<Impl> weak = impl_;
  impl_->lookup_srv(srv_name, [weak, protocol, family, host, srv_name, seed, by_address,
                               cb = std::move(callback)](const Answer& a) mutable {
    auto self = weak.lock();
    if (!self) return;
    // The SRV question failed (SERVFAIL, REFUSED, a truncated answer TCP could not complete,
    // an unparsable answer, no answer at all): not "no SRV records" (RFC 3263 §4.2), so no
    // guess at the name's own address, which may be some other host's; the attempt fails (dns).
    if (!a.ok) return cb(base::fail(a.error));
    if (a.service_refused) {
      return cb(base::fail("SRV " + srv_name + ": target \".\", no SIP service there"));
    }
    if (a.srv.empty()) {  // RFC 3263 §4.2: no SRV records, the name's own A/AAAA
      return self->lookup_addresses(host, family,
                                    by_address(std::move(cb), default_port(protocol)));
    }
    base::SeededRandom random(seed);
    auto ordered = order_srv(a.srv, random);
    struct Gather {
      std::vector<std::vector<Target>> slots;
      std::vector<std::string> errors;
      std::size_t left = 0;
      TargetsCallback cb;
    };
    auto gather = std::make_shared<Gather>();
    gather->slots.resize(ordered.size());
    gather->left = ordered.size();
    gather->cb = std::move(cb);
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      const SrvRecord rec = ordered[i];
      self->lookup_addresses(rec.target, family, [gather, i, rec, protocol, host](const Answer& b) {
        if (!b.ok) gather->errors.push_back(b.error);
        gather->slots[i] = targets_of(b.addresses, protocol, rec.port, host);
        if (--gather->left > 0) return;
        std::vector<Target> all;
        for (auto& s : gather->slots) all.insert(all.end(), s.begin(), s.end());
        if (all.empty()) {
          return gather->cb(
              base::fail("no address for any SRV target of " + host +
                         (gather->errors.empty() ? std::string() : ": " + gather->errors.front())));
        }
        gather->cb(std::move(all));
      });
    }
  });
}

}  // namespace sipline::transport
