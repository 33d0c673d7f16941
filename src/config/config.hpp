// The validated configuration: one small struct per concern, std::chrono units, defaults from
// /work/shared/spec/account-settings.md (see docs/config.md for every key's meaning and range).
// Values here are always valid: the loader (config/load.hpp) never clamps, it reports problems.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/shared_text.hpp"
#include "base/timers.hpp"

namespace sipline::config {

// A "host[:port]" value. `host` is a DNS name, an IPv4 literal or an IPv6 literal (stored without
// the brackets). An empty host means "not set" (no outbound proxy, HTTP off).
struct HostPort {
  // Shared: a fleet's thousands of accounts name one server (16 bytes each, not 40).
  base::SharedText host;
  std::optional<std::uint16_t> port;  // absent: the protocol's default

  bool empty() const { return host.empty(); }
  bool is_ipv6() const { return host.str().find(':') != std::string::npos; }
  std::string to_string() const;  // "host", "host:port", "[v6]:port"; "" when empty
  bool operator==(const HostPort&) const = default;
};

enum class LogLevel { trace, debug, info, warn, error };
// A switch that may be left to sipline: "auto", true or false.
enum class AutoSwitch { automatic, on, off };
// Where the daemon logs: "stderr" (console) or "journal" (systemd's journal, with priorities).
enum class LogTarget { console, journal };
enum class UnregisterMode : std::uint8_t {
  no,
  all,
  instance
};  // `unregister_before_new_registration`
// `automatic` ("auto"): chosen by RFC 3263 §4.1 (NAPTR, then SRV) when the account starts.
enum class Transport : std::uint8_t { udp, tcp, tls, automatic };
enum class UriScheme : std::uint8_t { sip, sips };  // `tls_uri_scheme`
// [daemon] admission: the gate's capacity adapts to the registrar ("auto", AIMD from
// registrations_in_flight) or stays registrations_in_flight ("fixed").
enum class Admission { automatic, fixed };

std::string_view to_string(LogLevel v);
std::string_view to_string(UnregisterMode v);
std::string_view to_string(Transport v);
std::string_view to_string(UriScheme v);

// [daemon]
struct DaemonConfig {
  std::string state_dir = "/var/lib/sipline";  // last contact per account, call history
  HostPort http_listen{"127.0.0.1", 8080};     // web page, REST API, /metrics; empty: off
  LogLevel log_level = LogLevel::info;
  LogTarget log_target = LogTarget::console;
  std::string sip_trace;  // file for every SIP message; "" off
  // PEM certificate (chain) every TLS listener serves, and its key ("": in tls_cert_file).
  // Both "": a self-signed certificate generated at startup. Paths resolved like tls_ca_file.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Registration attempts in flight at once across all accounts (1..10000); the rest wait in
  // arrival order. Bounds the burst a registrar sees (daemon start, outage over, SIGTERM).
  int registrations_in_flight = 64;
  // "auto": the limit starts at registrations_in_flight, grows by one per window of attempts
  // answered and halves on a timeout or 503 (floor 8, ceiling 4096; base/admission.hpp).
  Admission admission = Admission::automatic;
  // RTP ports for calls: even ports of [rtp_port_min, rtp_port_max], RTCP on the odd one above
  // (1024..65534 and 1025..65535; max >= min + 1).
  int rtp_port_min = 16384;
  int rtp_port_max = 32767;
  std::string call_record_dir;  // "" no recording; else each call's received audio as CALLID.wav
  // HTTP access control. The bearer token's file, relative to state_dir; generated (mode 0600)
  // on first start when absent; "" = no token (only allowed on a loopback http_listen).
  std::string http_token_file = "http_token";
  bool metrics_public = true;      // GET /metrics without the token (on a loopback listen only)
  std::string http_host_names;     // extra accepted Host names, comma-separated (DNS rebinding)
  int http_max_connections = 128;  // HTTP connections served at once; more are refused (503)
  // HTTPS on the HTTP side when set: PEM certificate (chain) and key ("" = key in the cert file).
  std::string http_tls_cert_file;
  std::string http_tls_key_file;
  // DNS servers for locating SIP servers (RFC 3263), "ip[:port]" comma-separated ("[v6]:port");
  // "": the system's (/etc/resolv.conf).
  std::string dns_servers;
  // /metrics: a series per account (true), engine-wide aggregates only (false), or per account
  // up to kMetricsPerAccountAuto accounts (auto).
  AutoSwitch metrics_per_account = AutoSwitch::automatic;
  // Shared-port mode: "udp:5060", "tcp:5060", "tls:5061", comma-separated (one per protocol).
  // Every account that does not pin its port (local_sip_port / local_tls_port) and whose
  // transport is listed uses that one socket (both families) with the other accounts; "": off
  // (device mode, a port per account).
  std::string shared_port;
};
inline constexpr std::size_t kMetricsPerAccountAuto = 1000;

// One entry of [daemon] shared_port.
struct SharedPortSpec {
  Transport transport = Transport::udp;
  std::uint16_t port = 0;
  bool operator==(const SharedPortSpec&) const = default;
};
// Parses "udp:5060,tls:5061": each entry PROTOCOL:PORT, protocol udp/tcp/tls (once each), port
// 1..65535. Empty text: none. false and `why` on the first bad entry.
bool parse_shared_ports(std::string_view text, std::vector<SharedPortSpec>& out, std::string& why);

// [timers] (beyond the seed): RFC 3261 timer base values, milliseconds in the file.
struct SipTimerConfig {
  base::Duration t1{500};   // t1_ms: RTT estimate, 1..60000
  base::Duration t2{4000};  // t2_ms: max non-INVITE retransmit interval, 1..600000, >= t1
  base::Duration t4{5000};  // t4_ms: max time a message stays in the network, 1..600000
};

// An account's durations: 32-bit counts, which every key's range fits (a fleet keeps a config
// per account; 64-bit counts and the padding around them cost ~60 bytes each).
using Seconds = std::chrono::duration<std::int32_t>;
using Minutes = std::chrono::duration<std::int32_t, std::ratio<60>>;

// One [[account]]. Field names are the config keys; the unit is in the type and the name.
// Grouped by size (texts, durations, numbers, switches) so that nothing pads: see
// docs/config.md for the keys in their usual order.
struct AccountConfig {
  // Identity.
  std::string name;                // default "Account N"
  std::string user_id;             // required: user part of the AOR
  std::string password;            // digest secret (also filled from password_file); never logged
  HostPort sip_server;             // required: registrar / proxy
  HostPort outbound_proxy;         // empty: send to sip_server
  base::SharedText auth_id;        // digest username; empty means user_id (see auth_user())
  base::SharedText password_file;  // where `password` was read from ("" when given inline)
  base::SharedText display_name;
  // Beyond the seed.
  base::SharedText tls_ca_file;  // "": system CAs
  // Local address the account's sockets bind to; "": both wildcards (0.0.0.0 and ::).
  base::SharedText bind_address;
  base::SharedText mwi_uri;      // "": the account's AOR
  std::vector<std::string> blf;  // URIs or bare users (taken @sip_server host); <= 200
  // User-Agent of requests, Server of responses; default "sipline/VERSION".
  base::SharedText user_agent;
  base::SharedText media_file;  // calls: WAV played looped on every call; "": silence
  // Not a key: set by the engine in shared-port mode when two accounts on a shared socket have
  // the same user: the Contact carries ";line=TOKEN" so incoming requests find their account.
  base::SharedText contact_line;

