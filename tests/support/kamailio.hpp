// A real Kamailio 5.6 (kamailio/sipline.cfg) for integration and end-to-end tests.
//
//   sipline::test::Kamailio kam;            // options: see KamailioOptions
//   kam.start();                            // throws std::runtime_error with the log tail
//   send REGISTER to 127.0.0.1:kam.udp_port() (or tcp_port(), tls_port() with kam.cert_path())
//   auto bindings = kam.ul_dump();          // what the registrar holds now
//
// Users 1000..1999, alice and bob exist; the password of user U is Kamailio::password(U).
// Each instance has its own run dir (removed on success, kept and reported when the current
// test failed; SIPLINE_KEEP_RUNDIR=1 always keeps it). The destructor always stops Kamailio,
// and a watchdog kills it if the test process dies first.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"

namespace sipline::test {

struct KamailioOptions {
  std::uint16_t sip_port = 0;  // UDP and TCP; 0 picks a free one (and retries on a bind race)
  std::uint16_t tls_port = 0;  // 0: sip_port + 1
  bool tls = true;
  bool ipv6 = false;              // also listen on [::1]
  std::string algorithm = "MD5";  // digest algorithm: "MD5" or "SHA-256"
  int challenge_flags = 1;        // 1 qop=auth, 2 qop=auth-int, 3 both
  int nonce_expire_s = 300;
  bool nonce_count = false;  // check that nc grows (auth module nonce_count)
  int min_expires_s = 60;
  bool min_expires_423 = true;  // false: raise short expiries to the minimum instead
  int max_expires_s = 7200;
  int default_expires_s = 3600;
  int max_contacts = 0;        // 0: unlimited
  bool forbidden_user = true;  // REGISTERs for user "forbidden" get 403 (WITH_FORBIDDEN_USER)
  bool invite_auth = false;    // challenge INVITE/other requests with 407 (WITH_INVITE_AUTH)
  // Presence server (WITH_PRESENCE): SUBSCRIBE/PUBLISH for message-summary and dialog events,
  // state in a sqlite file in the run directory made from Kamailio's shipped schema.
  bool presence = false;
  int log_level = 2;                 // Kamailio debug level (2 info, 3 debug)
  std::vector<std::string> defines;  // extra "-A" values: "NAME" or "NAME=VALUE"
  std::chrono::milliseconds start_timeout{10000};
  std::string binary = "/usr/sbin/kamailio";
  std::string kamcmd = "/usr/sbin/kamcmd";
};

// One registrar binding as listed by `kamcmd ul.dump` (expired ones are left out).
struct Binding {
  std::string aor;       // user part only (usrloc runs without domains): "1000"
  std::string contact;   // the Contact URI as registered
  int expires_s = 0;     // seconds left; -1 for permanent
  std::string received;  // source address the registrar saved (TCP/TLS), "" when not set
  std::string socket;    // Kamailio's listener, "udp:127.0.0.1:5060"
  std::string call_id;
  std::uint32_t cseq = 0;
  std::string user_agent;
  std::string instance;  // +sip.instance, "" when not set
  int reg_id = 0;        // RFC 5626 reg-id, 0 when not set
};

class Kamailio {
 public:
  explicit Kamailio(KamailioOptions options = {});
  ~Kamailio();
  Kamailio(const Kamailio&) = delete;
  Kamailio& operator=(const Kamailio&) = delete;

  void start();    // throws std::runtime_error when it does not answer within start_timeout
  void stop();     // SIGTERM, SIGKILL to the group after a bound; idempotent
  void restart();  // stop + start on the same ports; every binding is lost (memory only)
  void freeze();   // SIGSTOP to the whole process group: a server that stops answering
  void thaw();     // SIGCONT
  bool running();
  pid_t pid() const { return process_.pid(); }  // main process = process group; -1 if stopped

  static std::string password(std::string_view user) { return "pw-" + std::string(user); }

  std::string host() const { return "127.0.0.1"; }
  std::uint16_t udp_port() const { return sip_port_; }
  std::uint16_t tcp_port() const { return sip_port_; }
  std::uint16_t tls_port() const { return tls_port_; }
  std::string uri() const;  // "sip:127.0.0.1:PORT"
  const std::filesystem::path& run_dir() const { return run_dir_; }
  std::filesystem::path cert_path() const { return run_dir_ / "cert.pem"; }  // also the CA
  std::filesystem::path key_path() const { return run_dir_ / "key.pem"; }    // its key
  std::filesystem::path log_path() const { return run_dir_ / "kamailio.log"; }
  std::string ctl_socket() const { return "unix:" + (run_dir_ / "ctl.sock").string(); }

  // RPC through kamcmd (bounded by 5 s; throws std::runtime_error on failure or timeout).
  std::string rpc(const std::vector<std::string>& args) const;
  std::vector<Binding> ul_dump() const;
  std::vector<Binding> bindings_of(std::string_view aor) const;
  // Every counter of `stats.get_statistics all`: "usrloc:registered_users" -> 1 ...
  std::map<std::string, long long> stats() const;
  // Runtime switches of sipline.cfg: drop_register, drop_options, register_code, retry_after,
  // options_auth (pv.shvSet NAME int VALUE).
  void set_switch(std::string_view name, int value) const;
  // Registrar limits at runtime: min_expires, max_expires, default_expires, max_contacts ...
  void set_registrar(std::string_view name, int value) const;
  // The last `lines` lines of the log (for failure messages).
  std::string log_tail(std::size_t lines = 40) const;

 private:
  std::vector<std::string> command_line() const;
  void make_run_dir();
  void make_certificate();
  void make_presence_db();
  bool spawn_and_wait(std::string* why);
  bool answers_options() const;

  KamailioOptions options_;
  std::uint16_t sip_port_ = 0;
  std::uint16_t tls_port_ = 0;
  std::filesystem::path run_dir_;
  ChildProcess process_;
};

// Parses the text `kamcmd ul.dump` prints (exposed for unit tests of the parser).
std::vector<Binding> parse_ul_dump(std::string_view text);
// Parses `kamcmd stats.get_statistics all` ("group:name = value" lines).
std::map<std::string, long long> parse_stats(std::string_view text);

}  // namespace sipline::test
