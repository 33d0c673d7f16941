// A parsed SIP message. It owns its bytes; every field is a view into them.
// Typed header values (see values.hpp) are parsed when first asked for, not at parse time.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "msg/errors.hpp"
#include "msg/headers.hpp"
#include "msg/values.hpp"

namespace sipline::msg {

// One header field line (after unfolding, a header may span several raw lines).
struct HeaderField {
  HeaderId id = HeaderId::kOther;
  std::string_view name;     // as written on the wire ("v", "VIA", "Via" ...)
  std::string_view value;    // trimmed; folded lines keep their raw CRLF+WSP inside the view
  std::uint32_t offset = 0;  // byte offset of the header line in the message
};

// Limits that bound parsing work; the defaults are what sipline's transports use.
struct Limits {
  std::size_t max_header_bytes = 16 * 1024;  // start line + all headers + blank line
  std::size_t max_headers = 128;
  std::size_t max_line_bytes = 4096;
  std::size_t max_content_length = 64 * 1024;
};

class Message {
 public:
  Message() = default;
  // Copies and moves re-point every view at the new owner's bytes.
  Message(const Message& other);
  Message(Message&& other) noexcept;
  Message& operator=(const Message& other);
  Message& operator=(Message&& other) noexcept;
  ~Message() = default;

  // Parses one complete message (a datagram, or a frame cut by the StreamFramer).
  // For a datagram, a missing Content-Length means "the rest of the datagram is the body", and
  // bytes after Content-Length's body are discarded (RFC 3261 18.3). CRLFs before the start
  // line are skipped. parse() checks the start line (method token, SIP/2.0, 3-digit status,
  // the Request-URI's shape: scheme, no LWS, no <>, no ?headers), the header lines (token name,
  // colon, folding), Content-Length (one value, digits) and the limits. Header values are only
  // located here; their grammar is checked by the typed accessors and check().
  // One pass over the bytes (SSE2 line scanning, perfect-hash header names), one allocation.
  static base::Result<Message, ParseError> parse(std::string bytes, const Limits& limits = {});

  bool is_request() const { return status_code_ == 0; }
  bool is_response() const { return status_code_ != 0; }
  // Requests.
  std::string_view method() const { return method_; }
  std::string_view request_uri() const { return request_uri_; }
  // Responses.
  int status_code() const { return status_code_; }
  std::string_view reason() const { return reason_; }
  std::string_view version() const { return version_; }
  std::string_view start_line() const { return start_line_; }

  const std::vector<HeaderField>& headers() const { return headers_; }
  // First header with that id, or nullptr.
  const HeaderField* find(HeaderId id) const;
  // First header with that name (case-insensitive; compact forms match their long form).
  const HeaderField* find(std::string_view name) const;
  // Every value of a header that may be comma-joined (Via, Contact, Route ...), across all its
  // header lines, split at top-level commas (not inside quotes or <>), in order.
  std::vector<std::string_view> values(HeaderId id) const;
  std::string_view body() const { return body_; }
  std::string_view raw() const { return raw_; }

  // Typed accessors; an absent header gives std::nullopt / empty, a malformed one an error.
  base::Result<std::vector<Via>, ParseError> vias() const;
  base::Result<Via, ParseError> top_via() const;
  base::Result<NameAddr, ParseError> from() const;
  base::Result<NameAddr, ParseError> to() const;
  std::string_view call_id() const;
  base::Result<CSeq, ParseError> cseq() const;
  base::Result<std::vector<Contact>, ParseError> contacts() const;
  // Integer headers (Expires, Min-Expires, Max-Forwards, Content-Length, Retry-After's delta).
  std::optional<std::uint32_t> uint_header(HeaderId id) const;
  base::Result<RetryAfter, ParseError> retry_after() const;
  // WWW-Authenticate / Proxy-Authenticate / Authorization / Proxy-Authorization.
  base::Result<std::vector<AuthValue>, ParseError> auth(HeaderId id) const;
  // Route, Record-Route, P-Preferred-Identity, P-Asserted-Identity, Path: name-addr lists.
  base::Result<std::vector<NameAddr>, ParseError> name_addrs(HeaderId id) const;
  // Require, Supported, Allow, Privacy, Proxy-Require, Unsupported: token lists (split at
  // commas; Privacy's values at ';' too). Empty items are dropped.
  std::vector<std::string_view> tokens(HeaderId id) const;
  base::Result<EventValue, ParseError> event() const;
  base::Result<SubscriptionState, ParseError> subscription_state() const;
  // The Request-URI, parsed (requests only).
  base::Result<Uri, ParseError> uri() const;
  // How many comma-separated values a header has across its lines, without parsing them
  // (e.g. the number of Contacts); "*" counts as one.
  std::size_t count_values(HeaderId id) const;

  // Checks what parse() leaves to typed accessors (RFC 3261 8.2 / RFC 4475): the mandatory
  // headers are present (Call-ID, CSeq, From, To, Via), the
  // single-valued ones appear once, From/To/CSeq/Via/Contact/Request-URI parse, scalar fields
  // are in range and the CSeq method equals the request method. nullopt when all is well.
  std::optional<ParseError> check() const;

  // Re-emits the message from its parsed parts; byte-for-byte equal to raw() for anything
  // parse() accepted.
  std::string serialize() const;

 private:
  std::optional<ParseError> parse_all(const Limits& limits);
  std::optional<ParseError> parse_start_line(std::string_view line);
  std::optional<ParseError> parse_headers(std::size_t pos, std::size_t& body_start,
                                          const Limits& limits);
  std::optional<ParseError> parse_body(std::size_t body_start, const Limits& limits);
  void rebase(const char* old_base, std::size_t old_size);
  // Turns an error offset relative to `value` (a view into raw_) into a message offset.
  ParseError at(std::string_view value, ParseError e) const;
  std::optional<ParseError> check_headers() const;

  using IdTable = std::array<std::uint16_t, static_cast<std::size_t>(HeaderId::kCount)>;

  std::string raw_;
  std::string_view start_line_, method_, request_uri_, version_, reason_, body_;
  int status_code_ = 0;
  std::vector<HeaderField> headers_;
  IdTable first_{};  // per id: index + 1 of its first header field, 0 when absent
  IdTable count_{};  // per id: how many header fields have it
};

}  // namespace sipline::msg
