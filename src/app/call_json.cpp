#include "app/call_json.hpp"

#include <ctime>

namespace sipline::app {

std::string rfc3339(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%.*s.%03dZ", static_cast<int>(n), buf,
                static_cast<int>(ms % 1000));
  return out;
}

namespace {
Json time_or_null(const std::optional<std::chrono::system_clock::time_point>& t) {
  return t ? Json(rfc3339(*t)) : Json(nullptr);
}
}  // namespace

Json to_json(const CallStatus& c) {
  Json j = Json::object();
  j["id"] = c.id;
  j["account"] = c.account;
  j["direction"] = c.direction;
  j["remote"] = c.remote;
  j["anonymous"] = c.anonymous;
  j["state"] = c.state;
  j["started_at"] = rfc3339(c.started_at);
  j["answered_at"] = time_or_null(c.answered_at);
  j["ended_at"] = time_or_null(c.ended_at);
  j["duration_s"] = c.duration_s;
  if (c.outcome) {
    j["outcome"] = {{"status", c.outcome->status},
                    {"reason", c.outcome->reason},
                    {"ended_by", c.outcome->ended_by}};
  } else {
    j["outcome"] = nullptr;
  }
  j["codec"] = c.codec.empty() ? Json(nullptr) : Json(c.codec);
  j["held"] = c.held;
  j["rtp"] = {{"sent", c.rtp.sent},           {"received", c.rtp.received}, {"lost", c.rtp.lost},
              {"jitter_ms", c.rtp.jitter_ms}, {"junk", c.rtp.junk},         {"dtmf", c.rtp.dtmf}};
  return j;
}

Json to_json(const std::vector<CallStatus>& calls) {
  Json j = Json::array();
  for (const auto& c : calls) j.push_back(to_json(c));
  return j;
}

}  // namespace sipline::app
