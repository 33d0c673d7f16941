// The shared fixture of the call e2e tests (issue 9): a Kamailio per test, the real daemon with a
// text sip_trace, and the REST calls the tests poll (bounded). Peers (baresip, linphonec, SIPp)
// are added by each test file.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "e2e/e2e_support.hpp"
#include "support/kamailio.hpp"
#include "support/process.hpp"

namespace sipline::e2e {

class CallTest : public ::testing::Test {
 protected:
  void SetUp() override { kam_.start(); }

  // Starts the daemon with `accounts` (and a text sip_trace) and waits until account 1 is
  // registered.
  void start_daemon(const std::vector<AccountToml>& accounts) {
    daemon_.add_daemon_keys("sip_trace = \"" + trace_path().string() + "\"\n");
    daemon_.write_config(accounts);
    ASSERT_TRUE(daemon_.start());
    for (std::size_t i = 1; i <= accounts.size(); ++i) {
      ASSERT_TRUE(daemon_.wait_registered(static_cast<int>(i), milliseconds(8000)))
          << daemon_.log_tail();
    }
  }
  std::filesystem::path trace_path() const { return dir_.path() / "trace.txt"; }
  std::string kam_uri(const std::string& user) const {
    return "sip:" + user + "@127.0.0.1:" + std::to_string(kam_.udp_port());
  }

  // POST /api/calls; the new call's id (0 on failure, with the reply in the failure message).
  std::uint64_t dial(const Json& body) {
    auto [status, j] = daemon_.http("POST", "/api/calls", body.dump());
    EXPECT_EQ(status, 201) << j.dump();
    return status == 201 ? j.at("id").get<std::uint64_t>() : 0;
  }
  Json call(std::uint64_t id) const {
    return daemon_.http("GET", "/api/calls/" + std::to_string(id)).second;
  }
  // Polls call `id` until it is in `state` (bounded); the last object seen.
  Json wait_state(std::uint64_t id, const std::string& state,
                  milliseconds timeout = std::chrono::seconds(10)) {
    Json last;
    eventually(
        [&] {
          last = call(id);
          return last.is_object() && last.value("state", "") == state;
        },
        timeout);
    return last;
  }
  // The first call with `direction` in `state` (id 0 when none within the bound).
  Json wait_any(const std::string& direction, const std::string& state) {
    Json found;
    eventually(
        [&] {
          auto [status, list] = daemon_.http("GET", "/api/calls");
          if (status != 200) return false;
          for (const auto& c : list) {
            if (c.value("direction", "") == direction && c.value("state", "") == state) {
              found = c;
              return true;
            }
          }
          return false;
        },
        std::chrono::seconds(10));
    return found;
  }
  std::string trace() const { return test::read_file(trace_path()); }
  // The head (request line to the blank line) of every `method` request the daemon sent, in
  // order, from the trace's "sent" records.
  std::vector<std::string> requests_sent(const std::string& method) const {
    const std::string t = trace();
    std::vector<std::string> out;
    for (std::size_t at = t.find(" sent "); at != std::string::npos;
         at = t.find(" sent ", at + 1)) {
      const auto start = t.find('\n', at);
      if (start == std::string::npos) break;
      if (t.compare(start + 1, method.size() + 1, method + " ") != 0) continue;
      out.push_back(t.substr(start + 1, t.find("\r\n\r\n", start) - start - 1));
    }
    return out;
  }
  // The last INVITE the daemon sent (request line to the blank line), "" when none.
  std::string last_invite_sent() const {
    const std::string t = trace();
    const auto at = t.rfind("INVITE sip:");
    if (at == std::string::npos) return {};
    return t.substr(at, t.find("\r\n\r\n", at) - at);
  }

  // Our RTP port, from the m= line of the last INVITE we sent (0 when none).
  std::uint16_t our_rtp_port() const {
    const std::string t = trace();
    const auto invite = t.rfind("INVITE sip:");
    const auto m = invite == std::string::npos ? invite : t.find("m=audio ", invite);
    if (m == std::string::npos) return 0;
    return static_cast<std::uint16_t>(std::stoi(t.substr(m + 8)));
  }

  test::Kamailio kam_;
  TempDir dir_;
  Daemon daemon_{dir_.path()};
};

}  // namespace sipline::e2e
