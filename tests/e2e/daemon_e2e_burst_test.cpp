// Many accounts starting at once (the daemon's start): the engine's registration gate keeps at
// most 64 attempts in flight, queues the rest in arrival order, and every account ends up
// registered at the real Kamailio, with nothing dropped and nothing left waiting.
#include <gtest/gtest.h>

#include <set>

#include "e2e_support.hpp"

namespace sipline::e2e {
namespace {

using namespace std::chrono_literals;

std::optional<double> metric(const std::string& text, const std::string& name) {
  const std::string line_start = "\n" + name + " ";
  const auto at = text.find(line_start);
  if (at == std::string::npos) return std::nullopt;
  return std::stod(text.substr(at + line_start.size()));
}

TEST(DaemonBurst, MoreAccountsThanTheInFlightLimitAllRegister) {
  constexpr int kAccounts = 150;  // more than [daemon] registrations_in_flight (default 64)
  test::Kamailio kam;
  ASSERT_NO_THROW(kam.start());
  TempDir tmp;
  std::vector<AccountToml> accounts;
  std::set<std::string> ports;
  for (int i = 0; i < kAccounts; ++i) {
    AccountToml a = account_for(kam, Transport::kUdp, std::to_string(1300 + i));
    // The free-port probe may hand out a port twice: two accounts on one port is a config error.
    while (!ports.insert(a.get("local_sip_port")).second) {
      a = account_for(kam, Transport::kUdp, std::to_string(1300 + i));
    }
    a.number("register_expiration_min", 60);  // no refresh during the test
    accounts.push_back(a);
  }
  Daemon d(tmp.path());
  d.write_config(accounts);
  ASSERT_TRUE(d.start()) << d.log_tail();

  ASSERT_TRUE(eventually(
      [&] {
        auto s = kam.stats();
        auto it = s.find("usrloc:location_contacts");
        return it != s.end() && it->second == kAccounts;
      },
      15s, 100ms))
      << d.log_tail(20) << kam.log_tail(10);
  ASSERT_TRUE(eventually(
      [&] {
        auto all = d.accounts();
        if (!all || all->size() != static_cast<std::size_t>(kAccounts)) return false;
        for (const auto& a : *all) {
          if (a["state"] != "registered") return false;
        }
        return true;
      },
      5s, 100ms));

  const std::string text = d.metrics();
  EXPECT_EQ(metric(text, "sipline_registrations_in_flight"), 0.0) << text;
  EXPECT_EQ(metric(text, "sipline_registrations_waiting"), 0.0);
  // 150 attempts against a limit of 64: the later ones had to wait for a place.
  const auto waited = metric(text, "sipline_registrations_waited_total");
  ASSERT_TRUE(waited.has_value()) << text;
  EXPECT_GE(*waited, kAccounts - 64.0);
  EXPECT_EQ(d.terminate(), 0);
  EXPECT_TRUE(eventually(
      [&] {
        auto s = kam.stats();
        auto it = s.find("usrloc:location_contacts");
        return it != s.end() && it->second == 0;
      },
      5s, 100ms))
      << "SIGTERM unregisters every account, the gate queueing the unregistrations too";
}

}  // namespace
}  // namespace sipline::e2e