  // The seed's rows (durations).
  Minutes register_expiration_min{60};        // 1..64800
  Minutes subscribe_expiration_min{60};       // 1..64800
  Seconds reregister_before_expiration_s{0};  // 0..64800, 0 = automatic
  Seconds registration_retry_wait_s{20};      // 1..3600
  Seconds options_keepalive_interval_s{30};   // 1..64800
  // Beyond the seed.
  Seconds auth_failure_retry_wait_s{300};  // 1..86400
  Seconds auto_answer_delay_s{0};          // calls, 0..600: ring this long first

  int options_keepalive_max_tries = 3;          // 3..10
  int max_calls = 4;                            // calls, 1..1000: one more INVITE gets 486
  std::uint16_t local_sip_port = 5060;          // 5..65535, 5060 + 2*(N-1)
  std::optional<std::uint16_t> local_tls_port;  // 5..65535; absent: sip+1
  UnregisterMode unregister_before_new_registration = UnregisterMode::instance;
  Transport transport = Transport::udp;
  UriScheme tls_uri_scheme = UriScheme::sip;

  bool active = true;            // false: the account does nothing
  bool sip_registration = true;  // send REGISTER at all
  bool add_auth_header_on_reregister = false;
  bool options_keepalive = false;
  bool outbound = false;  // RFC 5626: +sip.instance, reg-id, ;ob, Supported: outbound, path
  bool use_privacy_header = false;
  bool use_p_preferred_identity_header = false;
  bool tls_verify = true;
  bool subscribe_mwi = false;
  bool subscribe_reg_event = false;
  // Calls (calls-and-subscriptions.md "Keys").
  bool auto_answer = false;                    // answer incoming calls by itself
  bool accept_calls_from_server_only = false;  // others' requests get 403
  // Not a key: set for the accounts of a [[fleet]]. Their first refresh and first keep-alive
  // are drawn across the whole interval, so N accounts started together do not refresh in one
  // wave forever (account/policy.hpp, spread_phase); later cycles follow the usual rules.
  bool spread_first_refresh = false;
  // Not a key: local_sip_port or local_tls_port was written (in [[account]] or the [[fleet]]
  // template). Such an account keeps a socket of its own in shared-port mode.
  bool port_pinned = false;

