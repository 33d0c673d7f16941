// The Prometheus text of /metrics: per-account families with their labels, and the engine-wide
// gate of registration attempts.
#include <gtest/gtest.h>

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
