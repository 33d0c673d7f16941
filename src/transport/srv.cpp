#include "transport/srv.hpp"

#include <algorithm>
#include <cctype>

namespace sipline::transport {

std::string_view srv_prefix(Protocol p) {
  switch (p) {
    case Protocol::kUdp:
      return "_sip._udp.";
    case Protocol::kTcp:
      return "_sip._tcp.";
    case Protocol::kTls:
      return "_sips._tcp.";
  }
  return "_sip._udp.";
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<Protocol> naptr_protocol(std::string_view service, bool sips_only) {
  if (iequals(service, "SIPS+D2T")) return Protocol::kTls;
  if (sips_only) return std::nullopt;
  if (iequals(service, "SIP+D2U")) return Protocol::kUdp;
  if (iequals(service, "SIP+D2T")) return Protocol::kTcp;
  return std::nullopt;  // SCTP, WebSocket, ... : not ours
}

}  // namespace

std::vector<TransportOffer> order_naptr(const std::vector<NaptrRecord>& records, bool sips_only) {
  std::vector<const NaptrRecord*> usable;
  for (const auto& r : records) {
    if (!iequals(r.flags, "s") || r.replacement.empty() || r.replacement == ".") continue;
    if (!naptr_protocol(r.service, sips_only)) continue;
    usable.push_back(&r);
  }
  std::stable_sort(usable.begin(), usable.end(), [](const NaptrRecord* a, const NaptrRecord* b) {
    if (a->order != b->order) return a->order < b->order;
    return a->preference < b->preference;
  });
  std::vector<TransportOffer> out;
  for (const auto* r : usable) {
    std::string name = r->replacement;
    if (name.size() > 1 && name.back() == '.') name.pop_back();  // the root's dot
    out.push_back(TransportOffer{*naptr_protocol(r->service, sips_only), std::move(name)});
  }
  return out;
}

std::vector<TransportOffer> srv_fallbacks(std::string_view host, bool sips_only) {
  std::vector<TransportOffer> out;
  for (Protocol p : {Protocol::kUdp, Protocol::kTcp, Protocol::kTls}) {
    if (sips_only && p != Protocol::kTls) continue;
    out.push_back(TransportOffer{p, std::string(srv_prefix(p)) + std::string(host)});
  }
  return out;
}

std::vector<SrvRecord> order_srv(std::vector<SrvRecord> records, base::Random& random) {
  std::erase_if(records, [](const SrvRecord& r) { return r.target.empty() || r.target == "."; });
  // Stable: records of one priority keep the server's order, weight-0 ones moved first.
  std::stable_sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    return a.weight == 0 && b.weight != 0;
  });
  std::vector<SrvRecord> out;
  out.reserve(records.size());
  auto group = records.begin();
  while (group != records.end()) {
    auto group_end = std::find_if(
        group, records.end(), [&](const SrvRecord& r) { return r.priority != group->priority; });
    std::vector<SrvRecord> left(group, group_end);
    while (!left.empty()) {
      std::uint64_t total = 0;
      for (const auto& r : left) total += r.weight;
      // A number in [0, total]; the first record whose running sum reaches it is taken.
      const std::uint64_t pick = random.below(total + 1);
      std::uint64_t sum = 0;
      std::size_t chosen = left.size() - 1;
      for (std::size_t i = 0; i < left.size(); ++i) {
        sum += left[i].weight;
        if (sum >= pick) {
          chosen = i;
          break;
        }
      }
      out.push_back(std::move(left[chosen]));
      left.erase(left.begin() + static_cast<std::ptrdiff_t>(chosen));
    }
    group = group_end;
  }
  return out;
}

namespace {

// Skips a (possibly compressed) name at `at`; false when it runs off the message.
bool skip_name(const unsigned char* m, std::size_t size, std::size_t& at) {
  for (int labels = 0; labels < 128; ++labels) {
    if (at >= size) return false;
    const unsigned len = m[at];
    if ((len & 0xC0U) == 0xC0U) {  // a pointer ends the name
      at += 2;
      return at <= size;
    }
    if ((len & 0xC0U) != 0) return false;
    at += 1 + len;
    if (len == 0) return at <= size;
  }
  return false;
}

unsigned read16(const unsigned char* p) {
  return (static_cast<unsigned>(p[0]) << 8U) | p[1];
}

}  // namespace

std::optional<std::uint32_t> answer_min_ttl(const unsigned char* message, std::size_t size) {
  if (message == nullptr || size < 12) return std::nullopt;
  const unsigned questions = read16(message + 4);
  const unsigned answers = read16(message + 6);
  std::size_t at = 12;
  for (unsigned i = 0; i < questions; ++i) {
    if (!skip_name(message, size, at) || at + 4 > size) return std::nullopt;
    at += 4;
  }
  std::optional<std::uint32_t> least;
  for (unsigned i = 0; i < answers; ++i) {
    if (!skip_name(message, size, at) || at + 10 > size) return std::nullopt;
    const std::uint32_t ttl =
        (static_cast<std::uint32_t>(read16(message + at + 4)) << 16U) | read16(message + at + 6);
    const std::size_t rdlength = read16(message + at + 8);
    at += 10 + rdlength;
    if (at > size) return std::nullopt;
    least = least ? std::min(*least, ttl) : ttl;
  }
  return least;
}

}  // namespace sipline::transport
