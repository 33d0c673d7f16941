// End-to-end helpers: the real `sipline run` daemon as a child process against the harness's
// Kamailio. A test writes a config into its own temp dir (free ports, own state_dir), starts the
// daemon, polls GET /api/accounts and checks what Kamailio holds (ul_dump) and what it saw on the
// wire (the "REGISTER seen:" lines kamailio/sipline.cfg logs for every REGISTER).
#pragma once
#include <gtest/gtest.h>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/kamailio.hpp"
#include "support/process.hpp"

namespace sipline::e2e {

using Json = nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

enum class Transport : std::uint8_t { kUdp, kTcp, kTls, kTlsSips };
std::string to_string(Transport t);

// A temp dir removed at the end, or kept (and reported) when the current test failed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// One [[account]] table, keys in order, values as TOML text.
struct AccountToml {
  std::vector<std::pair<std::string, std::string>> keys;
  AccountToml& set(const std::string& key, const std::string& toml_value);  // replaces
  AccountToml& text(const std::string& key, const std::string& value);      // quoted
  AccountToml& number(const std::string& key, long long value);
  AccountToml& flag(const std::string& key, bool value);
  AccountToml& erase(const std::string& key);
  std::string get(const std::string& key) const;  // TOML text, "" when unset
  std::string render() const;
};

// An account of `user` (password "pw-<user>") registering at `kam` over `t`, on free local
// ports, unregister_before_new_registration = "no", 60 s registrations, quick retries.
AccountToml account_for(const test::Kamailio& kam, Transport t, const std::string& user);

// The contact sipline registers for an account (matches the API's "contact").
std::string expected_contact(Transport t, const std::string& user, std::uint16_t port);

class Daemon {
 public:
  // `dir`: the test's temp dir; the config (<tag>.toml), the daemon's log (<tag>.log) and
  // state_dir (shared by every Daemon of the dir) live under it.
  explicit Daemon(std::filesystem::path dir, const std::string& tag = "sipline");
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Writes dir/sipline.toml; t1_ms small so transactions time out quickly.
  void write_config(const std::vector<AccountToml>& accounts, int t1_ms = 100);
  // Rewrites the config (same HTTP port) and sends the running daemon SIGHUP.
  void reload(const std::vector<AccountToml>& accounts, int t1_ms = 100);
  // More [daemon] lines (TOML) for the next write_config; `https`: the HTTP side serves HTTPS.
  void add_daemon_keys(const std::string& toml_lines, bool https = false) {
    daemon_keys_ += toml_lines;
    https_ = https_ || https;
  }
  // More tables (TOML, e.g. [[fleet]]) written after the accounts by the next write_config.
  void add_tables(const std::string& toml) { tables_ += toml; }
  const std::filesystem::path& config_path() const { return config_; }
  std::uint16_t http_port() const { return http_port_; }
  std::filesystem::path state_dir() const { return dir_ / "state"; }

  // Spawns `sipline run -c` and waits (bounded) until the API answers; false with the log.
  // `env`: "NAME=value" entries added to the daemon's environment; `args`: more arguments of
  // `sipline run` (e.g. "--shard", "0/3").
  ::testing::AssertionResult start(const std::vector<std::string>& env = {},
                                   const std::vector<std::string>& args = {});
  // SIGTERM, waits up to `grace`; the exit code (-1 when killed).
  int terminate(milliseconds grace = milliseconds(8000));
  void kill();  // SIGKILL: no unregistration
  bool running() { return process_.running(); }
  pid_t pid() const { return process_.pid(); }

  // GET /api/accounts; nullopt when the daemon does not answer.
  std::optional<Json> accounts() const;
  Json account(int index) const;  // index 1..N; null when absent
  std::string metrics() const;
  int post(const std::string& path) const;  // HTTP status, 0 when no answer
  // Any request to the API: the status (0 when no answer) and the JSON body (null if none).
  std::pair<int, Json> http(const std::string& method, const std::string& path,
                            const std::string& body = "") const;
  // Polls the account every 100 ms until `pred` holds or `timeout` passes; the last JSON seen
  // goes to *last.
  bool wait_account(int index, const std::function<bool(const Json&)>& pred, milliseconds timeout,
                    Json* last = nullptr) const;
  bool wait_registered(int index, milliseconds timeout, Json* last = nullptr) const;
  std::string log_tail(std::size_t lines = 60) const;

