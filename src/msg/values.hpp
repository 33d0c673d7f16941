// Typed header values. All string_views point into the owning Message (or into the string the
// value was parsed from); they are not unescaped or unquoted unless the field says so.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "msg/errors.hpp"
#include "msg/params.hpp"

namespace sipline::msg {

// Case-insensitive lookup; nullptr when absent. Takes Params and UriHeaders alike. (Inline:
// it runs for every branch/tag lookup.)
inline const Param* find_param(std::span<const Param> params, std::string_view name) {
  for (const Param& p : params) {
    if (p.name.size() != name.size()) continue;
    std::size_t k = 0;
    for (; k < name.size(); ++k) {
      const char a = p.name[k];
      const char b = name[k];
      if (a == b) continue;
      const char la = static_cast<char>(a | 0x20);  // equal up to case, and a letter
      if (la != static_cast<char>(b | 0x20) || la < 'a' || la > 'z') break;
    }
    if (k == name.size()) return &p;
  }
  return nullptr;
}

enum class Scheme : std::uint8_t { kSip, kSips, kTel, kOther };

struct Uri {
  Scheme scheme = Scheme::kSip;
  std::string_view scheme_text;  // as written
  std::string_view user;         // may be empty
  std::string_view password;
  std::string_view host;   // IPv6 references keep their brackets: "[::1]"
  std::uint16_t port = 0;  // 0 when absent
  Params params;           // ;transport=tcp;lr ...
  UriHeaders headers;      // ?subject=... (names/values still %-escaped)
  std::string_view text;   // the whole URI as written (for kTel/kOther: the only field)

  bool is_ipv6() const { return !host.empty() && host.front() == '['; }
  std::string_view param(std::string_view name) const;  // "" when absent
};
base::Result<Uri, ParseError> parse_uri(std::string_view text);

// name-addr or addr-spec, with the header parameters after it (tag, expires, q ...).
struct NameAddr {
  std::string_view display_name;  // unquoted view ("Bob" for "\"Bob\""), may be empty
  Uri uri;
  Params params;
  std::string_view tag() const {  // "" when absent
    const Param* p = find_param(params, "tag");
    return p != nullptr ? p->value : std::string_view{};
  }
};
base::Result<NameAddr, ParseError> parse_name_addr(std::string_view text);

struct Via {
  std::string_view protocol;   // "SIP/2.0"
  std::string_view transport;  // "UDP", "TCP", "TLS", "SCTP", "WS" ...
  std::string_view host;
  std::uint16_t port = 0;
  Params params;
  std::string_view branch() const {
    const Param* p = find_param(params, "branch");
    return p != nullptr ? p->value : std::string_view{};
  }
  std::string_view received() const;
  std::string_view maddr() const;
  bool has_rport() const;
  std::optional<std::uint16_t> rport() const;  // nullopt when absent or without value
};
base::Result<Via, ParseError> parse_via(std::string_view text);

struct Contact {
  bool star = false;  // "Contact: *"
  NameAddr addr;      // unset when star
  std::optional<std::uint32_t> expires() const;
  std::string_view instance() const;  // +sip.instance value, unquoted ("<urn:uuid:...>")
};
base::Result<Contact, ParseError> parse_contact(std::string_view text);

struct CSeq {
  std::uint32_t seq = 0;
  std::string_view method;
};
base::Result<CSeq, ParseError> parse_cseq(std::string_view text);

struct RetryAfter {
  std::uint32_t seconds = 0;
  std::string_view comment;
  Params params;  // duration=...
};
base::Result<RetryAfter, ParseError> parse_retry_after(std::string_view text);

// Digest/Basic challenge or credentials: scheme and comma-separated auth-params.
struct AuthValue {
  std::string_view scheme;  // "Digest"
  Params params;            // realm, nonce, opaque, algorithm, qop, stale, username, response ...
  std::string_view param(std::string_view name) const;  // unquoted, "" when absent
  // A list-valued parameter split at commas and whitespace: qop="auth,auth-int" gives
  // {"auth", "auth-int"}; domain="sip:a sip:b" gives {"sip:a", "sip:b"}.
  std::vector<std::string_view> list(std::string_view name) const;
  bool stale() const;  // stale=true (case-insensitive)
};
// Parses the first challenge/credentials of `text` (a header value may hold several, see
// Message::auth). Basic-style token68 credentials give one Param with an empty name.
base::Result<AuthValue, ParseError> parse_auth(std::string_view text);

struct EventValue {
  std::string_view package;  // "message-summary", "presence", "dialog" ...
  Params params;             // id=...
};
base::Result<EventValue, ParseError> parse_event(std::string_view text);

struct SubscriptionState {
  std::string_view state;  // "active", "pending", "terminated"
  Params params;           // expires, reason, retry-after
  std::optional<std::uint32_t> expires() const;
};
base::Result<SubscriptionState, ParseError> parse_subscription_state(std::string_view text);

// Parses an unsigned decimal that fits 32 bits; nullopt otherwise.
std::optional<std::uint32_t> parse_uint(std::string_view text);
// Quoted-string helpers: quote("a\"b") == "\"a\\\"b\"", unquote reverses it.
std::string quote(std::string_view s);
std::string unquote(std::string_view s);

}  // namespace sipline::msg
