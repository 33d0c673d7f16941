// sipline call / calls / hangup: calls through the running daemon's /api/calls.
#include <cstdio>
#include <iostream>
#include <thread>

#include "app/commands.hpp"
#include "app/daemon_client.hpp"

namespace sipline::app {

namespace {

std::string outcome_text(const Json& c) {
  const Json& o = c.value("outcome", Json());
  if (!o.is_object()) return "-";
  return std::to_string(o.value("status", 0)) + " " + o.value("reason", "") + " (" +
         o.value("ended_by", "") + ")";
}

std::string rtp_text(const Json& c) {
  const Json& r = c.value("rtp", Json::object());
  char buf[96];
  std::snprintf(buf, sizeof buf, "%llu/%llu lost %llu jitter %.1f ms",
                static_cast<unsigned long long>(r.value("sent", 0ULL)),
                static_cast<unsigned long long>(r.value("received", 0ULL)),
                static_cast<unsigned long long>(r.value("lost", 0ULL)), r.value("jitter_ms", 0.0));
  return buf;
}

// Follows call `id` until it ends, printing each state; with `hangup_after_s` > 0 hangs up
// that long after the answer.
int follow(const std::string& config_path, std::uint64_t id, int hangup_after_s) {
  const std::string path = "/api/calls/" + std::to_string(id);
  std::string last_state;
  std::optional<std::chrono::steady_clock::time_point> answered;
  bool hung_up = false;
  for (;;) {
    int exit_code = kExitOk;
    auto c = ask_daemon(config_path, "GET", path, "", exit_code);
    if (!c) return exit_code;
    const std::string state = c->value("state", "");
    if (state != last_state) {
      std::cout << id << " " << state << (state == "ended" ? " " + outcome_text(*c) : "")
                << std::endl;
      last_state = state;
    }
    if (state == "ended") return c->value("answered_at", Json()).is_null() ? kExitFailure : kExitOk;
    if (state == "confirmed" && !answered) answered = std::chrono::steady_clock::now();
    if (answered && hangup_after_s > 0 && !hung_up &&
        std::chrono::steady_clock::now() - *answered >= std::chrono::seconds(hangup_after_s)) {
      hung_up = true;
      if (!ask_daemon(config_path, "DELETE", path, "", exit_code)) return exit_code;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

int place_call(const std::string& config_path, const CallOptions& o) {
  Json body = {{"account", o.account}, {"to", o.uri}, {"anonymous", o.anonymous}};
  int exit_code = kExitOk;
  auto c = ask_daemon(config_path, "POST", "/api/calls", body.dump(), exit_code);
  if (!c) return exit_code;
  const auto id = c->value("id", std::uint64_t{0});
  if (!o.wait && o.hangup_after_s == 0) {
    std::cout << id << "\n";
    return kExitOk;
  }
  return follow(config_path, id, o.hangup_after_s);
}

int list_calls(const std::string& config_path, bool json) {
  int exit_code = kExitOk;
  auto calls = ask_daemon(config_path, "GET", "/api/calls", "", exit_code);
  if (!calls) return exit_code;
  if (json) {
    std::cout << calls->dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  std::printf("%-6s %-4s %-3s %-10s %-32s %9s  %-24s %s\n", "ID", "ACC", "DIR", "STATE", "REMOTE",
              "SECONDS", "OUTCOME", "RTP sent/received");
  for (const Json& c : *calls) {
    std::printf("%-6llu %-4d %-3s %-10s %-32s %9.1f  %-24s %s\n",
                static_cast<unsigned long long>(c.value("id", 0ULL)), c.value("account", 0),
                c.value("direction", "").c_str(), c.value("state", "").c_str(),
                c.value("remote", "").c_str(), c.value("duration_s", 0.0), outcome_text(c).c_str(),
                rtp_text(c).c_str());
  }
  return kExitOk;
}

int hangup_call(const std::string& config_path, std::uint64_t id) {
  int exit_code = kExitOk;
  auto c = ask_daemon(config_path, "DELETE", "/api/calls/" + std::to_string(id), "", exit_code);
  if (!c) return exit_code;
  std::cout << id << " " << c->value("state", "") << "\n";
  return kExitOk;
}

}  // namespace sipline::app
