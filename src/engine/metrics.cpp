#include "metrics.hpp"

#include <array>
#include <functional>
#include <initializer_list>
#include <sstream>
#include <utility>

namespace sipline::engine {
namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// How a per-account family shows without series per account: not at all, as the sum of its
// accounts' values (counters of the transaction layer and transport: no status needed), or as
// an engine-wide figure of EngineTotals (the same name, so sum() in a query works either way).
enum class Aggregate { none, sum, total };

struct Family {
  const char* name;
  const char* type;
  const char* help;
  std::function<double(const AccountMetrics&)> value;
  Aggregate aggregate = Aggregate::none;
  std::function<double(const EngineTotals&)> total = nullptr;
};

std::string account_labels(const AccountStatus& a) {
  return "account=\"" + std::to_string(a.index) + "\",name=\"" + escape_label(a.name) + "\"";
}

void header(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
}

// Per subscription (account, event, uri), the MWI counts per account, and each BLF lamp as an
// enum (one line per state, 1 for the current one).
void format_subscription_metrics(const std::vector<AccountMetrics>& accounts,
                                 std::ostringstream& out) {
  using Value = std::function<double(const SubscriptionStatus&)>;
  const std::pair<std::array<const char*, 3>, Value> per_sub[] = {
      {{"sipline_subscription_refreshes_total", "counter",
        "SUBSCRIBEs accepted (initial and refreshes)."},
       [](const SubscriptionStatus& s) { return double(s.refreshes); }},
      {{"sipline_subscription_failures_total", "counter", "SUBSCRIBE attempts that failed."},
       [](const SubscriptionStatus& s) { return double(s.failures); }},
      {{"sipline_subscription_active", "gauge", "1 when the subscription is active."},
       [](const SubscriptionStatus& s) { return s.state == "active" ? 1.0 : 0.0; }},
  };
  for (const auto& [meta, value] : per_sub) {
    header(out, meta[0], meta[1], meta[2]);
    for (const auto& m : accounts) {
      for (const auto& s : m.status.subscriptions) {
        out << meta[0] << "{" << account_labels(m.status) << ",event=\"" << s.event << "\",uri=\""
            << escape_label(s.uri) << "\"} " << value(s) << "\n";
      }
    }
  }
  header(out, "sipline_mwi_waiting", "gauge", "1 when the mailbox says messages are waiting.");
  for (const auto& m : accounts) {
    if (m.status.mwi) {
      out << "sipline_mwi_waiting{" << account_labels(m.status) << "} "
          << (m.status.mwi->waiting ? 1 : 0) << "\n";
    }
  }
  header(out, "sipline_mwi_new_messages", "gauge", "New voice messages (RFC 3842).");
  for (const auto& m : accounts) {
    if (m.status.mwi) {
      out << "sipline_mwi_new_messages{" << account_labels(m.status) << "} "
          << m.status.mwi->new_msgs << "\n";
    }
  }
  header(out, "sipline_blf_state", "gauge", "Busy lamp of a watched line: 1 for its state.");
  for (const auto& m : accounts) {
    for (const auto& b : m.status.blf) {
      for (const char* st : {"idle", "ringing", "busy", "unknown"}) {
        out << "sipline_blf_state{" << account_labels(m.status) << ",uri=\"" << escape_label(b.uri)
            << "\",state=\"" << st << "\"} " << (b.state == st ? 1 : 0) << "\n";
      }
    }
  }
}

// Calls (calls-and-subscriptions.md "Interfaces added"): by direction and outcome, duration,
// RTP packets, loss and jitter.
void format_call_metrics(const std::vector<AccountMetrics>& accounts, std::ostringstream& out) {
  header(out, "sipline_calls_total", "counter", "Ended calls by direction and final status.");
  for (const auto& m : accounts) {
    for (const auto& [key, n] : m.calls.ended) {
      out << "sipline_calls_total{" << account_labels(m.status) << ",direction=\""
          << (key.first ? "out" : "in") << "\",status=\"" << key.second << "\"} " << n << "\n";
    }
  }
  header(out, "sipline_calls_active", "gauge", "Calls not ended yet, by direction.");
  for (const auto& m : accounts) {
    out << "sipline_calls_active{" << account_labels(m.status) << ",direction=\"in\"} "
        << m.calls.active_in << "\n";
    out << "sipline_calls_active{" << account_labels(m.status) << ",direction=\"out\"} "
        << m.calls.active_out << "\n";
  }
  using Value = std::function<double(const account::CallTotals&)>;
  const std::pair<std::array<const char*, 3>, Value> per_account[] = {
      {{"sipline_call_answered_seconds_total", "counter", "Summed duration of answered calls."},
       [](const account::CallTotals& t) { return t.answered_seconds; }},
      {{"sipline_rtp_sent_packets_total", "counter", "RTP packets sent by calls."},
       [](const account::CallTotals& t) { return double(t.rtp_sent); }},
      {{"sipline_rtp_received_packets_total", "counter", "RTP packets received by calls."},
       [](const account::CallTotals& t) { return double(t.rtp_received); }},
      {{"sipline_rtp_lost_packets_total", "counter", "RTP packets lost (RFC 3550 A.3)."},
       [](const account::CallTotals& t) { return double(t.rtp_lost); }},
      {{"sipline_rtp_jitter_ms", "gauge", "Highest interarrival jitter of the active calls."},
       [](const account::CallTotals& t) { return t.max_jitter_ms; }},
  };
  for (const auto& [meta, value] : per_account) {
    header(out, meta[0], meta[1], meta[2]);
    for (const auto& m : accounts) {
      out << meta[0] << "{" << account_labels(m.status) << "} " << value(m.calls) << "\n";
    }
  }
}

// Both ways: accounts by state, refreshes, and the histogram of registration times.
void format_engine_totals(const EngineTotals& t, std::ostringstream& out) {
  header(out, "sipline_accounts", "gauge", "Accounts by state.");
  for (const auto& [state, n] : t.states) {
    out << "sipline_accounts{state=\"" << state << "\"} " << n << "\n";
  }
  const account::RegistrationStats& r = t.registrations;
  header(out, "sipline_registration_refreshes_total", "counter",
         "Successful REGISTER attempts by accounts that already held a registration.");
  out << "sipline_registration_refreshes_total " << r.refreshes << "\n";
  const char* h = "sipline_registration_duration_seconds";
  header(out, h, "histogram",
         "Successful REGISTER attempts: from the attempt's start (admission wait included) to "
         "the 2xx, through the challenge.");
  std::uint64_t below = 0;
  for (std::size_t i = 0; i < r.buckets.size(); ++i) {
    below += r.buckets[i];
    out << h << "_bucket{le=\"";
    if (i < account::RegistrationStats::kBucketsS.size()) {
      out << account::RegistrationStats::kBucketsS[i];
    } else {
      out << "+Inf";
    }
    out << "\"} " << below << "\n";
  }
  out << h << "_sum " << r.sum_s << "\n" << h << "_count " << below << "\n";
  header(out, "sipline_subscriptions", "gauge", "Subscriptions by event package and state.");
  for (const auto& [key, n] : t.subscriptions.by_event_state) {
    out << "sipline_subscriptions{event=\"" << key.first << "\",state=\"" << key.second << "\"} "
        << n << "\n";
  }
  if (t.per_account) return;  // then per subscription, in format_subscription_metrics
  header(out, "sipline_subscription_refreshes_total", "counter",
         "SUBSCRIBEs accepted (initial and refreshes).");
  out << "sipline_subscription_refreshes_total " << t.subscriptions.counters.subscribes_ok << "\n";
  header(out, "sipline_subscription_failures_total", "counter", "SUBSCRIBE attempts that failed.");
  out << "sipline_subscription_failures_total " << t.subscriptions.counters.failures << "\n";
}

// The per-account families, in the order of the text.
const std::vector<Family>& account_families() {
  static const std::vector<Family> families = {
      {"sipline_account_registered", "gauge", "1 when the account holds a registration.",
       [](const AccountMetrics& m) {
         return m.status.state == "registered" || m.status.state == "refreshing" ? 1.0 : 0.0;
       },
       Aggregate::total,
       [](const EngineTotals& t) { return double(t.count("registered") + t.count("refreshing")); }},
      {"sipline_registrations_total", "counter", "Successful REGISTER attempts.",
       [](const AccountMetrics& m) { return double(m.status.registrations_ok); }, Aggregate::total,
       [](const EngineTotals& t) { return double(t.registrations.registrations); }},
      {"sipline_registration_failures_total", "counter", "Failed REGISTER attempts.",
       [](const AccountMetrics& m) { return double(m.status.registration_failures); },
       Aggregate::total, [](const EngineTotals& t) { return double(t.registrations.failures); }},
      {"sipline_server_failovers_total", "counter",
       "Moves to the next DNS target of sip_server (timeout, transport error, 503).",
       [](const AccountMetrics& m) { return double(m.status.failovers); }},
      {"sipline_server_target_rank", "gauge",
       "Rank of the DNS target in use: 0 the most preferred (RFC 3263 order).",
       [](const AccountMetrics& m) { return double(m.status.server_target_rank); }},
      {"sipline_registration_granted_seconds", "gauge", "Lifetime granted by the registrar.",
       [](const AccountMetrics& m) { return double(m.status.granted_expires_s); }},
      {"sipline_refresh_latency_seconds", "gauge",
       "Time from the first REGISTER of the last successful attempt to its 2xx.",
       [](const AccountMetrics& m) { return m.status.last_refresh_latency_s; }},
      {"sipline_keepalive_misses", "gauge", "OPTIONS keep-alive misses in a row.",
       [](const AccountMetrics& m) { return double(m.status.keepalive_misses); }},
      {"sipline_keepalive_misses_total", "counter", "OPTIONS keep-alive misses.",
       [](const AccountMetrics& m) { return double(m.status.keepalive_misses_total); }},
      {"sipline_flow_failures_total", "counter",
       "RFC 5626 flows found dead (no keep-alive pong in 10 s, or a new mapped address), each "
       "re-registered at once.",
       [](const AccountMetrics& m) {
         return m.status.outbound ? double(m.status.outbound->flow_failures) : 0.0;
       },
       Aggregate::sum},
      {"sipline_transactions_total", "counter", "Client transactions started.",
       [](const AccountMetrics& m) { return double(m.txn.client_started); }, Aggregate::sum},
      {"sipline_retransmissions_total", "counter", "Request retransmissions (timer E).",
       [](const AccountMetrics& m) { return double(m.txn.retransmissions); }, Aggregate::sum},
      {"sipline_transaction_timeouts_total", "counter", "Client transactions that timed out.",
       [](const AccountMetrics& m) { return double(m.txn.timeouts); }, Aggregate::sum},
      {"sipline_stray_responses_total", "counter", "Responses matching no transaction.",
       [](const AccountMetrics& m) { return double(m.txn.stray_responses); }, Aggregate::sum},
      {"sipline_server_requests_total", "counter", "Requests received.",
       [](const AccountMetrics& m) { return double(m.txn.server_requests); }, Aggregate::sum},
      {"sipline_malformed_messages_total", "counter", "Malformed messages dropped.",
       [](const AccountMetrics& m) {
         return double(m.transport.malformed_dropped + m.txn.malformed);
       },
       Aggregate::sum},
      {"sipline_connections_lost_total", "counter", "TCP/TLS connections lost.",
       [](const AccountMetrics& m) { return double(m.transport.connections_lost); },
       Aggregate::sum},
      {"sipline_tls_failures_total", "counter", "TLS handshakes that failed.",
       [](const AccountMetrics& m) { return double(m.transport.tls_failures); }, Aggregate::sum},
      {"sipline_connections_refused_total", "counter",
       "Inbound TCP/TLS connections closed at once: the inbound table was full.",
       [](const AccountMetrics& m) { return double(m.transport.connections_refused); },
       Aggregate::sum},
      {"sipline_connections_idle_closed_total", "counter",
       "Inbound TCP/TLS connections closed after carrying nothing for the idle timeout.",
       [](const AccountMetrics& m) { return double(m.transport.connections_idle_closed); },
       Aggregate::sum},
      {"sipline_messages_read_timed_out_total", "counter",
       "TCP/TLS connections closed: a message was not complete within its read deadline.",
       [](const AccountMetrics& m) { return double(m.transport.messages_read_timed_out); },
       Aggregate::sum},
      {"sipline_accept_failures_total", "counter",
       "Failed accepts on TCP/TLS listeners (out of descriptors: EMFILE/ENFILE); accepting backs "
       "off.",
       [](const AccountMetrics& m) { return double(m.transport.accept_failures); }, Aggregate::sum},
      {"sipline_icmp_unreachable_total", "counter",
       "ICMP unreachable errors for UDP sends; each fails what waited on that destination at once.",
       [](const AccountMetrics& m) { return double(m.transport.unreachable_in); }, Aggregate::sum},
  };
  return families;
}

// Messages on each shared socket by outcome; no lines without shared sockets.
void format_shared_port_metrics(const std::vector<SharedPortMetrics>& ports,
                                std::ostringstream& out) {
  if (ports.empty()) return;
  using C = txn::SharedPortCounters;
  const auto family = [&](const char* name, const char* help,
                          std::initializer_list<std::pair<const char*, std::uint64_t C::*>> rows) {
    header(out, name, "counter", help);
    for (const auto& p : ports) {
      for (const auto& [outcome, field] : rows) {
        out << name << "{transport=\"" << p.transport << "\",outcome=\"" << outcome << "\"} "
            << p.counters.*field << "\n";
      }
    }
  };
  family("sipline_shared_port_requests_total",
         "Requests received on a shared socket ([daemon] shared_port): routed to their account, "
         "answered 404 or 481 for no account, an ACK for no account dropped, or malformed (no "
         "Via) dropped.",
         {{"routed", &C::requests_routed},
          {"404", &C::answered_404},
          {"481", &C::answered_481},
          {"ack_dropped", &C::acks_dropped},
          {"malformed", &C::malformed}});
  family("sipline_shared_port_responses_total",
         "Responses received on a shared socket: routed to the account whose branch they carry, "
         "or dropped (no account's branch).",
         {{"routed", &C::responses_routed}, {"unmatched", &C::responses_unmatched}});
}

}  // namespace

