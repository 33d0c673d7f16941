#include "usage/sub/notify.hpp"

#include <algorithm>

#include "msg/writer.hpp"

namespace sipline::usage::sub {

namespace {

template <typename T>
base::Result<Body, bodies::BodyError> wrap(bodies::BodyResult<T> r) {
  if (!r.ok()) return base::fail(r.error());
  return Body{std::move(r).value()};
}

NotifyResult unsolicited(const msg::Message& notify, const transport::Address& source,
                         std::span<const transport::Address> trusted) {
  auto event = notify.event();
  if (!event.ok() || package_of(event->package) != Package::kMessageSummary) {
    return {481, "no such subscription", nullptr, {}, {}};
  }
  const bool from_server = std::any_of(trusted.begin(), trusted.end(), [&](const auto& a) {
    return a.address == source.address && a.port == source.port;
  });
  if (!from_server) return {403, "unsolicited NOTIFY not from the server", nullptr, {}, {}};
  auto body = read_body(Package::kMessageSummary, notify.body());
  if (!body.ok()) return {400, body.error().reason, nullptr, {}, {}};
  return {200, {}, nullptr, {}, std::move(body).value()};
}

}  // namespace

base::Result<Body, bodies::BodyError> read_body(Package package, std::string_view body) {
  if (body.empty()) return Body{};
  switch (package) {
    case Package::kMessageSummary:
      return wrap(bodies::parse_message_summary(body));
    case Package::kDialog:
      return wrap(bodies::parse_dialog_info(body));
    case Package::kReg:
      return wrap(bodies::parse_reginfo(body));
  }
  return Body{};
}

NotifyResult dispatch_notify(std::span<Subscription* const> subscriptions,
                             const msg::Message& notify, const transport::Address& source,
                             std::span<const transport::Address> trusted) {
  auto to = notify.to();
  if (!to.ok()) return {400, "malformed To", nullptr, {}, {}};
  if (to->tag().empty()) return unsolicited(notify, source, trusted);
  const auto it = std::find_if(subscriptions.begin(), subscriptions.end(),
                               [&](const Subscription* s) { return s->matches(notify); });
  if (it == subscriptions.end()) return {481, "no such subscription", nullptr, {}, {}};
  Subscription* sub = *it;
  auto body = read_body(sub->package(), notify.body());
  if (!body.ok()) return {400, body.error().reason, sub, {}, {}};
  const NotifyAnswer a = sub->on_notify(notify);
  if (a.status_code != 200) return {a.status_code, a.reason, sub, {}, {}};
  return {200, {}, sub, a.verdict, std::move(body).value()};
}

std::string notify_response(const msg::Message& notify, const NotifyResult& result,
                            std::string_view to_tag) {
  auto w =
      msg::response_to(notify, result.status_code, msg::reason_phrase(result.status_code), to_tag);
  if (!result.reason.empty()) {
    std::string text = result.reason;
    std::replace(text.begin(), text.end(), '"', '\'');
    std::replace(text.begin(), text.end(), '\r', ' ');
    std::replace(text.begin(), text.end(), '\n', ' ');
    w.header(msg::HeaderId::kWarning, "399 sipline \"" + text + "\"");
  }
  return w.finish();
}

}  // namespace sipline::usage::sub
