// RFC 3261 §18.2.1 and RFC 3581 §4 on the way out: the server fills the top Via of its response
// with `received` (the request's source address, when it differs from sent-by or the client
// asked for rport) and the value of a valueless `rport` (the source port), so a client behind
// a NAT learns its public address. The transport hands requests over untouched, so the
// transaction layer applies this to the response bytes instead.
#pragma once
#include <string>

#include "transport/transport.hpp"

namespace sipline::txn {

// Returns `response` with its top Via stamped for a request that came from `source`; unchanged
// when nothing applies or the response does not parse.
std::string stamp_top_via(std::string response, const transport::Address& source);

}  // namespace sipline::txn
