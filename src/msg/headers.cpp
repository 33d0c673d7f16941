#include "msg/headers.hpp"

#include <array>
#include <cstddef>

#include "msg/scan.hpp"

namespace sipline::msg {
namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(HeaderId::kCount)> kNames = {
    "",
    "Accept",
    "Accept-Encoding",
    "Allow",
    "Allow-Events",
    "Authorization",
    "Call-ID",
    "Contact",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Length",
    "Content-Type",
    "CSeq",
    "Date",
    "Event",
    "Expires",
    "From",
    "Max-Forwards",
    "Min-Expires",
    "P-Asserted-Identity",
    "P-Preferred-Identity",
    "Path",
    "Privacy",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Proxy-Require",
    "Record-Route",
    "Refer-To",
    "Require",
    "Retry-After",
    "Route",
    "Server",
    "Subject",
    "Subscription-State",
    "Supported",
    "To",
    "Unsupported",
    "User-Agent",
    "Via",
    "Warning",
    "WWW-Authenticate",
};

constexpr std::size_t kMaxNameLen = 20;

// Ids bucketed by name length, each bucket ending in kOther; built at compile time.
struct LengthIndex {
  std::array<std::array<HeaderId, 10>, kMaxNameLen + 1> ids{};
};

constexpr LengthIndex make_length_index() {
  LengthIndex idx{};
  std::array<std::size_t, kMaxNameLen + 1> fill{};
  for (std::size_t i = 1; i < kNames.size(); ++i) {
    const std::size_t len = kNames[i].size();
    idx.ids[len][fill[len]++] = static_cast<HeaderId>(i);
  }
  return idx;
}

constexpr LengthIndex kByLength = make_length_index();

constexpr std::array<HeaderId, 26> make_compact() {
  std::array<HeaderId, 26> t{};
  t['c' - 'a'] = HeaderId::kContentType;
  t['e' - 'a'] = HeaderId::kContentEncoding;
  t['f' - 'a'] = HeaderId::kFrom;
  t['i' - 'a'] = HeaderId::kCallId;
  t['k' - 'a'] = HeaderId::kSupported;
  t['l' - 'a'] = HeaderId::kContentLength;
  t['m' - 'a'] = HeaderId::kContact;
  t['o' - 'a'] = HeaderId::kEvent;
  t['r' - 'a'] = HeaderId::kReferTo;
  t['s' - 'a'] = HeaderId::kSubject;
  t['t' - 'a'] = HeaderId::kTo;
  t['u' - 'a'] = HeaderId::kAllowEvents;
  t['v' - 'a'] = HeaderId::kVia;
  return t;
}

constexpr std::array<HeaderId, 26> kCompact = make_compact();

}  // namespace

HeaderId header_id(std::string_view name) {
  const std::size_t len = name.size();
  if (len == 1) {
    const char c = detail::lower(name[0]);
    return (c >= 'a' && c <= 'z') ? kCompact[c - 'a'] : HeaderId::kOther;
  }
  if (len == 0 || len > kMaxNameLen) return HeaderId::kOther;
  const char first = detail::lower(name[0]);
  for (HeaderId id : kByLength.ids[len]) {
    if (id == HeaderId::kOther) break;
    const std::string_view cand = kNames[static_cast<std::size_t>(id)];
    if (detail::lower(cand[0]) != first) continue;
    if (detail::iequals(cand, name)) return id;
  }
  return HeaderId::kOther;
}

std::string_view header_name(HeaderId id) {
  const auto i = static_cast<std::size_t>(id);
  return i < kNames.size() ? kNames[i] : std::string_view{};
}

}  // namespace sipline::msg
