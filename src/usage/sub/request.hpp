// SUBSCRIBE bytes: the initial (out-of-dialog) request and the in-dialog refresh / unsubscribe
// (RFC 6665 §4.1.2), with the headers every SUBSCRIBE of sipline carries.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "dialog/dialog.hpp"
#include "transport/transport.hpp"
#include "txn/request.hpp"
#include "usage/sub/policy.hpp"

namespace sipline::usage::sub {

// What every SUBSCRIBE of one subscription shares.
struct SubscribeFields {
  Package package = Package::kMessageSummary;
  std::uint32_t expires_s = 0;  // 0: unsubscribe
  std::string_view contact;     // our Contact URI
  std::string_view user_agent;
  std::string_view auth_header_name;           // "Authorization" / "Proxy-Authorization"
  const std::string* authorization = nullptr;  // credentials, when answering a challenge
};

// The initial SUBSCRIBE: Request-URI = To = `resource`, From = our AOR with `from_tag`.
std::string initial_subscribe(const txn::Identity& id, std::string_view resource,
                              std::string_view from_tag, std::string_view call_id,
                              std::uint32_t cseq, const SubscribeFields& f,
                              const transport::Transport& transport,
                              const transport::Target& target, std::string_view branch);

// A SUBSCRIBE inside the dialog: Request-URI, Route set, tags and CSeq from `r`.
std::string in_dialog_subscribe(const dialog::InDialogRequest& r, const SubscribeFields& f,
                                const transport::Transport& transport,
                                const transport::Target& target, std::string_view branch);

}  // namespace sipline::usage::sub
