// The responses the transaction layer sends by itself (RFC 3261 §8.2, §11.2, §21.4). Each
// carries `server` as its Server header (RFC 3261 §20.35) unless it is empty.
#pragma once
#include <string>
#include <string_view>

#include "msg/message.hpp"

namespace sipline::txn {

// 200 OK to OPTIONS: Allow, Accept: application/sdp, Supported.
std::string options_ok(const msg::Message& request, std::string_view to_tag, std::string_view allow,
                       std::string_view supported, std::string_view server);
// 405 Method Not Allowed with Allow (§8.2.1).
std::string method_not_allowed(const msg::Message& request, std::string_view to_tag,
                               std::string_view allow, std::string_view server);
// 481 Call/Transaction Does Not Exist: a CANCEL that matches no transaction of ours (§9.2).
std::string no_such_transaction(const msg::Message& request, std::string_view to_tag,
                                std::string_view server);
// 404 Not Found: a request whose Request-URI names no account on a shared port (§8.2.2.1).
std::string not_found(const msg::Message& request, std::string_view to_tag,
                      std::string_view server);
// 400 Bad Request for a request whose mandatory headers are missing or invalid; `problem`
// (plain words, may be empty) is appended to the reason phrase: "Bad Request (missing header)".
std::string bad_request(const msg::Message& request, std::string_view to_tag,
                        std::string_view problem, std::string_view server);

// 100 Trying to an INVITE (§8.2.6.1: no To tag), sent by the INVITE server transaction.
std::string trying(const msg::Message& request, std::string_view server);

// 200 OK to a CANCEL that matched an INVITE server transaction (§9.2).
std::string cancel_ok(const msg::Message& request, std::string_view to_tag,
                      std::string_view server);

// The status code of serialized response bytes ("SIP/2.0 200 OK..."); 0 when it is not one.
int status_of(std::string_view response);

}  // namespace sipline::txn
