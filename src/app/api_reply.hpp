// The reply helpers every route of the API shares (api.cpp, api_calls.cpp).
#pragma once
#include <string>

#include "app/account_json.hpp"
#include "app/api.hpp"

namespace sipline::app {

// Strings from the network (reason phrases, errors) may be invalid UTF-8: replaced, never thrown.
ApiReply json_reply(int status, const Json& body);
ApiReply error_reply(int status, const std::string& message);
ApiReply method_not_allowed(const ApiRequest& r, std::string allow);

// The /api/calls routes (api_calls.cpp); nullopt when the path is not one of them.
std::optional<ApiReply> route_calls(Engine& engine, const ApiRequest& r);

}  // namespace sipline::app
