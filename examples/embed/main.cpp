// register_once: registers one account with sipline's engine, prints every event, and exits 0
// once the registrar confirmed the binding (after unregistering again), 1 when it failed.
//
//   register_once SERVER USER PASSWORD [LOCAL_PORT [STATE_DIR]]   e.g. 127.0.0.1:5060 1000 secret
#include <sipline/engine.hpp>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: register_once SERVER USER PASSWORD [LOCAL_PORT [STATE_DIR]]\n";
    return 2;
  }
  sipline::EngineConfig config;
  config.daemon = {{"http_listen", std::string("")},
                   {"state_dir", std::string(argc > 5 ? argv[5] : ".")}};
  sipline::SettingChanges account = {{"sip_server", std::string(argv[1])},
                                     {"user_id", std::string(argv[2])},
                                     {"password", std::string(argv[3])},
                                     {"unregister_before_new_registration", std::string("no")}};
  if (argc > 4) account.emplace_back("local_sip_port", std::int64_t{std::atoi(argv[4])});
  config.accounts.push_back(std::move(account));
  asio::io_context io;
  std::string error;
  auto engine = sipline::Engine::create(io, config, error);
  if (!engine) {
    std::cerr << error;
    return 2;
  }
  int result = 1;
  auto finish = [&](int code) {
    result = code;
    engine->stop(std::chrono::seconds(2), [&] { io.stop(); });
  };
  engine->add_listener([&](const sipline::Event& e) {
    std::cout << to_string(e.kind) << " account " << e.account << " " << e.aor << ": "
              << (e.kind == sipline::Event::Kind::kAccountState
                      ? e.previous_state + " -> " + e.state
                  : e.ok ? "ok " + std::to_string(e.status_code) + ", expires " +
                               std::to_string(e.expires_s) + " s"
                         : "failed " + std::to_string(e.status_code) + " " + e.failure_class +
                               ": " + e.detail)
              << std::endl;
    if (e.kind == sipline::Event::Kind::kRegistration) finish(e.ok ? 0 : 1);
  });
  if (!engine->start(error)) {
    std::cerr << error << "\n";
    return 2;
  }
  asio::steady_timer deadline(io, std::chrono::seconds(20));
  deadline.async_wait([&](std::error_code ec) {
    if (!ec) io.stop();  // no outcome in time: exit 1
  });
  io.run();
  return result;
}
