// Which transaction a message belongs to (RFC 3261 §17.1.3, §17.2.3), whether a request carries
// the headers a transaction needs, and where a response goes (RFC 3261 §18.2.2, RFC 3581).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "msg/message.hpp"
#include "transport/transport.hpp"

namespace sipline::txn {

inline constexpr std::string_view kMagicCookie = "z9hG4bK";

// §17.1.3: a response matches the client transaction whose request had the same top Via branch
// and the same CSeq method (so a CANCEL and the request it cancels stay apart).
std::string client_key(std::string_view branch, std::string_view cseq_method);

// What is wrong with an incoming request's mandatory headers.
enum class RequestFault : std::uint8_t {
  kNone,
  kNoVia,       // Via missing or unparsable: no way to address a response; dropped
  kBadHeaders,  // Message::check() failed (From, To, Call-ID, CSeq missing or invalid, CSeq
                // method != method, a single-valued header twice ...) or Call-ID empty: 400
};

struct CheckedRequest {
  RequestFault fault = RequestFault::kNone;
  std::optional<msg::Via> top_via;  // set unless kNoVia
  std::optional<msg::CSeq> cseq;    // set when kNone
  std::string_view problem;         // kBadHeaders: what is wrong, for the reason phrase
};
CheckedRequest check_request(const msg::Message& request);

// §17.2.3: branch + sent-by + method when the branch has the magic cookie; otherwise the
// RFC 2543 rule (Request-URI, From tag, To tag, Call-ID, CSeq, top Via). `request` must have
// passed check_request().
// `method` overrides the request's own: "INVITE" finds the INVITE an ACK or a CANCEL belongs to.
std::string server_key(const msg::Message& request, const msg::Via& top_via, const msg::CSeq& cseq,
                       std::string_view method = {});

// Where a response to a request from `source` goes. TCP/TLS: back to `source` (the transport maps
// it to the inbound connection). UDP: the top Via's `received` (else the packet's source
// address) and its `rport` value (else the source port when `rport` is present without a
// value, else the sent-by port, else 5060).
transport::Address response_address(const msg::Via& top_via, const transport::Address& source);

// True for an IPv4 or IPv6 literal (IPv6 with or without brackets); no name lookups.
bool is_ip_literal(std::string_view host);

}  // namespace sipline::txn
