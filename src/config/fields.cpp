#include "config/fields.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <type_traits>

namespace sipline::config::detail {
namespace {

template <class T>
struct is_duration : std::false_type {};
template <class R, class P>
struct is_duration<std::chrono::duration<R, P>> : std::true_type {};

template <auto M>
struct member;
template <class C, class T, T C::*M>
struct member<M> {
  using owner = C;
  using type = T;
};

template <auto M>
void apply_member(typename member<M>::owner& c, const Accepted& v) {
  using T = typename member<M>::type;
  if constexpr (std::is_same_v<T, bool>) {
    c.*M = v.boolean;
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, base::SharedText>) {
    c.*M = v.text;
  } else if constexpr (std::is_same_v<T, StringList>) {
    c.*M = v.list;
  } else if constexpr (std::is_same_v<T, HostPort>) {
    c.*M = v.host_port;
  } else if constexpr (std::is_enum_v<T>) {
    c.*M = static_cast<T>(v.choice);
  } else if constexpr (is_duration<T>::value) {
    c.*M = T{static_cast<typename T::rep>(v.integer)};  // validated to fit
  } else if constexpr (std::is_same_v<T, std::optional<std::uint16_t>>) {
    c.*M = static_cast<std::uint16_t>(v.integer);
  } else {
    c.*M = static_cast<T>(v.integer);
  }
}

template <auto M>
std::string show_member(const typename member<M>::owner& c, const KeyInfo& k) {
  using T = typename member<M>::type;
  const T& v = c.*M;
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, base::SharedText>) {
    return v;
  } else if constexpr (std::is_same_v<T, StringList>) {
    return SettingValue::list(v).as_written;
  } else if constexpr (std::is_same_v<T, HostPort>) {
    return v.to_string();
  } else if constexpr (std::is_enum_v<T>) {
    const auto i = static_cast<std::size_t>(v);
    return i < k.choices.size() ? std::string(k.choices[i]) : std::string("?");
  } else if constexpr (is_duration<T>::value) {
    return std::to_string(v.count());
  } else {
    return std::to_string(v);
  }
}

template <auto M>
Field<typename member<M>::owner> bind(KeyInfo info) {
  return {info, &apply_member<M>, &show_member<M>};
}

using A = AccountConfig;
using K = ValueKind;

constexpr std::array<std::string_view, 3> kUnregister{"no", "all", "instance"};
constexpr std::array<std::string_view, 4> kTransport{"udp", "tcp", "tls", "auto"};
constexpr std::array<std::string_view, 2> kScheme{"sip", "sips"};
constexpr std::array<std::string_view, 5> kLogLevel{"trace", "debug", "info", "warn", "error"};
constexpr std::array<std::string_view, 2> kLogTarget{"stderr", "journal"};
constexpr std::array<std::string_view, 3> kAutoSwitch{"auto", "true", "false"};
constexpr std::array<std::string_view, 2> kAdmission{"auto", "fixed"};
static_assert(static_cast<int>(Admission::fixed) == 1);
static_assert(static_cast<int>(AutoSwitch::off) == 2);
static_assert(static_cast<int>(UnregisterMode::instance) == 2);
static_assert(static_cast<int>(Transport::automatic) == 3);
static_assert(static_cast<int>(UriScheme::sips) == 1);
static_assert(static_cast<int>(LogLevel::error) == 4);

// password: also forgets a password_file given earlier (an HTTP update replaces the secret).
void apply_password(A& a, const Accepted& v) {
  a.password = v.text;
  a.password_file.clear();
}
void apply_password_file(A& a, const Accepted& v) {
  a.password = v.secret;
  a.password_file = v.text;
}
std::string show_auth_id(const A& a, const KeyInfo&) {
  return a.auth_user();
}
// The effective TLS port; "" when the default local_sip_port + 1 would not be a port (such an
// account cannot use TLS without setting local_tls_port).
// A port key written in the file: the account keeps its own socket in shared-port mode.
template <auto M>
void apply_pinned(A& a, const Accepted& v) {
  apply_member<M>(a, v);
  a.port_pinned = true;
}
std::string show_tls_port(const A& a, const KeyInfo&) {
  if (!a.local_tls_port && a.local_sip_port >= 65535) return {};
  return std::to_string(a.tls_port());
}
std::string show_nothing(const A&, const KeyInfo&) {
  return {};
}

// Identity (needed by every row of the seed).
std::vector<Field<A>> identity_fields() {
  return {
      bind<&A::name>({.key = "name",
                      .default_text = "Account N",
                      .help = "label shown in status, logs and metrics"}),
      bind<&A::active>({.key = "active",
                        .kind = K::boolean,
                        .default_text = "true",
                        .help = "the account does nothing when false"}),
      bind<&A::sip_server>({.key = "sip_server",
                            .kind = K::host_port,
                            .required = true,
                            .help = "registrar/proxy, host[:port] (IPv6 in brackets)"}),
      bind<&A::outbound_proxy>({.key = "outbound_proxy",
                                .kind = K::host_port,
                                .help = "where requests go instead of sip_server, host[:port]"}),
      bind<&A::user_id>({.key = "user_id",
                         .kind = K::user,
                         .required = true,
                         .help = "user part of the AOR sip:user_id@sip_server_host"}),
      {{.key = "auth_id", .default_text = "user_id", .help = "digest username"},
       &apply_member<&A::auth_id>,
       &show_auth_id},
      {{.key = "password", .kind = K::secret, .help = "digest secret; never logged or returned"},
       &apply_password,
       &show_nothing},
      {{.key = "password_file",
        .kind = K::secret_file,
        .help = "file holding the digest secret (trailing newline stripped)"},
       &apply_password_file,
       &show_member<&A::password_file>},
      bind<&A::display_name>(
          {.key = "display_name", .help = "display name in From and P-Preferred-Identity"}),
      bind<&A::sip_registration>({.key = "sip_registration",
                                  .kind = K::boolean,
                                  .default_text = "true",
                                  .help = "send REGISTER at all"}),
  };
}

// The seed's rows: the device's "SIP Settings".
std::vector<Field<A>> seed_fields() {
  return {
      bind<&A::unregister_before_new_registration>(
          {.key = "unregister_before_new_registration",
           .kind = K::choice,
           .choices = kUnregister,
           .default_text = "instance",
           .help = "at start: remove no bindings, all bindings of the AOR, or this instance's"}),
      bind<&A::register_expiration_min>({.key = "register_expiration_min",
                                         .kind = K::integer,
                                         .min = 1,
                                         .max = 64800,
                                         .unit = "min",
                                         .default_text = "60",
                                         .help = "registration lifetime asked for"}),
      bind<&A::subscribe_expiration_min>({.key = "subscribe_expiration_min",
                                          .kind = K::integer,
                                          .min = 1,
                                          .max = 64800,
                                          .unit = "min",
                                          .default_text = "60",
                                          .help = "subscription lifetime asked for"}),
      bind<&A::reregister_before_expiration_s>(
          {.key = "reregister_before_expiration_s",
           .kind = K::integer,
           .min = 0,
           .max = 64800,
           .unit = "s",
           .default_text = "0",
           .help = "refresh this long before expiry; 0 = automatic"}),
      bind<&A::registration_retry_wait_s>({.key = "registration_retry_wait_s",
                                           .kind = K::integer,
                                           .min = 1,
                                           .max = 3600,
                                           .unit = "s",
                                           .default_text = "20",
                                           .help = "wait before retrying a failed registration"}),
      bind<&A::add_auth_header_on_reregister>(
          {.key = "add_auth_header_on_reregister",
           .kind = K::boolean,
           .default_text = "false",
           .help = "every refresh REGISTER (and SUBSCRIBE) carries Authorization"}),
      bind<&A::options_keepalive>({.key = "options_keepalive",
                                   .kind = K::boolean,
                                   .default_text = "false",
                                   .help = "send OPTIONS keep-alives"}),
      bind<&A::options_keepalive_interval_s>({.key = "options_keepalive_interval_s",
                                              .kind = K::integer,
                                              .min = 1,
                                              .max = 64800,
                                              .unit = "s",
                                              .default_text = "30",
                                              .help = "interval between OPTIONS"}),
      bind<&A::options_keepalive_max_tries>({.key = "options_keepalive_max_tries",
                                             .kind = K::integer,
                                             .min = 3,
                                             .max = 10,
                                             .default_text = "3",
                                             .help = "misses in a row before re-registering"}),
      bind<&A::outbound>({.key = "outbound",
                          .kind = K::boolean,
                          .default_text = "false",
                          .help = "RFC 5626 outbound: instance ID and reg-id in the Contact"}),
      bind<&A::use_privacy_header>({.key = "use_privacy_header",
                                    .kind = K::boolean,
                                    .default_text = "false",
                                    .help = "INVITEs carry Privacy:"}),
      bind<&A::use_p_preferred_identity_header>({.key = "use_p_preferred_identity_header",
                                                 .kind = K::boolean,
                                                 .default_text = "false",
                                                 .help = "INVITEs carry P-Preferred-Identity:"}),
      bind<&A::transport>({.key = "transport",
                           .kind = K::choice,
                           .choices = kTransport,
                           .default_text = "udp",
                           .help = "SIP transport (auto: NAPTR/SRV choose, RFC 3263)"}),
      {{.key = "local_sip_port",
        .kind = K::integer,
        .min = 5,
        .max = 65535,
        .default_text = "5060 + 2*(N-1)",
        .help = "local UDP/TCP port"},
       &apply_pinned<&A::local_sip_port>,
       &show_member<&A::local_sip_port>},
      bind<&A::tls_uri_scheme>({.key = "tls_uri_scheme",
                                .kind = K::choice,
                                .choices = kScheme,
                                .default_text = "sip",
                                .help = "URI scheme used with TLS"}),
  };
}

// Beyond the seed (needed by its rows).
std::vector<Field<A>> beyond_fields() {
  return {
      bind<&A::auth_failure_retry_wait_s>({.key = "auth_failure_retry_wait_s",
                                           .kind = K::integer,
                                           .min = 1,
                                           .max = 86400,
                                           .unit = "s",
                                           .default_text = "300",
                                           .help = "wait after a credentials failure"}),
      {{.key = "local_tls_port",
        .kind = K::integer,
        .min = 5,
        .max = 65535,
        .default_text = "local_sip_port + 1",
        .help = "local TLS listening port"},
       &apply_pinned<&A::local_tls_port>,
       &show_tls_port},
      bind<&A::tls_verify>({.key = "tls_verify",
                            .kind = K::boolean,
                            .default_text = "true",
                            .help = "verify the server certificate and name"}),
      bind<&A::tls_ca_file>({.key = "tls_ca_file",
                             .kind = K::file,
                             .help = "CA bundle for TLS; empty: the system CAs"}),
      bind<&A::bind_address>(
          {.key = "bind_address",
           .kind = K::ip_address,
           .default_text = "both wildcards",
           .help = "local address the account listens and sends on (\"0.0.0.0\": IPv4 only, "
                   "\"::\": IPv6 only, one address); \"\": 0.0.0.0 and :: both"}),
      bind<&A::subscribe_mwi>({.key = "subscribe_mwi",
                               .kind = K::boolean,
                               .default_text = "false",
                               .help = "subscribe to message-waiting indication (RFC 3842)"}),
      bind<&A::mwi_uri>({.key = "mwi_uri",
                         .kind = K::sip_uri,
                         .default_text = "the account's AOR",
                         .help = "where the MWI SUBSCRIBE goes (the voice-mail URI)"}),
      bind<&A::subscribe_reg_event>(
          {.key = "subscribe_reg_event",
           .kind = K::boolean,
           .default_text = "false",
           .help = "watch our own registration (RFC 3680); re-REGISTER when the registrar "
                   "drops or shortens our binding"}),
      bind<&A::blf>({.key = "blf",
                     .kind = K::uri_list,
                     .max = 200,
                     .default_text = "[]",
                     .help = "busy-lamp-field: URIs or users (@sip_server) watched with the "
                             "dialog event package (RFC 4235)"}),
      bind<&A::user_agent>({.key = "user_agent",
                            .default_text = "sipline/VERSION",
                            .help = "User-Agent of our requests and Server of our responses; "
                                    "\"\" sends none"}),
      bind<&A::auto_answer>({.key = "auto_answer",
                             .kind = K::boolean,
                             .default_text = "false",
                             .help = "answer incoming calls by itself"}),
      bind<&A::auto_answer_delay_s>({.key = "auto_answer_delay_s",
                                     .kind = K::integer,
                                     .min = 0,
                                     .max = 600,
                                     .unit = "s",
                                     .default_text = "0",
                                     .help = "ring this long before auto_answer answers"}),
      bind<&A::max_calls>({.key = "max_calls",
                           .kind = K::integer,
                           .min = 1,
                           .max = 1000,
                           .default_text = "4",
                           .help = "calls at once; one more INVITE gets 486 Busy Here"}),
      bind<&A::accept_calls_from_server_only>(
          {.key = "accept_calls_from_server_only",
           .kind = K::boolean,
           .default_text = "false",
           .help = "requests not from sip_server/outbound_proxy get 403"}),
      bind<&A::media_file>(
          {.key = "media_file",
           .kind = K::file,
           .help = "WAV (8 kHz mono) played looped on every call; empty: silence"}),
  };
}

std::vector<Field<A>> make_account_fields() {
  std::vector<Field<A>> all = identity_fields();
  for (auto part : {seed_fields(), beyond_fields()})
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

using D = DaemonConfig;
std::vector<Field<D>> make_daemon_fields() {
  return {
      bind<&D::state_dir>({.key = "state_dir",
                           .default_text = "/var/lib/sipline",
                           .help = "last registered contact per account, call history"}),
      bind<&D::http_listen>({.key = "http_listen",
                             .kind = K::listen,
                             .default_text = "127.0.0.1:8080",
                             .help = "web page, REST API, /metrics; \"\" turns it off"}),
      bind<&D::log_level>({.key = "log_level",
                           .kind = K::choice,
                           .choices = kLogLevel,
                           .default_text = "info",
                           .help = "log verbosity"}),
      bind<&D::log_target>({.key = "log_target",
                            .kind = K::choice,
                            .choices = kLogTarget,
                            .default_text = "stderr",
                            .help = "where the daemon logs: stderr, or systemd's journal"}),
      bind<&D::sip_trace>({.key = "sip_trace",
                           .help = "text file for every SIP message sent and received; \"\" off"}),
      bind<&D::tls_cert_file>(
          {.key = "tls_cert_file",
           .kind = K::file,
           .help = "PEM certificate every TLS listener serves; \"\": a generated self-signed one"}),
      bind<&D::tls_key_file>({.key = "tls_key_file",
                              .kind = K::file,
                              .help = "PEM private key of tls_cert_file; \"\": in tls_cert_file"}),
      bind<&D::registrations_in_flight>(
          {.key = "registrations_in_flight",
           .kind = K::integer,
           .min = 1,
           .max = 10000,
           .default_text = "64",
           .help = "registration attempts in progress at once, all accounts together"}),
      bind<&D::admission>(
          {.key = "admission",
           .kind = K::choice,
           .choices = kAdmission,
           .default_text = "auto",
           .help = "auto: the in-flight limit adapts to the registrar (from "
                   "registrations_in_flight, +1 per window answered, halved on timeout or 503, "
                   "8..4096); fixed: registrations_in_flight"}),
      bind<&D::rtp_port_min>({.key = "rtp_port_min",
                              .kind = K::integer,
                              .min = 1024,
                              .max = 65534,
                              .default_text = "16384",
                              .help = "lowest RTP port for calls (even ports, RTCP on +1)"}),
      bind<&D::rtp_port_max>({.key = "rtp_port_max",
                              .kind = K::integer,
                              .min = 1025,
                              .max = 65535,
                              .default_text = "32767",
                              .help = "highest RTP/RTCP port for calls"}),
      bind<&D::call_record_dir>(
          {.key = "call_record_dir",
           .help = "directory for each call's received audio as CALLID.wav; \"\" off"}),
      bind<&D::http_token_file>(
          {.key = "http_token_file",
           .default_text = "http_token",
           .help = "bearer token file of the HTTP side, relative to state_dir, generated when "
                   "absent; \"\": no token (loopback only)"}),
      bind<&D::metrics_public>({.key = "metrics_public",
                                .kind = K::boolean,
                                .default_text = "true",
                                .help = "GET /metrics without the token (loopback listen only)"}),
      bind<&D::http_host_names>(
          {.key = "http_host_names",
           .help = "Host names the HTTP side answers to besides IP literals and localhost, "
                   "comma-separated"}),
      bind<&D::http_max_connections>({.key = "http_max_connections",
                                      .kind = K::integer,
                                      .min = 1,
                                      .max = 10000,
                                      .default_text = "128",
                                      .help = "HTTP connections served at once; more get 503"}),
      bind<&D::http_tls_cert_file>(
          {.key = "http_tls_cert_file",
           .kind = K::file,
           .help = "PEM certificate: the HTTP side speaks HTTPS; \"\": plain HTTP"}),
      bind<&D::http_tls_key_file>(
          {.key = "http_tls_key_file",
           .kind = K::file,
           .help = "PEM private key of http_tls_cert_file; \"\": in http_tls_cert_file"}),
      bind<&D::dns_servers>(
          {.key = "dns_servers",
           .kind = K::ip_list,
           .help = "DNS servers that locate sip_server (SRV, A), \"ip[:port]\" comma-separated; "
                   "\"\": the system's"}),
      bind<&D::metrics_per_account>(
          {.key = "metrics_per_account",
           .kind = K::auto_bool,
           .choices = kAutoSwitch,
           .default_text = "auto",
           .help = "/metrics series per account; false: engine-wide aggregates only; auto: per "
                   "account up to 1000 accounts"}),
      bind<&D::shared_port>(
          {.key = "shared_port",
           .kind = K::shared_ports,
           .help = "shared-port mode: \"udp:5060\" (tcp:, tls:, comma-separated): accounts not "
                   "pinning local_sip_port share that socket; \"\": a port per account"}),
  };
}

using T = SipTimerConfig;
std::vector<Field<T>> make_timer_fields() {
  return {
      bind<&T::t1>({.key = "t1_ms",
                    .kind = K::integer,
                    .min = 1,
                    .max = 60000,
                    .unit = "ms",
                    .default_text = "500",
                    .help = "RFC 3261 T1, round-trip time estimate"}),
      bind<&T::t2>({.key = "t2_ms",
                    .kind = K::integer,
                    .min = 1,
                    .max = 600000,
                    .unit = "ms",
                    .default_text = "4000",
                    .help = "RFC 3261 T2, max retransmit interval"}),
      bind<&T::t4>({.key = "t4_ms",
                    .kind = K::integer,
                    .min = 1,
                    .max = 600000,
                    .unit = "ms",
                    .default_text = "5000",
                    .help = "RFC 3261 T4, max message lifetime"}),
  };
}

}  // namespace

std::span<const Field<AccountConfig>> account_fields() {
  static const std::vector<Field<AccountConfig>> fields = make_account_fields();
  return fields;
}
std::span<const Field<DaemonConfig>> daemon_fields() {
  static const std::vector<Field<DaemonConfig>> fields = make_daemon_fields();
  return fields;
}
std::span<const Field<SipTimerConfig>> timer_fields() {
  static const std::vector<Field<SipTimerConfig>> fields = make_timer_fields();
  return fields;
}

}  // namespace sipline::config::detail
