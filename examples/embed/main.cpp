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
    std::cout << to_string(e.kind) << " account " << e.account << " " << e.aor << ": ";
    switch (e.kind) {
      case sipline::Event::Kind::kAccountState:
        std::cout << e.previous_state << " -> " << e.state;
        break;
      case sipline::Event::Kind::kRegistration:
        if (e.ok) {
          std::cout << "ok " << e.status_code << ", expires " << e.expires_s << " s";
        } else {
          std::cout << "failed " << e.status_code << " " << e.failure_class << ": " << e.detail;
        }
        break;
      case sipline::Event::Kind::kMwi:
        std::cout << (e.mwi.waiting ? "messages waiting: " : "no messages waiting: ")
                  << e.mwi.new_msgs << " new, " << e.mwi.old_msgs << " old";
        break;
      case sipline::Event::Kind::kBlf:
        std::cout << e.blf.uri << " " << e.previous_state << " -> " << e.blf.state;
        break;
      case sipline::Event::Kind::kCall:
        std::cout << "call " << e.call.id << " (" << e.call.direction << ") " << e.call.remote
                  << ": " << (e.previous_state.empty() ? "new" : e.previous_state) << " -> "
                  << e.call.state;
        if (e.call.outcome)
          std::cout << ", " << e.call.outcome->status << " " << e.call.outcome->reason;
        break;
      default:  // kinds added later
        break;
    }
    std::cout << std::endl;
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