  const std::string& auth_user() const { return auth_id.empty() ? user_id : auth_id.str(); }
  // The TLS listening port: local_tls_port, else local_sip_port + 1 (validated to fit when the
  // account uses TLS).
  std::uint16_t tls_port() const {
    return local_tls_port ? *local_tls_port : static_cast<std::uint16_t>(local_sip_port + 1);
  }
  // TLS is or may be its transport ("auto" may choose it).
  bool may_use_tls() const {
    return transport == Transport::tls || transport == Transport::automatic;
  }
  // The port this account listens on for its transport.
  std::uint16_t listen_port() const {
    return transport == Transport::tls ? tls_port() : local_sip_port;
  }
  // Shared-port mode: over `t` this account uses the shared socket of `shared` (its port is not
  // pinned, it binds no address of its own, and `t` is listed there).
  bool shares_port(Transport t, std::span<const SharedPortSpec> shared) const {
    if (port_pinned || !bind_address.empty()) return false;
    for (const auto& s : shared) {
      if (s.transport == t) return true;
    }
    return false;
  }
  // On the shared TLS socket of `shared` whenever it uses TLS (it shares that socket's checks of
  // servers: tls_verify, tls_ca_file).
  bool on_shared_tls(std::span<const SharedPortSpec> shared) const {
    return active && may_use_tls() && shares_port(Transport::tls, shared);
  }
  bool operator==(const AccountConfig&) const = default;  // SIGHUP: changed or not
};

// The defaults of account N (1-based): name "Account N", local_sip_port 5060 + 2*(N-1).
// For N so large that the port would pass 65535 the port is left at 0 (the loader reports it).
AccountConfig default_account(int index);
// Its local_sip_port alone (0 past 65535).
std::uint16_t default_sip_port(int index);

struct Config {
  DaemonConfig daemon;
  SipTimerConfig timers;
  std::vector<AccountConfig> accounts;  // in file order; accounts[i] is "account[i+1]"
};

// Shared-port mode: gives each account that may use a shared socket and has a user_id another
// such account has too a Contact line token ("l" + its 1-based index), and clears it on every
// other account. A no-op (all cleared) without [daemon] shared_port.
void assign_contact_lines(Config& config);

}  // namespace sipline::config
