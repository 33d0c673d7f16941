// The two requests the transaction layer builds from an INVITE it sent (pure, no I/O):
// the ACK for a non-2xx final response (RFC 3261 §17.1.1.3, part of the INVITE transaction) and
// the CANCEL (§9.1, a transaction of its own with the INVITE's branch).
#pragma once
#include <string>

#include "msg/message.hpp"

namespace sipline::txn {

// Request-URI, top Via (only), From, Call-ID and Route of the INVITE; To of the response (its
// tag); CSeq number of the INVITE with method ACK; Max-Forwards 70; no body.
std::string ack_for_final(const msg::Message& invite, const msg::Message& response);

// Request-URI, top Via (only), From, To, Call-ID and Route of the INVITE; CSeq number of the
// INVITE with method CANCEL; Max-Forwards 70; no body.
std::string cancel_for(const msg::Message& invite);

}  // namespace sipline::txn
