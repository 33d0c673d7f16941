#include "e2e_support.hpp"

#include <httplib.h>
#include <signal.h>
#include <sndfile.h>
#include <stdlib.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/net.hpp"
#include "support/raw_sip.hpp"

#ifndef SIPLINE_BINARY
#error "SIPLINE_BINARY must name the sipline executable"
#endif

namespace sipline::e2e {

std::string to_string(Transport t) {
  switch (t) {
    case Transport::kUdp:
      return "udp";
    case Transport::kTcp:
      return "tcp";
    case Transport::kTls:
      return "tls";
    case Transport::kTlsSips:
      return "tls_sips";
  }
  return "?";
}

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/sipline-e2e-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  if (::testing::Test::HasFailure() || std::getenv("SIPLINE_KEEP_RUNDIR") != nullptr) {
    std::cerr << "[e2e] temp dir kept: " << path_.string() << "\n";
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

AccountToml& AccountToml::set(const std::string& key, const std::string& toml_value) {
  for (auto& [k, v] : keys) {
    if (k == key) {
      v = toml_value;
      return *this;
    }
  }
  keys.emplace_back(key, toml_value);
  return *this;
}

AccountToml& AccountToml::text(const std::string& key, const std::string& value) {
  return set(key, "\"" + value + "\"");
}

AccountToml& AccountToml::number(const std::string& key, long long value) {
  return set(key, std::to_string(value));
}

AccountToml& AccountToml::flag(const std::string& key, bool value) {
  return set(key, value ? "true" : "false");
}

AccountToml& AccountToml::erase(const std::string& key) {
  std::erase_if(keys, [&](const auto& kv) { return kv.first == key; });
  return *this;
}

std::string AccountToml::get(const std::string& key) const {
  for (const auto& [k, v] : keys) {
    if (k == key) return v;
  }
  return {};
}

std::string AccountToml::render() const {
  std::string out = "[[account]]\n";
  for (const auto& [k, v] : keys) out += k + " = " + v + "\n";
  return out;
}

AccountToml account_for(const test::Kamailio& kam, Transport t, const std::string& user) {
  AccountToml a;
  a.text("name", "e2e " + user + " " + to_string(t));
  a.text("user_id", user);
  a.text("password", test::Kamailio::password(user));
  a.text("unregister_before_new_registration", "no");
  a.number("register_expiration_min", 1);
  a.number("registration_retry_wait_s", 1);
  const bool tls = t == Transport::kTls || t == Transport::kTlsSips;
  const std::uint16_t server_port = tls ? kam.tls_port() : kam.udp_port();
  a.text("sip_server", kam.host() + ":" + std::to_string(server_port));
  a.text("transport", tls ? "tls" : to_string(t));
  const std::uint16_t port = test::free_port(tls ? test::Protocol::kSip : test::Protocol::kUdpTcp);
  a.number("local_sip_port", port);
  if (tls) {
    a.number("local_tls_port", port + 1);
    a.text("tls_ca_file", kam.cert_path().string());
    a.text("tls_uri_scheme", t == Transport::kTlsSips ? "sips" : "sip");
  }
  return a;
}

std::string expected_contact(Transport t, const std::string& user, std::uint16_t port) {
  const std::string hostport = "@127.0.0.1:" + std::to_string(port);
  switch (t) {
    case Transport::kUdp:
      return "sip:" + user + hostport;
    case Transport::kTcp:
      return "sip:" + user + hostport + ";transport=tcp";
    case Transport::kTls:
      return "sip:" + user + hostport + ";transport=tls";
    case Transport::kTlsSips:
      return "sips:" + user + hostport;
  }
  return {};
}

Daemon::Daemon(std::filesystem::path dir, const std::string& tag)
    : dir_(std::move(dir)), config_(dir_ / (tag + ".toml")), log_(dir_ / (tag + ".log")) {}

Daemon::~Daemon() {
  if (process_.running()) kill();
  if (::testing::Test::HasFailure()) {
    std::cerr << "[e2e] sipline log tail (" << log_.string() << "):\n" << log_tail() << "\n";
  }
}

void Daemon::write_config(const std::vector<AccountToml>& accounts, int t1_ms) {
  http_port_ = test::free_port(test::Protocol::kTcp);
  write_config_file(accounts, t1_ms);
}

void Daemon::reload(const std::vector<AccountToml>& accounts, int t1_ms) {
  write_config_file(accounts, t1_ms);
  ::kill(process_.pid(), SIGHUP);
}

void Daemon::write_config_file(const std::vector<AccountToml>& accounts, int t1_ms) {
  std::ofstream out(config_, std::ios::trunc);
  out << "[daemon]\n"
      << "state_dir = \"" << state_dir().string() << "\"\n"
      << "http_listen = \"127.0.0.1:" << http_port_ << "\"\n"
      << "log_level = \"debug\"\n"
      << daemon_keys_ << "\n"
      << "[timers]\nt1_ms = " << t1_ms << "\n\n";
  for (const auto& a : accounts) out << a.render() << "\n";
  out << tables_;
}

::testing::AssertionResult all_registered(const Daemon& d, std::size_t count, milliseconds within) {
  std::optional<Json> all;
  const bool ok = eventually(
      [&] {
        all = d.accounts();
        if (!all || all->size() != count) return false;
        for (const auto& a : *all) {
          if (a["state"] != "registered") return false;
        }
        return true;
      },
      within);
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << (all ? all->dump(1).substr(0, 4000) : "no answer") << "\n"
                                       << d.log_tail();
}

::testing::AssertionResult Daemon::start(const std::vector<std::string>& env,
                                         const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  if (!env.empty()) {  // env(1) sets them and execs sipline in its place (same process)
    argv.emplace_back("env");
    argv.insert(argv.end(), env.begin(), env.end());
  }
  argv.insert(argv.end(), {SIPLINE_BINARY, "run", "-c", config_.string()});
  argv.insert(argv.end(), args.begin(), args.end());
  process_.spawn(argv, log_);
  const bool up = eventually([this] { return !process_.running() || accounts().has_value(); },
                             milliseconds(5000), milliseconds(50));
  if (up && process_.running()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "sipline did not come up (running=" << process_.running() << "), log:\n"
         << log_tail();
}

int Daemon::terminate(milliseconds grace) {
  if (!process_.running()) return process_.exit_code().value_or(-1);
  // One SIGTERM only: a second one tells sipline to skip the unregistration.
  ::kill(process_.pid(), SIGTERM);
  eventually([this] { return !process_.running(); }, grace, milliseconds(20));
  if (process_.running()) return process_.stop(milliseconds(500)), -1;
  return process_.exit_code().value_or(-1);
}

void Daemon::kill() {
  if (!process_.running()) return;
  process_.signal_group(SIGKILL);
  eventually([this] { return !process_.running(); }, milliseconds(3000), milliseconds(10));
  process_.stop(milliseconds(100));
}

namespace {

// A client of the daemon's HTTP side with the token it generated into state_dir (if any yet).
// HTTPS when `https` (the certificate is not checked here: `sipline status` tests that).
httplib::Client http_client(std::uint16_t port, const std::filesystem::path& state_dir,
                            bool https = false) {
  httplib::Client c(std::string(https ? "https" : "http") + "://127.0.0.1:" + std::to_string(port));
  c.enable_server_certificate_verification(false);
  c.set_connection_timeout(std::chrono::seconds(1));
  c.set_read_timeout(std::chrono::seconds(2));
  std::string token;
  std::ifstream(state_dir / "http_token") >> token;
  if (!token.empty()) c.set_bearer_token_auth(token);
  return c;
}

}  // namespace

std::optional<Json> Daemon::accounts() const {
  httplib::Client c = http_client(http_port_, state_dir(), https_);
  auto res = c.Get("/api/accounts");
  if (!res || res->status != 200) return std::nullopt;
  Json j = Json::parse(res->body, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return std::nullopt;
  return j;
}

Json Daemon::account(int index) const {
  auto all = accounts();
  if (!all) return nullptr;
  for (const auto& a : *all) {
    if (a.value("index", 0) == index) return a;
  }
  return nullptr;
}

std::string Daemon::metrics() const {
  httplib::Client c = http_client(http_port_, state_dir(), https_);
  auto res = c.Get("/metrics");
  return res && res->status == 200 ? res->body : std::string{};
}

int Daemon::post(const std::string& path) const {
  httplib::Client c = http_client(http_port_, state_dir(), https_);
  auto res = c.Post(path, "", "application/json");
  return res ? res->status : 0;
}

std::pair<int, Json> Daemon::http(const std::string& method, const std::string& path,
                                  const std::string& body) const {
  httplib::Client c = http_client(http_port_, state_dir(), https_);
  httplib::Result res = method == "GET"      ? c.Get(path)
                        : method == "DELETE" ? c.Delete(path)
                        : method == "PUT"    ? c.Put(path, body, "application/json")
                                             : c.Post(path, body, "application/json");
  if (!res) return {0, Json()};
  Json j = Json::parse(res->body, nullptr, false);
  return {res->status, j.is_discarded() ? Json() : j};
}

bool Daemon::wait_account(int index, const std::function<bool(const Json&)>& pred,
                          milliseconds timeout, Json* last) const {
  Json seen;
  const bool ok = eventually(
      [&] {
        seen = account(index);
        return !seen.is_null() && pred(seen);
      },
      timeout);
  if (last != nullptr) *last = seen;
  return ok;
}

bool Daemon::wait_registered(int index, milliseconds timeout, Json* last) const {
  return wait_account(
      index, [](const Json& a) { return a.value("state", "") == "registered"; }, timeout, last);
}

std::string Daemon::log_tail(std::size_t lines) const {
  return test::file_tail(log_, lines);
}

void write_tone_wav(const std::filesystem::path& path, int seconds) {
  constexpr int kRate = 8000;
  SF_INFO info{};
  info.samplerate = kRate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (f == nullptr) throw std::runtime_error("cannot write " + path.string());
  std::vector<short> pcm(static_cast<std::size_t>(kRate) * seconds);
  for (std::size_t i = 0; i < pcm.size(); ++i) {
    pcm[i] = static_cast<short>(
        8000.0 * std::sin(2.0 * 3.141592653589793 * 440.0 * static_cast<double>(i) / kRate));
  }
  sf_write_short(f, pcm.data(), static_cast<sf_count_t>(pcm.size()));
  sf_close(f);
}

std::optional<WavSummary> read_wav(const std::filesystem::path& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (f == nullptr) return std::nullopt;
  WavSummary w{info.samplerate, info.channels, info.frames, 0};
  std::vector<short> buf(4096);
  double sum = 0;
  std::int64_t n = 0;
  for (sf_count_t got;
       (got = sf_read_short(f, buf.data(), static_cast<sf_count_t>(buf.size()))) > 0;) {
    for (sf_count_t i = 0; i < got; ++i) sum += static_cast<double>(buf[i]) * buf[i];
    n += got;
  }
  sf_close(f);
  w.rms = n > 0 ? std::sqrt(sum / static_cast<double>(n)) : 0;
  return w;
}

bool eventually(const std::function<bool()>& pred, milliseconds timeout, milliseconds step) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

namespace {

std::string field(std::string_view line, std::string_view name, std::string_view next) {
  auto b = line.find(name);
  if (b == std::string_view::npos) return {};
  b += name.size();
  auto e = next.empty() ? line.size() : line.find(next, b);
  if (e == std::string_view::npos) e = line.size();
  return std::string(line.substr(b, e - b));
}

}  // namespace

std::string SeenRegister::nc() const {
  return test::auth_param(authorization, "nc");
}

std::string SeenRegister::nonce() const {
  return test::auth_param(authorization, "nonce");
}

std::vector<SeenRegister> registers_seen(const test::Kamailio& kam, std::string_view user) {
  std::vector<SeenRegister> out;
  std::ifstream in(kam.log_path());
  for (std::string line; std::getline(in, line);) {
    auto at = line.find("REGISTER seen: ");
    if (at == std::string::npos) continue;
    std::string_view rest = std::string_view(line).substr(at);
    SeenRegister r;
    r.source = field(rest, "src=", " user=");
    r.user = field(rest, " user=", " cseq=");
    r.cseq =
        static_cast<std::uint32_t>(std::strtoul(field(rest, "cseq=", " ").c_str(), nullptr, 10));
    r.call_id = field(rest, "callid=", " ruri=");
    r.request_uri = field(rest, " ruri=", " to=");
    r.to = field(rest, " to=", " contact=");
    r.contact = field(rest, " contact=", " expires=");
    r.expires = field(rest, " expires=", " auth=");
    r.authorization = field(rest, " auth=", "");
    if (r.authorization == "<null>") r.authorization.clear();
    if (user.empty() || r.user == user) out.push_back(std::move(r));
  }
  return out;
}

std::vector<SeenOptions> options_seen(const test::Kamailio& kam, std::string_view user) {
  std::vector<SeenOptions> out;
  std::ifstream in(kam.log_path());
  for (std::string line; std::getline(in, line);) {
    auto at = line.find("OPTIONS seen: ");
    if (at == std::string::npos) continue;
    std::string_view rest = std::string_view(line).substr(at);
    SeenOptions o;
    o.source = field(rest, "src=", " user=");
    o.user = field(rest, " user=", " auth=");
    o.authorization = field(rest, " auth=", "");
    if (o.authorization == "<null>") o.authorization.clear();
    if (user.empty() || o.user == user) out.push_back(std::move(o));
  }
  return out;
}

std::vector<SeenRequest> requests_seen(const test::Kamailio& kam, std::string_view user) {
  std::vector<SeenRequest> out;
  std::ifstream in(kam.log_path());
  for (std::string line; std::getline(in, line);) {
    for (std::string_view method : {"REGISTER", "SUBSCRIBE"}) {
      const auto at = line.find(std::string(method) + " seen: ");
      if (at == std::string::npos) continue;
      const std::string_view rest = std::string_view(line).substr(at);
      const bool reg = method == "REGISTER";
      if (field(rest, " user=", reg ? " cseq=" : " event=") != user) continue;
      out.push_back({std::string(method), reg ? "" : field(rest, " event=", " callid="),
                     field(rest, " expires=", reg ? " auth=" : "")});
    }
  }
  return out;
}

std::optional<test::Binding> binding(const test::Kamailio& kam, const std::string& user,
                                     const std::string& contact) {
  for (auto& b : kam.bindings_of(user)) {
    if (b.contact == contact) return b;
  }
  return std::nullopt;
}

namespace {

std::string udp_exchange(test::UdpSocket& sock, const test::Kamailio& kam,
                         const test::RawRequest& req) {
  sock.send_to(test::make_request(req), "127.0.0.1", kam.udp_port());
  const auto deadline = Clock::now() + milliseconds(2000);
  const std::string cseq = std::to_string(req.cseq) + " " + req.method;
  while (Clock::now() < deadline) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    std::string reply = sock.recv(left).value_or("");
    if (test::header_value(reply, "CSeq") == cseq) return reply;
  }
  return "";
}

}  // namespace

bool raw_register(const test::Kamailio& kam, const std::string& user, const std::string& contact,
                  int expires_s) {
  test::UdpSocket sock("127.0.0.1", 0);
  test::RawRequest req;
  req.request_uri = kam.uri();
  req.local_port = sock.local_port();
  req.user = user;
  req.contact = "<" + contact + ">";
  req.expires = expires_s;
  req.call_id = "e2e-foreign-" + user + "-" + std::to_string(sock.local_port());
  std::string reply = udp_exchange(sock, kam, req);
  if (test::status_code(reply) == 401) {
    req.cseq += 1;
    req.branch += "-2";
    req.authorization =
        test::digest_authorization(test::header_value(reply, "WWW-Authenticate").value_or(""), user,
                                   test::Kamailio::password(user), "REGISTER", req.request_uri);
    reply = udp_exchange(sock, kam, req);
  }
  return test::status_code(reply) == 200;
}

int publish_mwi(const test::Kamailio& kam, const std::string& user, const std::string& body,
                int n) {
  test::UdpSocket sock;
  test::RawRequest pub;
  pub.method = "PUBLISH";
  pub.request_uri = "sip:" + user + "@127.0.0.1:" + std::to_string(kam.udp_port());
  pub.user = user;
  pub.local_port = sock.local_port();
  pub.expires = 300;
  pub.call_id = "mwi-pub-" + user + "-" + std::to_string(n);
  pub.branch = "z9hG4bK-pub-" + std::to_string(n);
  sock.send_to(test::with_extras(test::make_request(pub),
                                 "Event: message-summary\r\n"
                                 "Content-Type: application/simple-message-summary\r\n",
                                 body),
               "127.0.0.1", kam.udp_port());
  auto reply = sock.recv(std::chrono::milliseconds(3000));
  return reply ? test::status_code(*reply) : 0;
}

}  // namespace sipline::e2e