 private:
  void write_config_file(const std::vector<AccountToml>& accounts, int t1_ms);
  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::uint16_t http_port_ = 0;
  test::ChildProcess process_;
  std::filesystem::path log_;
  std::string daemon_keys_;
  std::string tables_;
  bool https_ = false;
};

// A tone for a peer to play: `seconds` of 440 Hz, 8 kHz mono 16-bit PCM (amplitude 8000).
void write_tone_wav(const std::filesystem::path& path, int seconds = 60);

// What a WAV file holds, read back with libsndfile; nullopt when it cannot be read.
struct WavSummary {
  int rate = 0;
  int channels = 0;
  std::int64_t frames = 0;
  double rms = 0;  // over every sample, in 16-bit units (0: silence)
  double seconds() const { return rate > 0 ? static_cast<double>(frames) / rate : 0; }
};
std::optional<WavSummary> read_wav(const std::filesystem::path& path);

// Polls `pred` every `step` until true or `timeout`; returns the last result.
bool eventually(const std::function<bool()>& pred, milliseconds timeout,
                milliseconds step = milliseconds(100));

// Waits (bounded) until `d` lists `count` accounts, all registered; on failure the accounts (cut)
// and the log's tail.
::testing::AssertionResult all_registered(const Daemon& d, std::size_t count, milliseconds within);

// One REGISTER as Kamailio logged it ("REGISTER seen: ..." in kamailio/sipline.cfg).
struct SeenRegister {
  std::string source;  // "127.0.0.1:5060/udp"
  std::string user;
  std::uint32_t cseq = 0;
  std::string call_id;
  std::string request_uri;
  std::string to;  // the To URI
  std::string contact;
  std::string expires;        // the Expires header, "<null>" when absent
  std::string authorization;  // "" when the request had none
  bool has_auth() const { return !authorization.empty(); }
  std::string nc() const;     // the Authorization's nc, "" when none
  std::string nonce() const;  // the Authorization's nonce, "" when none
};
// Every REGISTER Kamailio saw (since its first start), in order; only `user`'s when non-empty.
std::vector<SeenRegister> registers_seen(const test::Kamailio& kam, std::string_view user = {});

// One OPTIONS to Kamailio itself as it logged it ("OPTIONS seen: ...").
struct SeenOptions {
  std::string source;
  std::string user;           // From user
  std::string authorization;  // Proxy-Authorization, "" when none
};
std::vector<SeenOptions> options_seen(const test::Kamailio& kam, std::string_view user = {});

// The REGISTERs and SUBSCRIBEs of `user` as Kamailio logged them ("REGISTER seen: ...", and the
// presence route's "SUBSCRIBE seen: ..."), in the order they reached it.
struct SeenRequest {
  std::string method;   // "REGISTER" | "SUBSCRIBE"
  std::string event;    // SUBSCRIBE's Event ("" for REGISTER)
  std::string expires;  // the Expires header, "<null>" when absent
};
std::vector<SeenRequest> requests_seen(const test::Kamailio& kam, std::string_view user);

// The binding of `user` with this contact, if Kamailio holds it.
std::optional<test::Binding> binding(const test::Kamailio& kam, const std::string& user,
                                     const std::string& contact);

// Registers `contact` for `user` from a plain UDP socket (answering the digest challenge),
// as another device would. True on a 200.
bool raw_register(const test::Kamailio& kam, const std::string& user, const std::string& contact,
                  int expires_s);

// The mailbox stand-in: PUBLISHes a message summary (`body`, the n-th PUBLISH of the test) for
// `user` to Kamailio's presence server (accepted without credentials from 127.0.0.1); the
// answer's status, 0 when none within 3 s.
int publish_mwi(const test::Kamailio& kam, const std::string& user, const std::string& body, int n);

}  // namespace sipline::e2e
