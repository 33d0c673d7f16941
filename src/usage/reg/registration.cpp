#include "usage/reg/registration.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

#include "base/text.hpp"

#include "auth/respond.hpp"
#include "msg/writer.hpp"
#include "txn/matching.hpp"
#include "txn/request.hpp"
#include "usage/reg/contact_match.hpp"

namespace sipline::usage::reg {

std::string_view to_string(FailureClass c) {
  switch (c) {
    case FailureClass::kNone:
      return "";
    case FailureClass::kTimeout:
      return "timeout";
    case FailureClass::kTransport:
      return "transport";
    case FailureClass::kTlsCertificate:
      return "tls_certificate";
    case FailureClass::kCredentials:
      return "credentials";
    case FailureClass::kServer:
      return "server";
    case FailureClass::kRejected:
      return "rejected";
    case FailureClass::kBindingNotConfirmed:
      return "binding_not_confirmed";
    case FailureClass::kDns:
      return "dns";
  }
  return "";
}

FailureClass classify_status(int status_code) {
  if (status_code == 403) return FailureClass::kCredentials;
  if (status_code >= 500) return FailureClass::kServer;
  return FailureClass::kRejected;
}

std::optional<base::Answer> admission_answer(const Outcome& outcome, bool retransmitted) {
  switch (outcome.failure) {
    case FailureClass::kTimeout:
    case FailureClass::kTransport:
      return base::Answer::kLost;
    case FailureClass::kDns:
    case FailureClass::kTlsCertificate:
      return std::nullopt;
    default:
      return base::answer_for_status(outcome.status_code, retransmitted);
  }
}

// One attempt: what is being sent and which one-shot detours (challenge, 423, 3xx) it took.
struct Registration::Attempt {
  enum class Kind { kBind, kUnbind, kUnbindAll } kind = Kind::kBind;
  std::uint32_t expires_s = 0;
  std::vector<std::string> contacts;  // kUnbind
  // Where its REGISTERs go: the identity's target and Request-URI when it leaves the gate (a
  // 3xx may then change them). Made only then: a fleet's start queues every account's attempt,
  // and these ~90 bytes (and the Request-URI's copy) were paid by each while it waited.
  struct Route {
    transport::Target target;
    base::SharedText request_uri;
  };
  std::unique_ptr<Route> route;
  bool got_423 = false;
  bool followed_3xx = false;
  bool retransmitted = false;  // one of its REGISTERs had to be sent again (admission)
  base::Gate::Priority priority = base::Gate::Priority::kNormal;
  Done done;
};

const Identity Registration::kNoIdentity{};

Registration::Registration(txn::TransactionLayer& txn, transport::Transport& transport,
                           base::Random& random, auth::Credentials credentials)
    : txn_(txn),
      transport_(transport),
      random_(random),
      auth_(std::move(credentials), random),
      call_id_(random.call_id()),
      from_tag_(random.tag()) {}

Registration::~Registration() {
  cancel();
}

void Registration::bind(std::uint32_t expires_s, Done done, base::Gate::Priority priority) {
  auto a = std::make_unique<Attempt>();
  a->kind = Attempt::Kind::kBind;
  a->expires_s = expires_s;
  a->priority = priority;
  a->done = std::move(done);
  start(std::move(a));
}

void Registration::unbind(std::vector<std::string> contacts, Done done) {
  auto a = std::make_unique<Attempt>();
  a->kind = Attempt::Kind::kUnbind;
  a->contacts = std::move(contacts);
  a->done = std::move(done);
  start(std::move(a));
}

void Registration::unbind_all(Done done) {
  auto a = std::make_unique<Attempt>();
  a->kind = Attempt::Kind::kUnbindAll;
  a->done = std::move(done);
  start(std::move(a));
}

void Registration::cancel() {
  if (txn_handle_ != 0) txn_.cancel(txn_handle_);
  txn_handle_ = 0;
  attempt_.reset();
  leave_gate();
}

void Registration::leave_gate(std::optional<base::Answer> answer) {
  if (gate_ != nullptr) gate_->release(ticket_, answer);
  ticket_ = 0;
}

void Registration::start(std::unique_ptr<Attempt> attempt) {
  cancel();
  attempt_ = std::move(attempt);
  auth_.begin_attempt();  // the wrong-password guard never carries over from another attempt
  if (gate_ != nullptr) {
    bool granted = false;
    ticket_ = gate_->acquire([this] { proceed(); }, granted, attempt_->priority);
    if (!granted) return;  // proceed() runs when a place frees up
  }
  proceed();
}

void Registration::proceed() {
  attempt_->route =
      std::make_unique<Attempt::Route>(Attempt::Route{identity_->target, identity_->request_uri});
  std::string credentials;
  if (preemptive_auth_ && auth_.has_challenge()) {
    auto r = auth_.reauthorize("REGISTER", attempt_->route->request_uri);
    if (r.ok()) credentials = std::move(*r);
  }
  send(credentials.empty() ? nullptr : &credentials);
}

std::string contact_value(const Identity& identity, std::string_view uri, std::string_view tail) {
  if (identity.instance.empty()) return msg::format_name_addr({}, uri, tail);
  // RFC 5626 §4.2: ";ob" in the URI, reg-id and the instance in the header field parameters.
  // An unregister carries them too, so a registrar that keys bindings by instance and reg-id
  // (§6) finds the binding.
  std::string params = ";reg-id=";
  params.append(std::to_string(kRegId)).append(";+sip.instance=\"");
  params.append(identity.instance).append("\"").append(tail);
  return msg::format_name_addr({}, std::string(uri) + ";ob", params);
}

std::string Registration::build(const std::string* authorization, const std::string& branch) const {
  const Attempt& a = *attempt_;
  const std::string from =
      msg::format_name_addr(identity_->display_name, identity_->aor, ";tag=" + from_tag_);
  const std::string to = msg::format_name_addr(identity_->display_name, identity_->aor);
  auto w = txn::start_request({"REGISTER", a.route->request_uri, from, to, call_id_, cseq_},
                              transport_, a.route->target, branch);
  switch (a.kind) {
    case Attempt::Kind::kBind:
      w.header(msg::HeaderId::kContact, contact_value(*identity_, identity_->contact, {}));
      w.header(msg::HeaderId::kExpires, std::uint64_t{a.expires_s});
      break;
    case Attempt::Kind::kUnbind:
      for (const auto& c : a.contacts) {
        w.header(msg::HeaderId::kContact, contact_value(*identity_, c, ";expires=0"));
      }
      w.header(msg::HeaderId::kExpires, std::uint64_t{0});
      break;
    case Attempt::Kind::kUnbindAll:
      w.header(msg::HeaderId::kContact, "*");
      w.header(msg::HeaderId::kExpires, std::uint64_t{0});
      break;
  }
  if (!identity_->instance.empty()) w.header(msg::HeaderId::kSupported, "outbound, path, gruu");
  if (authorization != nullptr) w.header(auth_.header_name(), *authorization);
  if (!identity_->user_agent.empty()) w.header(msg::HeaderId::kUserAgent, identity_->user_agent);
  return w.finish();
}

void Registration::send(const std::string* authorization) {
  ++cseq_;
  ++requests_sent_;
  const std::string branch = random_.branch();
  std::string bytes = build(authorization, branch);
  txn_handle_ = txn_.send_request(attempt_->route->target, branch, "REGISTER", std::move(bytes),
                                  [this](const txn::ClientEvent& e) { on_event(e); });
}

void Registration::on_event(const txn::ClientEvent& event) {
  if (!attempt_) return;
  if (const auto* r = std::get_if<txn::ResponseEvent>(&event)) {
    if (r->response.status_code() >= 200) {
      txn_handle_ = 0;
      attempt_->retransmitted = attempt_->retransmitted || r->retransmitted;
      on_final(r->response);
    }
    return;
  }
  txn_handle_ = 0;
  Outcome o;
  o.requested_s = attempt_->expires_s;
  if (std::holds_alternative<txn::TimeoutEvent>(event)) {
    o.failure = FailureClass::kTimeout;
    o.detail = "no response (transaction timeout)";
  } else {
    const auto& err = std::get<txn::TransportErrorEvent>(event).error;
    o.failure = err.kind == transport::TransportErrorKind::kTlsCertificate
                    ? FailureClass::kTlsCertificate
                    : FailureClass::kTransport;
    o.detail = std::string(transport::to_string(err.kind)) + ": " + err.detail;
  }
  finish(std::move(o));
}

void Registration::on_final(const msg::Message& response) {
  const int code = response.status_code();
  if (code == 401 || code == 407) return on_challenge(response);
  auth_.on_success();  // any other final answer: our credentials were not refused
  if (code >= 200 && code < 300) return on_success(response);
  if (code == 423) return on_interval_too_brief(response);
  if (code >= 300 && code < 400) return on_redirect(response);
  Outcome o;
  o.failure = classify_status(code);
  o.status_code = code;
  o.requested_s = attempt_->expires_s;
  o.detail = std::to_string(code) + " " + std::string(response.reason());
  if (auto ra = response.retry_after(); ra.ok()) o.retry_after_s = ra->seconds;
  finish(std::move(o));
}

void Registration::on_challenge(const msg::Message& response) {
  auto credentials =
      auth::answer_challenge(auth_, response, "REGISTER", attempt_->route->request_uri);
  if (!credentials.ok()) {
    Outcome o;
    o.status_code = response.status_code();
    o.requested_s = attempt_->expires_s;
    o.failure =
        credentials.error().credentials ? FailureClass::kCredentials : FailureClass::kRejected;
    o.detail = credentials.error().detail;
    return finish(std::move(o));
  }
  send(&*credentials);
}

void Registration::on_interval_too_brief(const msg::Message& response) {
  auto min = response.uint_header(msg::HeaderId::kMinExpires);
  Outcome o;
  o.status_code = 423;
  o.requested_s = attempt_->expires_s;
  o.failure = FailureClass::kRejected;
  if (attempt_->kind != Attempt::Kind::kBind || attempt_->got_423) {
    o.detail = "423 Interval Too Brief again";
    return finish(std::move(o));
  }
  if (!min || *min == 0 || *min <= attempt_->expires_s) {
    o.detail = "423 Interval Too Brief without a usable Min-Expires";
    return finish(std::move(o));
  }
  attempt_->got_423 = true;
  attempt_->expires_s = *min;
  std::string credentials;
  if (auth_.has_challenge()) {
    auto r = auth_.reauthorize("REGISTER", attempt_->route->request_uri);
    if (r.ok()) credentials = std::move(*r);
  }
  send(credentials.empty() ? nullptr : &credentials);
}

void Registration::on_redirect(const msg::Message& response) {
  Outcome o;
  o.status_code = response.status_code();
  o.requested_s = attempt_->expires_s;
  o.failure = FailureClass::kRejected;
  auto contacts = response.contacts();
  if (attempt_->followed_3xx || !contacts.ok() || contacts->empty() || contacts->front().star) {
    o.detail = std::to_string(o.status_code) + " redirect that cannot be followed";
    return finish(std::move(o));
  }
  const msg::Uri& uri = contacts->front().addr.uri;
  transport::Target next = attempt_->route->target;
  std::string host(uri.host);
  if (uri.is_ipv6()) host = host.substr(1, host.size() - 2);
  if (!txn::is_ip_literal(host)) {
    o.detail = "redirect to a host name (" + host + ") is not followed";
    return finish(std::move(o));
  }
  next.remote.address = host;
  const bool tls = next.remote.protocol == transport::Protocol::kTls;
  next.remote.port = uri.port != 0 ? uri.port : (tls ? 5061 : 5060);
  next.tls_server_name = host;
  attempt_->followed_3xx = true;
  attempt_->route->target = next;
  std::string ruri(uri.scheme_text);
  ruri.append(":").append(uri.host);
  if (uri.port != 0) ruri.append(":").append(std::to_string(uri.port));
  attempt_->route->request_uri = ruri;
  send(nullptr);
}

namespace {

// RFC 5626 §4.2.1 / §4.4.1: `Require: outbound` says the registrar keeps the flow; Flow-Timer
// (a delta-seconds) how often it wants a keep-alive. A malformed Flow-Timer is ignored.
void read_outbound(const msg::Message& response, Outcome& o) {
  for (std::string_view t : response.tokens(msg::HeaderId::kRequire)) {
    if (base::iequals(t, "outbound")) o.outbound = true;
  }
  if (const auto* h = response.find("Flow-Timer")) {
    std::uint32_t v = 0;
    const std::string_view s = h->value;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc{} && end == s.data() + s.size() && v > 0) o.flow_timer_s = v;
  }
}

}  // namespace

