// sip_uri_equal: the cheap part of RFC 3261 §19.1.4 URI comparison.
#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "usage/sub/bodies/reginfo.hpp"
#include "usage/sub/bodies/xml.hpp"

namespace sipline::usage::sub::bodies {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct UriParts {
  std::string scheme, user, host, headers;
  std::vector<std::pair<std::string, std::string>> params;  // lower-cased, sorted by name
};

UriParts split(std::string_view u) {
  u = detail::trim(u);
  if (u.size() >= 2 && u.front() == '<' && u.back() == '>') u = u.substr(1, u.size() - 2);
  UriParts p;
  const auto colon = u.find(':');
  if (colon != std::string_view::npos) {
    p.scheme = lower(u.substr(0, colon));
    u = u.substr(colon + 1);
  }
  if (const auto q = u.find('?'); q != std::string_view::npos) {
    p.headers = lower(u.substr(q + 1));
    u = u.substr(0, q);
  }
  if (const auto at = u.rfind('@'); at != std::string_view::npos) {
    p.user = std::string(u.substr(0, at));
    u = u.substr(at + 1);
  }
  const auto semi = u.find(';');
  p.host = lower(u.substr(0, semi));
  std::string_view rest = semi == std::string_view::npos ? std::string_view{} : u.substr(semi + 1);
  while (!rest.empty()) {
    const auto next = rest.find(';');
    const std::string_view param = rest.substr(0, next);
    const auto eq = param.find('=');
    p.params.emplace_back(lower(param.substr(0, eq)),
                          eq == std::string_view::npos ? "" : lower(param.substr(eq + 1)));
    rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
  }
  std::sort(p.params.begin(), p.params.end());
  return p;
}

// Parameters that must match even when only one URI carries them (RFC 3261 §19.1.4).
bool must_match(const std::string& name) {
  return name == "user" || name == "ttl" || name == "method" || name == "maddr" ||
         name == "transport";
}

bool has_name(const UriParts& p, const std::string& name) {
  return std::any_of(p.params.begin(), p.params.end(),
                     [&](const auto& kv) { return kv.first == name; });
}

// Every parameter of `a` is in `b` with the same value, or absent from `b` and free to differ.
// Pairs are compared whole, so a name given twice (malformed, but seen) still compares equal
// to itself.
bool params_covered(const UriParts& a, const UriParts& b) {
  for (const auto& kv : a.params) {
    if (std::binary_search(b.params.begin(), b.params.end(), kv)) continue;
    if (has_name(b, kv.first) || must_match(kv.first)) return false;
  }
  return true;
}

bool params_compatible(const UriParts& a, const UriParts& b) {
  return params_covered(a, b) && params_covered(b, a);
}

}  // namespace

bool sip_uri_equal(std::string_view a, std::string_view b) {
  const UriParts pa = split(a);
  const UriParts pb = split(b);
  return pa.scheme == pb.scheme && pa.user == pb.user && pa.host == pb.host &&
         pa.headers == pb.headers && params_compatible(pa, pb);
}

}  // namespace sipline::usage::sub::bodies
