// The first lines every out-of-dialog request shares (RFC 3261 §8.1.1): Request-Line, Via with
// rport (RFC 3581) and the branch, Max-Forwards, From, To, Call-ID, CSeq. Usages add the rest.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "base/shared_text.hpp"
#include "msg/writer.hpp"
#include "transport/transport.hpp"

namespace sipline::txn {

// Who an account's out-of-dialog requests come from and where they go. The account owns one;
// its usages (REGISTER, OPTIONS keep-alive, ...) read it by reference, so thousands of
// accounts keep these strings once each.
struct Identity {
  // "sip:example.com", "sips:example.com", "sip:example.com;transport=tls": shared text (the
  // accounts of a fleet name one server and hold one copy).
  base::SharedText request_uri;
  std::string aor;                          // From/To URI: "sip:1001@example.com"
  base::SharedText display_name;            // may be empty (shared with the account's config)
  std::string contact;                      // our Contact URI: "sip:1001@127.0.0.1:5060"
  transport::Target target;                 // where requests go (registrar or outbound proxy)
  base::SharedText user_agent = "sipline";  // "": no User-Agent header
  // RFC 5626 outbound: our +sip.instance ("<urn:uuid:...>"); "" when outbound is off.
  base::SharedText instance;
};

struct RequestLine {
  std::string_view method;
  std::string_view request_uri;
  std::string_view from;  // formatted name-addr with ;tag=
  std::string_view to;    // formatted name-addr
  std::string_view call_id;
  std::uint32_t cseq = 0;
};

// "SIP/2.0/UDP 127.0.0.1:5060;rport;branch=z9hG4bK..." for a request to `target`.
inline std::string via_value(const transport::Transport& transport, const transport::Target& target,
                             std::string_view branch) {
  const transport::Address local = transport.local_address(target);
  std::string via = "SIP/2.0/";
  via.append(transport::via_name(target.remote.protocol)).append(" ");
  if (local.address.find(':') != std::string::npos) {
    via.append("[").append(local.address).append("]");
  } else {
    via.append(local.address);
  }
  via.append(":").append(std::to_string(local.port)).append(";rport;branch=").append(branch);
  return via;
}

inline msg::MessageWriter start_request(const RequestLine& r, const transport::Transport& transport,
                                        const transport::Target& target, std::string_view branch) {
  auto w = msg::MessageWriter::request(r.method, r.request_uri);
  w.header(msg::HeaderId::kVia, via_value(transport, target, branch));
  w.header(msg::HeaderId::kMaxForwards, std::uint64_t{70});
  w.header(msg::HeaderId::kFrom, r.from);
  w.header(msg::HeaderId::kTo, r.to);
  w.header(msg::HeaderId::kCallId, r.call_id);
  w.header(msg::HeaderId::kCSeq, std::to_string(r.cseq) + " " + std::string(r.method));
  return w;
}

}  // namespace sipline::txn
