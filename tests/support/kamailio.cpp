#include "support/kamailio.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/net.hpp"

#ifndef SIPLINE_SOURCE_DIR
#error "SIPLINE_SOURCE_DIR must be defined by the build"
#endif

namespace sipline::test {
namespace {

using Clock = std::chrono::steady_clock;

std::filesystem::path config_file() {
  if (const char* env = std::getenv("SIPLINE_KAMAILIO_CFG")) {
    return env;
  }
  return std::filesystem::path(SIPLINE_SOURCE_DIR) / "kamailio" / "sipline.cfg";
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::string not_set_to_empty(std::string v) {
  return v == "[not set]" ? std::string{} : v;
}

std::string random_token() {
  static std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(rng());
}

}  // namespace

Kamailio::Kamailio(KamailioOptions options) : options_(std::move(options)) {}

Kamailio::~Kamailio() {
  stop();
  if (run_dir_.empty()) {
    return;
  }
  const bool failed = ::testing::Test::HasFailure();
  if (failed || std::getenv("SIPLINE_KEEP_RUNDIR") != nullptr) {
    std::cerr << "[kamailio] run dir kept: " << run_dir_.string() << "\n";
    if (failed) {
      std::cerr << "[kamailio] log tail:\n" << log_tail() << "\n";
    }
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(run_dir_, ec);
}

std::string Kamailio::uri() const {
  return "sip:127.0.0.1:" + std::to_string(sip_port_);
}

void Kamailio::make_run_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/sipline-kamailio-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("Kamailio: mkdtemp failed for " + pattern);
  }
  run_dir_ = pattern;
}

void Kamailio::make_certificate() {
  RunResult r = run_command(
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-keyout", key_path().string(), "-out", cert_path().string(), "-days", "2",
       "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"},
      std::chrono::seconds(10));
  if (r.exit_code != 0) {
    throw std::runtime_error("Kamailio: openssl req failed: " + r.output);
  }
}

// The presence tables (and the version table Kamailio checks them against) in a fresh sqlite
// file; the schema is the one Debian's kamailio-sqlite-modules ships.
void Kamailio::make_presence_db() {
  const std::string dir = "/usr/share/kamailio/db_sqlite/";
  const std::string db = (run_dir_ / "presence.db").string();
  for (const char* schema : {"standard-create.sql", "presence-create.sql"}) {
    RunResult r = run_command({"sqlite3", db, ".read " + dir + schema}, std::chrono::seconds(10));
    if (r.exit_code != 0) {
      throw std::runtime_error("Kamailio: sqlite3 " + std::string(schema) + " failed: " + r.output);
    }
  }
}

std::vector<std::string> Kamailio::command_line() const {
  const auto& o = options_;
  std::vector<std::string> argv = {o.binary,
                                   "-DD",
                                   "-E",
                                   "-f",
                                   config_file().string(),
                                   "-P",
                                   (run_dir_ / "kamailio.pid").string(),
                                   "-Y",
                                   run_dir_.string()};
  auto define = [&argv](const std::string& d) {
    argv.push_back("-A");
    argv.push_back(d);
  };
  define("SIP_PORT=" + std::to_string(sip_port_));
  define("TLS_PORT=" + std::to_string(tls_port_));
  define("CTL_SOCKET=" + quoted(ctl_socket()));
  define("LOG_LEVEL=" + std::to_string(o.log_level));
  define("AUTH_ALGORITHM=" + quoted(o.algorithm));
  define("CHALLENGE_FLAGS=" + std::to_string(o.challenge_flags));
  define("NONCE_EXPIRE=" + std::to_string(o.nonce_expire_s));
  define("MIN_EXPIRES=" + std::to_string(o.min_expires_s));
  define("MIN_EXPIRES_MODE=" + std::string(o.min_expires_423 ? "1" : "0"));
  define("MAX_EXPIRES=" + std::to_string(o.max_expires_s));
  define("DEFAULT_EXPIRES=" + std::to_string(o.default_expires_s));
  define("MAX_CONTACTS=" + std::to_string(o.max_contacts));
  if (o.tls) {
    define("WITH_TLS");
    define("TLS_CERT=" + quoted(cert_path().string()));
    define("TLS_KEY=" + quoted((run_dir_ / "key.pem").string()));
  }
  if (o.ipv6) define("WITH_IPV6");
  if (o.forbidden_user) define("WITH_FORBIDDEN_USER");
  if (o.nonce_count) define("WITH_NONCE_COUNT");
  if (o.invite_auth) define("WITH_INVITE_AUTH");
  if (o.presence) {
    define("WITH_PRESENCE");
    define("PRESENCE_DB=" + quoted("sqlite://" + (run_dir_ / "presence.db").string()));
    define("PRESENCE_SERVER=" + quoted("sip:127.0.0.1:" + std::to_string(sip_port_)));
  }
  for (const auto& d : o.defines) define(d);
  return argv;
}

bool Kamailio::answers_options() const {
  UdpSocket probe("127.0.0.1", 0);
  const std::string token = random_token();
  const std::string lp = std::to_string(probe.local_port());
  const std::string msg = "OPTIONS " + uri() + " SIP/2.0\r\n" + "Via: SIP/2.0/UDP 127.0.0.1:" + lp +
                          ";rport;branch=z9hG4bK-p" + token + "\r\n" + "Max-Forwards: 70\r\n" +
                          "From: <sip:probe@127.0.0.1>;tag=p" + token + "\r\n" + "To: <" + uri() +
                          ">\r\n" + "Call-ID: probe-" + token + "@127.0.0.1\r\n" +
                          "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  probe.send_to(msg, "127.0.0.1", sip_port_);
  auto reply = probe.recv(std::chrono::milliseconds(200));
  return reply && reply->rfind("SIP/2.0 ", 0) == 0;
}

