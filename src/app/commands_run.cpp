// sipline run: the daemon in the foreground. One io_context runs the engine; the HTTP side has
// its own thread and reaches the engine only through the loop; signals arrive on the loop.
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <csignal>
#include <iostream>
#include <optional>

#include "app/commands.hpp"
#include "app/http_server.hpp"
#include "app/http_token.hpp"
#include "app/live_table.hpp"
#include "app/log_batch.hpp"
#include "app/sd_notify.hpp"
#include "sipline/daemon.hpp"
#include "sipline/engine.hpp"

namespace sipline::app {

namespace {

constexpr std::chrono::seconds kStopDeadline{5};
// If the engine's stop callback never comes, the loop is stopped anyway a bit later.
constexpr std::chrono::seconds kStopBackstop{7};

struct Daemon {
  asio::io_context& io;
  Engine& engine;
  asio::signal_set signals{io, SIGINT, SIGTERM, SIGHUP};
  asio::steady_timer backstop{io};
  bool stopping = false;

  void wait_for_signal() {
    signals.async_wait([this](const std::error_code& ec, int signo) {
      if (ec) return;
      on_signal(signo);
      wait_for_signal();
    });
  }

  void reload() {
    if (stopping) return;
    sd_notify("RELOADING=1");
    struct Done {
      ~Done() { sd_notify("READY=1"); }
    } done;
    std::string report;
    if (!engine.reload(report)) {
      spdlog::error("SIGHUP: config not reloaded, nothing changed:\n{}", report);
      return;
    }
    init_logging(engine.log_level());
    spdlog::info("SIGHUP: {}", report);
  }

  void on_signal(int signo) {
    if (signo == SIGHUP) {
      reload();
      return;
    }
    if (stopping) {
      spdlog::warn("second signal: stopping at once, without waiting for unregistration");
      io.stop();
      return;
    }
    stopping = true;
    sd_notify("STOPPING=1");
    spdlog::info("{}: unregistering every account (at most {} s), then exiting",
                 signo == SIGTERM ? "SIGTERM" : "SIGINT", kStopDeadline.count());
    engine.stop(kStopDeadline, [this] { io.stop(); });
    backstop.expires_after(kStopBackstop);
    backstop.async_wait([this](const std::error_code& ec) {
      if (ec) return;
      spdlog::warn("the engine did not finish stopping in time; exiting anyway");
      io.stop();
    });
  }
};

}  // namespace

// Every account holds its own socket(s): raise the soft open-file limit to the hard one so a
// large config is not cut at ~500 accounts by the common default of 1024.
void raise_open_file_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// The HTTP side's options from the config; creates the token file on first start and says so
// once (the token itself is only in the file).
bool http_options(const HttpSettings& s, HttpOptions& out, std::string& error) {
  out.access.metrics_public = s.metrics_public;
  out.access.host_names = s.host_names;
  out.max_connections = static_cast<std::size_t>(s.max_connections);
  out.tls_cert_file = s.tls_cert_file;
  out.tls_key_file = s.tls_key_file;
  if (s.listen.empty() || s.token_file.empty()) return true;
  bool created = false;
  if (!load_or_create_token(s.token_file, out.access.token, created, error)) return false;
  if (created) {
    // Once, on the console only (not in the log): the operator needs it for the web page.
    std::cout << "sipline: generated the HTTP token " << out.access.token << " into "
              << s.token_file << " (mode 0600); send it as \"Authorization: Bearer <token>\""
              << std::endl;
  }
  return true;
}

// log_target = "journal": every line to systemd's journal with its priority (spdlog's sink),
// nothing on stderr. Sent even when no journal runs: sd_journal_send fails quietly then.
void log_to_journal() {
  spdlog::default_logger()->sinks() = {std::make_shared<spdlog::sinks::systemd_sink_mt>("sipline")};
}

int run_daemon(const std::string& config_path, Shard shard) {
  std::signal(SIGPIPE, SIG_IGN);
  raise_open_file_limit();
  asio::io_context io;
  std::string error;
  auto engine = Engine::create(io, config_path, error, shard);
  if (!engine) {
    std::cerr << error;
    if (!error.empty() && error.back() != '\n') std::cerr << "\n";
    return kExitUsage;
  }
  if (!init_logging(engine->log_level())) init_logging("info");
  std::optional<BatchedStderrLog> batched_log;  // destroyed (flushed) before `io`
  if (engine->logs_to_journal()) {
    log_to_journal();
  } else {
    batched_log.emplace(io);
  }
  if (!engine->start(error)) {
    spdlog::error("cannot start: {}", error);
    return kExitFailure;
  }
  HttpSettings settings;
  HttpOptions options;
  // The engine's own [daemon]; an engine without one: the file (read once more).
  if ((!engine->http_settings(settings) && !http_settings_of(config_path, settings, error)) ||
      !http_options(settings, options, error)) {
    spdlog::error("cannot start the HTTP side: {}", error);
    return kExitFailure;
  }
  HttpServer http(io, *engine, options);
  std::string listen = engine->http_listen();
  if (!listen.empty()) {
    if (!http.start(listen, error)) {
      spdlog::error("cannot start the HTTP side: {}", error);
      return kExitFailure;
    }
    spdlog::info("HTTP side (web page, REST API, /metrics) on port {} of {}", http.port(), listen);
  }
  Daemon daemon{io, *engine};
  daemon.wait_for_signal();
  // Every account's socket is bound (engine->start) and the HTTP side listens: ready.
  // Counted without building every account's status (50,000 of them: ~90 MB at the peak).
  const std::size_t account_count = engine->account_page(AccountQuery{.limit = 0}).total;
  sd_notify("READY=1\nSTATUS=" + std::to_string(account_count) + " accounts");
  Watchdog watchdog(io);
  watchdog.start();
  LiveTable table(io, *engine, std::cout);
  if (::isatty(STDOUT_FILENO)) table.start();
  spdlog::info("sipline {} running with {}", version(), config_path);
  if (shard.count > 1) {
    spdlog::info("shard {}/{}: running {} of the config's accounts", shard.index, shard.count,
                 account_count);
  }
  io.run();
  table.stop();
  watchdog.stop();
  http.stop();
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace sipline::app
