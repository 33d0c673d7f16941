#include "txn/default_responses.hpp"

#include "msg/writer.hpp"

namespace sipline::txn {
namespace {

std::string finish(msg::MessageWriter w, std::string_view server) {
  if (!server.empty()) w.header(msg::HeaderId::kServer, server);
  return w.finish();
}

}  // namespace

std::string options_ok(const msg::Message& request, std::string_view to_tag, std::string_view allow,
                       std::string_view supported, std::string_view server) {
  auto w = msg::response_to(request, 200, "OK", to_tag);
  w.header(msg::HeaderId::kAllow, allow)
      .header(msg::HeaderId::kAccept, "application/sdp")
      .header(msg::HeaderId::kSupported, supported);
  return finish(std::move(w), server);
}

std::string method_not_allowed(const msg::Message& request, std::string_view to_tag,
                               std::string_view allow, std::string_view server) {
  auto w = msg::response_to(request, 405, "Method Not Allowed", to_tag);
  w.header(msg::HeaderId::kAllow, allow);
  return finish(std::move(w), server);
}

std::string no_such_transaction(const msg::Message& request, std::string_view to_tag,
                                std::string_view server) {
  return finish(msg::response_to(request, 481, "Call/Transaction Does Not Exist", to_tag), server);
}

std::string not_found(const msg::Message& request, std::string_view to_tag,
                      std::string_view server) {
  return finish(msg::response_to(request, 404, "Not Found", to_tag), server);
}

std::string bad_request(const msg::Message& request, std::string_view to_tag,
                        std::string_view problem, std::string_view server) {
  std::string reason = "Bad Request";
  if (!problem.empty()) reason.append(" (").append(problem).append(")");
  return finish(msg::response_to(request, 400, reason, to_tag), server);
}

std::string trying(const msg::Message& request, std::string_view server) {
  return finish(msg::response_to(request, 100, "Trying"), server);
}

std::string cancel_ok(const msg::Message& request, std::string_view to_tag,
                      std::string_view server) {
  return finish(msg::response_to(request, 200, "OK", to_tag), server);
}

int status_of(std::string_view response) {
  constexpr std::string_view kVersion = "SIP/2.0 ";
  if (response.substr(0, kVersion.size()) != kVersion) return 0;
  const std::string_view code = response.substr(kVersion.size(), 4);
  if (code.size() < 4 || (code[3] != ' ' && code[3] != '\r')) return 0;
  int value = 0;
  for (char c : code.substr(0, 3)) {
    if (c < '0' || c > '9') return 0;
    value = value * 10 + (c - '0');
  }
  return value >= 100 && value <= 699 ? value : 0;
}

}  // namespace sipline::txn
