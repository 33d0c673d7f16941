// The reply helpers every route of the API shares (api.cpp, api_calls.cpp).
#pragma once
#include <string>
#include <vector>

#include "app/account_json.hpp"
#include "app/api.hpp"

namespace sipline::app {

// Strings from the network (reason phrases, errors) may be invalid UTF-8: replaced, never thrown.
ApiReply json_reply(int status, const Json& body);
ApiReply error_reply(int status, const std::string& message);

// The /api/calls routes (api_calls.cpp).
std::vector<ApiRoute> call_routes();

}  // namespace sipline::app
