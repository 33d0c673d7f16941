// The HTTP side against a real browser (issue 10): a page from another origin, loaded in
// headless Chromium, fires the cross-site requests that once re-registered an account (a
// no-cors POST, a text/plain "simple" POST) and tries to read /api/accounts. None of them may
// change anything or leak the accounts. Needs Debian's chromium (skipped when absent).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "e2e_support.hpp"
#include "support/net.hpp"

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;

// The attacker's page: each request's outcome is written into the DOM, which Chromium dumps.
std::string attack_page(std::uint16_t daemon_port) {
  const std::string base = "http://127.0.0.1:" + std::to_string(daemon_port);
  return "<html><body><pre id=out>start</pre><script>\n"
         "const out = document.getElementById('out');\n"
         "Promise.allSettled([\n"
         "  fetch('" +
         base +
         "/api/accounts/1/register', {method: 'POST', mode: 'no-cors'}),\n"
         "  fetch('" +
         base +
         "/api/accounts/1/register', {method: 'POST', mode: 'no-cors',\n"
         "        headers: {'Content-Type': 'text/plain'}, body: '{}'}),\n"
         "  fetch('" +
         base +
         "/api/accounts').then(r => r.text()),\n"
         "]).then(rs => { out.textContent = 'done ' + rs.map(r => r.status + '=' +\n"
         "  (typeof r.value === 'string' ? r.value : '')).join(' | '); });\n"
         "</script></body></html>\n";
}

TEST(DaemonBrowser, CrossOriginPageCannotDriveOrReadTheDaemon) {
  if (!std::filesystem::exists("/usr/bin/chromium")) GTEST_SKIP() << "no chromium";
  test::Kamailio kam;
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  Daemon d(tmp.path());
  d.write_config({account_for(kam, Transport::kUdp, "1068")});
  ASSERT_TRUE(d.start());
  Json status;
  ASSERT_TRUE(d.wait_registered(1, 5s, &status)) << status.dump();
  const auto registers_before = registers_seen(kam, "1068").size();
  const int ok_before = status["registrations_ok"].get<int>();

  // The attacker's origin: another port on the same loopback (cross-origin, same site).
  const auto www = tmp.path() / "www";
  std::filesystem::create_directories(www);
  std::ofstream(www / "attack.html") << attack_page(d.http_port());
  const std::uint16_t www_port = test::free_port(test::Protocol::kTcp);
  test::ChildProcess web;
  web.spawn({"python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", www.string(),
             std::to_string(www_port)},
            tmp.path() / "www.log");
  ASSERT_TRUE(eventually(
      [&] {
        return test::run_command({"curl", "-sf", "-o", "/dev/null",
                                  "http://127.0.0.1:" + std::to_string(www_port) + "/attack.html"},
                                 2s)
                   .exit_code == 0;
      },
      10s));

  auto browser = test::run_command(
      {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
       "--user-data-dir=" + (tmp.path() / "chromium").string(), "--virtual-time-budget=5000",
       "--dump-dom", "http://127.0.0.1:" + std::to_string(www_port) + "/attack.html"},
      60s);
  ASSERT_FALSE(browser.timed_out);
  // The page ran: the two no-cors POSTs went out (an opaque answer, so "fulfilled"), and the
  // cross-origin read failed (no CORS grant, so "rejected").
  ASSERT_NE(browser.output.find("done fulfilled= | fulfilled= | rejected="), std::string::npos)
      << browser.output;
  EXPECT_EQ(browser.output.find("1068"), std::string::npos) << "account data leaked";

  std::this_thread::sleep_for(1s);  // a re-registration would have been sent by now
  Json after = d.account(1);
  EXPECT_EQ(after["registrations_ok"].get<int>(), ok_before) << after.dump();
  EXPECT_EQ(registers_seen(kam, "1068").size(), registers_before);
  web.stop();
}

}  // namespace
}  // namespace sipline::e2e
