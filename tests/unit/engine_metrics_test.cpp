// The Prometheus text of /metrics: per-account families with their labels, and the engine-wide
// gate of registration attempts.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "metrics.hpp"

namespace sipline::engine {
namespace {

TEST(Metrics, PerAccountFamiliesAndEngineWideGate) {
  AccountMetrics a;
  a.status.index = 2;
  a.status.name = "Front \"door\"";
  a.status.transport = "tcp";
  a.status.state = "refreshing";
  a.transport.connections_refused = 3;
  a.transport.connections_idle_closed = 4;
  const std::string text = format_metrics({a}, GateMetrics{5, 7, 64, 11});
  const std::string labels = "{account=\"2\",name=\"Front \\\"door\\\"\",transport=\"tcp\"}";
  EXPECT_NE(text.find("sipline_account_registered" + labels + " 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("sipline_connections_refused_total" + labels + " 3\n"), std::string::npos);
  EXPECT_NE(text.find("sipline_connections_idle_closed_total" + labels + " 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE sipline_registrations_in_flight gauge\n"
                      "sipline_registrations_in_flight 5\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nsipline_registrations_waiting 7\n"), std::string::npos);
  EXPECT_NE(text.find("\nsipline_registrations_in_flight_limit 64\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE sipline_registrations_waited_total counter\n"
                      "sipline_registrations_waited_total 11\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE sipline_admission_capacity gauge\nsipline_admission_capacity 64\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE sipline_admission_waiting gauge\nsipline_admission_waiting 7\n"),
            std::string::npos);
}

TEST(Metrics, SharedPortsByTransportAndOutcome) {
  EXPECT_EQ(format_metrics({}, GateMetrics{}).find("sipline_shared_port"), std::string::npos)
      << "no shared socket: no lines";
  txn::SharedPortCounters udp;
  udp.requests_routed = 7;
  udp.answered_404 = 3;
  udp.answered_481 = 2;
  udp.acks_dropped = 1;
  udp.malformed = 4;
  udp.responses_routed = 400;
  udp.responses_unmatched = 5;
  const std::string text =
      format_metrics({}, GateMetrics{}, {}, {}, {{"udp", udp}, {"tcp", txn::SharedPortCounters{}}});
  const std::string req = "sipline_shared_port_requests_total{transport=\"udp\",outcome=";
  EXPECT_NE(text.find("# HELP sipline_shared_port_requests_total "), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE sipline_shared_port_requests_total counter\n" + req +
                      "\"routed\"} 7\n" + req + "\"404\"} 3\n" + req + "\"481\"} 2\n" + req +
                      "\"ack_dropped\"} 1\n" + req + "\"malformed\"} 4\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sipline_shared_port_requests_total{transport=\"tcp\",outcome=\"404\"} 0\n"),
            std::string::npos);
  const std::string resp = "sipline_shared_port_responses_total{transport=\"udp\",outcome=";
  EXPECT_NE(text.find("# TYPE sipline_shared_port_responses_total counter\n"), std::string::npos);
  EXPECT_NE(text.find(resp + "\"routed\"} 400\n"), std::string::npos) << text;
  EXPECT_NE(text.find(resp + "\"unmatched\"} 5\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace sipline::engine

namespace sipline::engine {
namespace {

TEST(Metrics, SubscriptionsMwiAndBlfLamps) {
  AccountMetrics a;
  a.status.index = 3;
  a.status.name = "Desk";
  a.status.mwi = MwiStatus{true, 4, 1, 0, 0};
  a.status.subscriptions = {{"dialog", "sip:1002@pbx", "active", 600, 285, std::nullopt, "", 7, 2}};
  a.status.blf = {{"sip:1002@pbx", "busy", ""}};
  const std::string text = format_metrics({a}, GateMetrics{});
  const std::string sub = "{account=\"3\",name=\"Desk\",event=\"dialog\",uri=\"sip:1002@pbx\"}";
  EXPECT_NE(text.find("sipline_subscription_refreshes_total" + sub + " 7\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("sipline_subscription_failures_total" + sub + " 2\n"), std::string::npos);
  EXPECT_NE(text.find("sipline_subscription_active" + sub + " 1\n"), std::string::npos);
  EXPECT_NE(text.find("sipline_mwi_new_messages{account=\"3\",name=\"Desk\"} 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("sipline_mwi_waiting{account=\"3\",name=\"Desk\"} 1\n"), std::string::npos);
  const std::string lamp = "sipline_blf_state{account=\"3\",name=\"Desk\",uri=\"sip:1002@pbx\",";
  EXPECT_NE(text.find(lamp + "state=\"busy\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find(lamp + "state=\"idle\"} 0\n"), std::string::npos);
}

}  // namespace
}  // namespace sipline::engine

namespace sipline::engine {
namespace {

TEST(Metrics, CallsByDirectionAndOutcomeWithRtp) {
  AccountMetrics a;
  a.status.index = 1;
  a.status.name = "door";
  a.calls.ended[{true, 200}] = 3;
  a.calls.ended[{false, 487}] = 1;
  a.calls.active_in = 1;
  a.calls.answered_seconds = 12.5;
  a.calls.rtp_sent = 250;
  a.calls.rtp_lost = 2;
  const std::string text = format_metrics({a}, GateMetrics{});
  const std::string l = "account=\"1\",name=\"door\"";
  EXPECT_NE(text.find("sipline_calls_total{" + l + ",direction=\"out\",status=\"200\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sipline_calls_total{" + l + ",direction=\"in\",status=\"487\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("sipline_calls_active{" + l + ",direction=\"in\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("sipline_call_answered_seconds_total{" + l + "} 12.5\n"), std::string::npos);
  EXPECT_NE(text.find("sipline_rtp_sent_packets_total{" + l + "} 250\n"), std::string::npos);
  EXPECT_NE(text.find("sipline_rtp_lost_packets_total{" + l + "} 2\n"), std::string::npos);
}

}  // namespace
}  // namespace sipline::engine

namespace sipline::engine {
namespace {

EngineTotals fleet_totals(bool per_account) {
  EngineTotals t;
  t.per_account = per_account;
  t.states = {{"disabled", 0},       {"unregistering", 0}, {"registering", 2},
              {"registered", 40000}, {"refreshing", 9990}, {"failed", 8}};
  using std::chrono::milliseconds;
  t.registrations.registered(milliseconds(3), false);      // le 0.005
  t.registrations.registered(milliseconds(5), false);      // le 0.005 (bounds are inclusive)
  t.registrations.registered(milliseconds(40), true);      // le 0.05
  t.registrations.registered(milliseconds(200000), true);  // beyond 120: +Inf only
  t.registrations.failed();
  return t;
}

std::vector<AccountMetrics> two_accounts() {
  std::vector<AccountMetrics> all(2);
  for (int i = 0; i < 2; ++i) {
    all[i].status.index = i + 1;
    all[i].status.name = "p" + std::to_string(i + 1);
    all[i].status.registrations_ok = 7;
    all[i].txn.client_started = 1500000;  // summed: 3000000, no exponent
    all[i].txn.retransmissions = 2;
  }
  return all;
}

// Without series per account: engine-wide series under the per-account names that add up, none
// with an account label, and the histogram and counts by state.
TEST(Metrics, WithoutSeriesPerAccountOnlyEngineWideAggregates) {
  EngineTotals totals = fleet_totals(false);
  for (const auto& m : two_accounts()) add_to_totals(totals, m);
  totals.subscriptions.by_event_state[{"dialog", "active"}] = 5000;
  totals.subscriptions.by_event_state[{"message-summary", "pending"}] = 3;
  totals.subscriptions.counters.subscribes_ok = 6000;
  totals.subscriptions.counters.failures = 2;
  const std::string text = format_metrics({}, GateMetrics{1, 0, 64, 0}, {}, totals);
  EXPECT_NE(text.find("\nsipline_subscriptions{event=\"dialog\",state=\"active\"} 5000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nsipline_subscriptions{event=\"message-summary\",state=\"pending\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nsipline_subscription_refreshes_total 6000\n"), std::string::npos);
  EXPECT_NE(text.find("\nsipline_subscription_failures_total 2\n"), std::string::npos);
  EXPECT_EQ(text.find("account=\""), std::string::npos) << text;
  EXPECT_NE(text.find("\nsipline_transactions_total 3000000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nsipline_retransmissions_total 4\n"), std::string::npos);
  // Registrations come from the engine's stats (they outlive reloads), not the accounts' 7s.
  EXPECT_NE(
      text.find("# TYPE sipline_registrations_total counter\nsipline_registrations_total 4\n"),
      std::string::npos);
  EXPECT_NE(text.find("\nsipline_registration_failures_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("\nsipline_registration_refreshes_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("\nsipline_account_registered 49990\n"), std::string::npos);
  EXPECT_NE(text.find("\nsipline_accounts{state=\"failed\"} 8\n"), std::string::npos);
  EXPECT_NE(text.find("\nsipline_accounts{state=\"disabled\"} 0\n"), std::string::npos);
  EXPECT_EQ(text.find("sipline_server_target_rank"), std::string::npos);
  EXPECT_EQ(text.find("sipline_calls_active"), std::string::npos);
  EXPECT_NE(text.find("\nsipline_registrations_in_flight 1\n"), std::string::npos);
  const std::string h = "sipline_registration_duration_seconds";
  EXPECT_NE(text.find("# TYPE " + h + " histogram\n" + h + "_bucket{le=\"0.005\"} 2\n" + h +
                      "_bucket{le=\"0.01\"} 2\n" + h + "_bucket{le=\"0.025\"} 2\n" + h +
                      "_bucket{le=\"0.05\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(h + "_bucket{le=\"120\"} 3\n" + h + "_bucket{le=\"+Inf\"} 4\n" + h +
                      "_sum 200.048\n" + h + "_count 4\n"),
            std::string::npos)
      << text;
}

// Per account: the families as before, plus the engine-wide ones whose names do not clash.
TEST(Metrics, PerAccountKeepsTheSeriesAndAddsTheEngineWideOnes) {
  EngineTotals totals = fleet_totals(true);
  totals.subscriptions.by_event_state[{"reg", "active"}] = 1;
  const std::string text = format_metrics(two_accounts(), GateMetrics{}, {}, totals);
  EXPECT_NE(text.find("\nsipline_subscriptions{event=\"reg\",state=\"active\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("sipline_registrations_total{account=\"2\",name=\"p2\",transport=\"\"} 7\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("\nsipline_registrations_total "), std::string::npos);
  EXPECT_NE(text.find("\nsipline_accounts{state=\"registered\"} 40000\n"), std::string::npos);
  EXPECT_NE(text.find("\nsipline_registration_duration_seconds_count 4\n"), std::string::npos);
  // Every family is declared once.
  std::size_t at = 0;
  std::vector<std::string> declared;
  while ((at = text.find("# TYPE ", at)) != std::string::npos) {
    at += 7;
    declared.push_back(text.substr(at, text.find(' ', at) - at));
  }
  std::sort(declared.begin(), declared.end());
  EXPECT_EQ(std::adjacent_find(declared.begin(), declared.end()), declared.end());
}

}  // namespace
}  // namespace sipline::engine