std::size_t EngineTotals::count(std::string_view state) const {
  for (const auto& [s, n] : states) {
    if (s == state) return n;
  }
  return 0;
}

void add_to_totals(EngineTotals& totals, const AccountMetrics& m) {
  const auto& families = account_families();
  totals.sums.resize(families.size());
  for (std::size_t i = 0; i < families.size(); ++i) {
    if (families[i].aggregate == Aggregate::sum) totals.sums[i] += families[i].value(m);
  }
}

std::string format_metrics(const std::vector<AccountMetrics>& accounts, const GateMetrics& gate,
                           const DnsMetrics& dns, const EngineTotals& totals,
                           const std::vector<SharedPortMetrics>& shared_ports) {
  const auto& families = account_families();
  std::ostringstream out;
  out.precision(15);  // counters summed over a fleet pass 10^6: no exponent, no rounding
  for (const auto& f : families) {
    if (!totals.per_account) {
      if (f.aggregate == Aggregate::none) continue;
      const auto i = static_cast<std::size_t>(&f - families.data());
      const double v = f.aggregate == Aggregate::total ? f.total(totals)
                       : i < totals.sums.size()        ? totals.sums[i]
                                                       : 0.0;
      header(out, f.name, f.type, f.help);
      out << f.name << " " << v << "\n";
      continue;
    }
    out << "# HELP " << f.name << " " << f.help << "\n# TYPE " << f.name << " " << f.type << "\n";
    for (const auto& m : accounts) {
      out << f.name << "{account=\"" << m.status.index << "\",name=\""
          << escape_label(m.status.name) << "\",transport=\"" << m.status.transport << "\"} "
          << f.value(m) << "\n";
    }
  }
  if (totals.per_account) {
    format_subscription_metrics(accounts, out);
    format_call_metrics(accounts, out);
  }
  format_engine_totals(totals, out);
  format_shared_port_metrics(shared_ports, out);
  const auto engine_wide = [&out](const char* name, const char* type, const char* help,
                                  double value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
        << name << " " << value << "\n";
  };
  engine_wide("sipline_registrations_in_flight", "gauge",
              "Registration attempts in progress across all accounts.", double(gate.in_flight));
  engine_wide("sipline_registrations_waiting", "gauge",
              "Registration attempts waiting for a place (the in-flight limit was reached).",
              double(gate.waiting));
  engine_wide("sipline_registrations_in_flight_limit", "gauge",
              "Most registration attempts in progress at once.", double(gate.capacity));
  engine_wide("sipline_registrations_waited_total", "counter",
              "Registration attempts that had to wait for a place.", double(gate.waited_total));
  engine_wide("sipline_admission_capacity", "gauge",
              "Places of the admission gate (REGISTER, SUBSCRIBE, keep-alive OPTIONS); with "
              "[daemon] admission = \"auto\" it adapts to the registrar.",
              double(gate.capacity));
  engine_wide("sipline_admission_waiting", "gauge",
              "Requests waiting for a place at the admission gate.", double(gate.waiting));
  engine_wide("sipline_dns_lookups_total", "counter",
              "DNS questions sent to locate SIP servers (SRV, A/AAAA).", double(dns.lookups));
  engine_wide("sipline_dns_cache_hits_total", "counter",
              "DNS questions answered by the cache or joined to a look-up in flight.",
              double(dns.cache_hits));
  engine_wide("sipline_dns_failures_total", "counter",
              "DNS questions that ended in an error (SERVFAIL, no answer ...).",
              double(dns.failures));
  return out.str();
}

}  // namespace sipline::engine