bool Kamailio::spawn_and_wait(std::string* why) {
  std::error_code ec;
  std::filesystem::remove(run_dir_ / "ctl.sock", ec);
  std::filesystem::remove(run_dir_ / "kamailio.pid", ec);
  {
    std::ofstream log(log_path(), std::ios::app);
    log << "==== sipline test harness: starting on udp/tcp " << sip_port_ << ", tls " << tls_port_
        << "\n";
  }
  process_.spawn(command_line(), log_path());
  const auto deadline = Clock::now() + options_.start_timeout;
  while (Clock::now() < deadline) {
    if (!process_.running()) {
      *why = "kamailio exited with code " + std::to_string(process_.exit_code().value_or(-1));
      return false;
    }
    if (std::filesystem::exists(run_dir_ / "ctl.sock") && answers_options()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *why = "no answer to OPTIONS within the start timeout";
  return false;
}

void Kamailio::start() {
  if (running()) {
    return;
  }
  if (run_dir_.empty()) {
    make_run_dir();
    make_certificate();
    if (options_.presence) make_presence_db();
  }
  const bool may_pick_ports = options_.sip_port == 0 && sip_port_ == 0;
  if (sip_port_ == 0) {
    sip_port_ = options_.sip_port;
  }
  std::string why;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (sip_port_ == 0 || (attempt > 0 && may_pick_ports)) {
      sip_port_ = free_port(options_.tls ? Protocol::kSip : Protocol::kUdpTcp);
    }
    tls_port_ =
        options_.tls_port != 0 ? options_.tls_port : static_cast<std::uint16_t>(sip_port_ + 1);
    if (spawn_and_wait(&why)) {
      return;
    }
    process_.stop(std::chrono::seconds(2));
    if (!may_pick_ports) {
      break;
    }
  }
  throw std::runtime_error("Kamailio did not start (" + why + "), run dir " + run_dir_.string() +
                           ", log tail:\n" + log_tail());
}

void Kamailio::stop() {
  process_.stop(std::chrono::seconds(5));
}

void Kamailio::restart() {
  stop();
  start();
}

void Kamailio::freeze() {
  process_.signal_group(SIGSTOP);
}

void Kamailio::thaw() {
  process_.signal_group(SIGCONT);
}

bool Kamailio::running() {
  return process_.running();
}

std::string Kamailio::rpc(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {options_.kamcmd, "-s", ctl_socket()};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = run_command(argv, std::chrono::seconds(5));
  // kamcmd exits 0 even when the command fails ("error: 500 - command ... not found").
  const bool rpc_error = r.output.rfind("error: ", 0) == 0;
  if (r.timed_out || r.exit_code != 0 || rpc_error) {
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    throw std::runtime_error("kamcmd" + cmd + (r.timed_out ? " timed out" : " failed") + ": " +
                             r.output);
  }
  return r.output;
}

std::vector<Binding> Kamailio::ul_dump() const {
  return parse_ul_dump(rpc({"ul.dump"}));
}

std::vector<Binding> Kamailio::bindings_of(std::string_view aor) const {
  std::vector<Binding> out;
  for (auto& b : ul_dump()) {
    if (b.aor == aor) out.push_back(std::move(b));
  }
  return out;
}

std::map<std::string, long long> Kamailio::stats() const {
  return parse_stats(rpc({"stats.get_statistics", "all"}));
}

void Kamailio::set_switch(std::string_view name, int value) const {
  rpc({"pv.shvSet", std::string(name), "int", std::to_string(value)});
}

void Kamailio::set_registrar(std::string_view name, int value) const {
  rpc({"cfg.set_now_int", "registrar", std::string(name), std::to_string(value)});
}

std::string Kamailio::log_tail(std::size_t lines) const {
  return file_tail(log_path(), lines);
}

std::vector<Binding> parse_ul_dump(std::string_view text) {
  std::vector<Binding> out;
  std::string aor;
  bool skip = false;  // the current contact is expired/deleted
  std::istringstream in{std::string(text)};
  for (std::string raw; std::getline(in, raw);) {
    std::string line = trim(raw);
    auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    std::string value = trim(line.substr(colon + 2));
    if (key == "AoR") {
      aor = value;
    } else if (key == "Address") {
      if (skip && !out.empty()) out.pop_back();
      skip = false;
      out.push_back(Binding{.aor = aor, .contact = value});
    } else if (out.empty()) {
      continue;
    } else if (key == "Expires") {
      if (value == "permanent") {
        out.back().expires_s = -1;
      } else if (value == "deleted" || value == "expired") {
        skip = true;
      } else {
        out.back().expires_s = std::atoi(value.c_str());
      }
    } else if (key == "Received") {
      out.back().received = not_set_to_empty(value);
    } else if (key == "Socket") {
      out.back().socket = not_set_to_empty(value);
    } else if (key == "Call-ID") {
      out.back().call_id = value;
    } else if (key == "CSeq") {
      out.back().cseq = static_cast<std::uint32_t>(std::strtoul(value.c_str(), nullptr, 10));
    } else if (key == "User-Agent") {
      out.back().user_agent = not_set_to_empty(value);
    } else if (key == "Instance") {
      out.back().instance = not_set_to_empty(value);
    } else if (key == "Reg-Id") {
      out.back().reg_id = std::atoi(value.c_str());
    }
  }
  if (skip && !out.empty()) out.pop_back();
  return out;
}

std::map<std::string, long long> parse_stats(std::string_view text) {
  std::map<std::string, long long> out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    out[trim(line.substr(0, eq))] = std::atoll(line.c_str() + eq + 3);
  }
  return out;
}

}  // namespace sipline::test