void Registration::on_success(const msg::Message& response) {
  // Without add_auth_header_on_reregister nothing answers this challenge again: the next
  // REGISTER is challenged afresh. Kept, it was ~150 bytes an account for as long as it stays
  // registered.
  if (!preemptive_auth_) auth_.forget_challenge();
  Outcome o;
  o.status_code = response.status_code();
  o.requested_s = attempt_->expires_s;
  if (auto via = response.top_via(); via.ok()) {
    o.via_received = std::string(via->received());
    o.via_rport = via->rport();
  }
  if (attempt_->kind == Attempt::Kind::kBind) {
    const Granted g = granted_expiry(response, identity_->contact, attempt_->expires_s);
    o.granted_s = g.seconds;
    o.contact_confirmed = g.confirmed;
    o.pub_gruu = g.pub_gruu;
    o.temp_gruu = g.temp_gruu;
    read_outbound(response, o);
    if (!g.confirmed) {
      o.failure = FailureClass::kBindingNotConfirmed;
      o.detail = "binding not confirmed: our Contact is missing from the 2xx";
    }
  }
  finish(std::move(o));
}

void Registration::finish(Outcome outcome) {
  // Before `done`, which may start the next attempt.
  leave_gate(admission_answer(outcome, attempt_ && attempt_->retransmitted));
  auto attempt = std::move(attempt_);
  if (attempt && attempt->done) attempt->done(outcome);
}

}  // namespace sipline::usage::reg
