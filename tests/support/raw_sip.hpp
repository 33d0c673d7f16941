// Minimal, independent SIP text helpers for tests: build a REGISTER/OPTIONS as a string, pick
// a header or an auth parameter out of a response, answer a digest challenge (MD5/SHA-256,
// qop=auth or none). Deliberately naive and separate from sipline's msg/auth layers so tests can
// check those layers against the real peers without trusting them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipline::test {

struct RawRequest {
  std::string method = "REGISTER";
  std::string request_uri;        // e.g. "sip:127.0.0.1:5060"
  std::string transport = "UDP";  // for the Via
  std::uint16_t local_port = 0;   // for the Via and the default Contact
  std::string user = "1000";      // From/To user (host 127.0.0.1)
  // Contact value for REGISTER, INVITE, SUBSCRIBE; "" builds <sip:user@127.0.0.1:local_port;
  // transport=...>. Other methods carry none.
  std::string contact;
  int expires = -1;  // Expires header; -1 leaves it out
  std::string call_id = "raw-call";
  std::uint32_t cseq = 1;
  std::string branch = "z9hG4bK-raw";
  std::string from_tag = "rawtag";
  std::string authorization;  // full Authorization value; "" leaves it out
};
std::string make_request(const RawRequest& r);
// A make_request() result plus extra header lines (each ending in CRLF) and a body.
std::string with_extras(std::string msg, const std::string& headers, const std::string& body = "");

// 0 when `msg` is not a response.
int status_code(std::string_view msg);
// Value of the first header `name` (case-insensitive, long name only), trimmed; nullopt if absent.
std::optional<std::string> header_value(std::string_view msg, std::string_view name);
// An auth-param of a challenge/credentials value, quotes removed; "" when absent.
std::string auth_param(std::string_view auth_value, std::string_view name);

// The Authorization value answering `challenge` (a WWW-Authenticate value), with qop=auth when
// offered, the challenge's algorithm (MD5 when absent), nc as given.
std::string digest_authorization(std::string_view challenge, std::string_view user,
                                 std::string_view password, std::string_view method,
                                 std::string_view uri, std::uint32_t nc = 1,
                                 std::string_view cnonce = "0a4f113b");

}  // namespace sipline::test
