#include "dialog/dialog.hpp"

#include <algorithm>

#include "msg/writer.hpp"

namespace sipline::dialog {

namespace {

using base::fail;

// The remote target: exactly one Contact, not "*", that parses.
base::Result<std::string, DialogError> contact_target(const msg::Message& m) {
  if (m.count_values(msg::HeaderId::kContact) != 1) return fail(DialogError::kNoContact);
  auto contacts = m.contacts();
  if (!contacts.ok()) return fail(DialogError::kBadContact);
  const msg::Contact& c = contacts.value().front();
  if (c.star) return fail(DialogError::kNoContact);
  return std::string(c.addr.uri.text);
}

// Record-Route entries as written (each one name-addr), checked to parse.
base::Result<std::vector<std::string>, DialogError> record_routes(const msg::Message& m) {
  std::vector<std::string> out;
  for (std::string_view v : m.values(msg::HeaderId::kRecordRoute)) {
    if (!msg::parse_name_addr(v).ok()) return fail(DialogError::kBadRecordRoute);
    out.emplace_back(v);
  }
  return out;
}

bool is_loose(std::string_view route) {
  auto na = msg::parse_name_addr(route);
  return na.ok() && msg::find_param(na.value().uri.params, "lr") != nullptr;
}

std::string route_uri(std::string_view route) {
  auto na = msg::parse_name_addr(route);
  return na.ok() ? std::string(na.value().uri.text) : std::string(route);
}

}  // namespace

std::optional<DialogId> incoming_id(const msg::Message& request) {
  auto from = request.from();
  auto to = request.to();
  if (!from.ok() || !to.ok()) return std::nullopt;
  return DialogId{std::string(request.call_id()), std::string(to.value().tag()),
                  std::string(from.value().tag())};
}

std::string_view describe(DialogError e) {
  switch (e) {
    case DialogError::kNoRemoteTag:
      return "no remote tag";
    case DialogError::kNoContact:
      return "no single Contact";
    case DialogError::kBadContact:
      return "malformed Contact";
    case DialogError::kBadRecordRoute:
      return "malformed Record-Route";
    case DialogError::kBadHeader:
      return "malformed From/To/CSeq";
    case DialogError::kMismatch:
      return "Call-ID or tag mismatch";
  }
  return "dialog error";
}

base::Result<Dialog, DialogError> Dialog::make(const msg::Message& m, DialogId id,
                                               bool uac_route_order, std::uint32_t local_cseq,
                                               std::optional<std::uint32_t> remote_cseq) {
  auto target = contact_target(m);
  if (!target.ok()) return fail(target.error());
  auto routes = record_routes(m);
  if (!routes.ok()) return fail(routes.error());
  Dialog d;
  d.id_ = std::move(id);
  d.remote_target_ = std::move(target).value();
  d.route_set_ = std::move(routes).value();
  if (uac_route_order) std::reverse(d.route_set_.begin(), d.route_set_.end());
  d.local_cseq_ = local_cseq;
  d.remote_cseq_ = remote_cseq;
  return d;
}

base::Result<Dialog, DialogError> Dialog::from_response(const LocalSide& local,
                                                        const msg::Message& response) {
  auto from = response.from();
  auto to = response.to();
  if (!from.ok() || !to.ok()) return fail(DialogError::kBadHeader);
  if (response.call_id() != local.call_id || from.value().tag() != local.local_tag) {
    return fail(DialogError::kMismatch);
  }
  if (to.value().tag().empty()) return fail(DialogError::kNoRemoteTag);
  auto d = make(response, {local.call_id, local.local_tag, std::string(to.value().tag())}, true,
                local.local_cseq, std::nullopt);
  if (!d.ok()) return d;
  d->local_uri_ = local.local_uri;
  d->local_display_ = local.local_display;
  d->remote_uri_ = local.remote_uri;
  return d;
}

base::Result<Dialog, DialogError> Dialog::from_request(const LocalSide& local,
                                                       const msg::Message& request) {
  auto from = request.from();
  auto to = request.to();
  auto cseq = request.cseq();
  if (!from.ok() || !to.ok() || !cseq.ok()) return fail(DialogError::kBadHeader);
  if (request.call_id() != local.call_id || to.value().tag() != local.local_tag) {
    return fail(DialogError::kMismatch);
  }
  if (from.value().tag().empty()) return fail(DialogError::kNoRemoteTag);
  auto d = make(request, {local.call_id, local.local_tag, std::string(from.value().tag())}, false,
                local.local_cseq, cseq.value().seq);
  if (!d.ok()) return d;
  d->local_uri_ = local.local_uri;
  d->local_display_ = local.local_display;
  d->remote_uri_ = local.remote_uri;
  return d;
}

base::Result<Dialog, DialogError> Dialog::from_incoming(const msg::Message& request,
                                                        std::string local_tag,
                                                        std::uint32_t local_cseq) {
  auto from = request.from();
  auto to = request.to();
  auto cseq = request.cseq();
  if (!from.ok() || !to.ok() || !cseq.ok()) return fail(DialogError::kBadHeader);
  if (from.value().tag().empty()) return fail(DialogError::kNoRemoteTag);
  auto d =
      make(request,
           {std::string(request.call_id()), std::move(local_tag), std::string(from.value().tag())},
           false, local_cseq, cseq.value().seq);
  if (!d.ok()) return d;
  d->local_uri_ = std::string(to.value().uri.text);
  d->local_display_ = std::string(to.value().display_name);
  d->remote_uri_ = std::string(from.value().uri.text);
  d->remote_display_ = std::string(from.value().display_name);
  return d;
}

bool Dialog::matches(const msg::Message& request) const {
  auto id = incoming_id(request);
  return id.has_value() && *id == id_;
}

bool Dialog::accept_remote_cseq(std::uint32_t cseq) {
  if (remote_cseq_.has_value() && cseq <= *remote_cseq_) return false;
  remote_cseq_ = cseq;
  return true;
}

std::optional<DialogError> Dialog::refresh_target(const msg::Message& message) {
  if (message.find(msg::HeaderId::kContact) == nullptr) return std::nullopt;
  auto target = contact_target(message);
  if (!target.ok()) return target.error();
  remote_target_ = std::move(target).value();
  return std::nullopt;
}

InDialogRequest Dialog::next_request() {
  ++local_cseq_;
  return fields(local_cseq_);
}

InDialogRequest Dialog::ack_request(std::uint32_t invite_cseq) const {
  return fields(invite_cseq);
}

InDialogRequest Dialog::fields(std::uint32_t cseq) const {
  InDialogRequest r;
  r.cseq = cseq;
  r.call_id = id_.call_id;
  r.from = msg::format_name_addr(local_display_, local_uri_, ";tag=" + id_.local_tag);
  r.to = msg::format_name_addr(remote_display_, remote_uri_, ";tag=" + id_.remote_tag);
  if (route_set_.empty() || is_loose(route_set_.front())) {
    r.request_uri = remote_target_;
    r.routes = route_set_;
    r.next_hop = route_set_.empty() ? remote_target_ : route_uri(route_set_.front());
    return r;
  }
  // Strict router first (RFC 3261 §12.2.1.1): it becomes the Request-URI.
  r.request_uri = route_uri(route_set_.front());
  r.routes.assign(route_set_.begin() + 1, route_set_.end());
  r.routes.push_back("<" + remote_target_ + ">");
  r.next_hop = r.request_uri;
  return r;
}

}  // namespace sipline::dialog
