#include "txn/matching.hpp"

#include <arpa/inet.h>

#include <cctype>

namespace sipline::txn {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

}  // namespace

std::string client_key(std::string_view branch, std::string_view cseq_method) {
  std::string key;
  key.reserve(branch.size() + cseq_method.size() + 1);
  key.append(branch).append(1, '\n').append(cseq_method);
  return key;
}

CheckedRequest check_request(const msg::Message& request) {
  CheckedRequest out;
  auto via = request.top_via();
  if (!via || via->host.empty()) {
    out.fault = RequestFault::kNoVia;
    return out;
  }
  out.top_via = *via;
  if (auto problem = request.check()) {
    out.fault = RequestFault::kBadHeaders;
    out.problem = msg::describe(problem->code);
    return out;
  }
  if (request.call_id().empty()) {
    out.fault = RequestFault::kBadHeaders;
    out.problem = "empty Call-ID";
    return out;
  }
  out.cseq = *request.cseq();
  return out;
}

std::string server_key(const msg::Message& request, const msg::Via& top_via, const msg::CSeq& cseq,
                       std::string_view method) {
  if (method.empty()) method = request.method();
  const std::string_view branch = top_via.branch();
  std::string key;
  if (branch.substr(0, kMagicCookie.size()) == kMagicCookie) {
    key.append("3261\n").append(branch).append(1, '\n');
    key.append(lower(top_via.host)).append(1, ':').append(std::to_string(top_via.port));
    key.append(1, '\n').append(method);
    return key;
  }
  // RFC 2543 (§17.2.3, loosely): the request's identifying fields, not its branch.
  auto from = request.from();
  auto to = request.to();
  const auto vias = request.values(msg::HeaderId::kVia);
  key.append("2543\n").append(request.request_uri()).append(1, '\n');
  key.append(from ? from->tag() : std::string_view{}).append(1, '\n');
  key.append(to ? to->tag() : std::string_view{}).append(1, '\n');
  key.append(request.call_id()).append(1, '\n');
  key.append(std::to_string(cseq.seq)).append(1, ' ').append(method).append(1, '\n');
  key.append(vias.empty() ? std::string_view{} : vias.front());
  return key;
}

transport::Address response_address(const msg::Via& top_via, const transport::Address& source) {
  if (source.protocol != transport::Protocol::kUdp) return source;
  transport::Address to = source;
  const std::string_view received = top_via.received();
  if (!received.empty() && is_ip_literal(received)) to.address = strip_brackets(received);
  if (auto rport = top_via.rport(); rport && *rport != 0) {
    to.port = *rport;
  } else if (top_via.has_rport()) {
    to.port = source.port;
  } else {
    to.port = top_via.port != 0 ? top_via.port : 5060;
  }
  return to;
}

bool is_ip_literal(std::string_view host) {
  // inet_pton, not a character scan: "1..2.3", "999.0.0.1" or ":::" must not become a target.
  const std::string h(strip_brackets(host));
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

}  // namespace sipline::txn
