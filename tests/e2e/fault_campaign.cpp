#include "fault_campaign.hpp"

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "support/netns.hpp"

namespace sipline::e2e {

using namespace std::chrono_literals;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

const char* const kTable = "inet sipline_faults";

}  // namespace

Campaign::Campaign(CampaignOptions options) : options_(options) {}

Campaign::~Campaign() {
  if (daemon_) daemon_->terminate(3000ms);
}

::testing::AssertionResult Campaign::start(std::string* skip) {
  if (auto why = test::enter_private_netns()) {
    *skip = *why;
    return ::testing::AssertionFailure() << *why;
  }
  test::KamailioOptions ko;
  ko.min_expires_s = options_.expires_s;
  ko.default_expires_s = options_.expires_s;
  ko.max_expires_s = options_.expires_s;  // accounts ask for 60 s (1 minute, the least): granted G
  ko.defines.push_back("UDP_CHILDREN=" + std::to_string(options_.kamailio_children));
  ko.defines.push_back("TCP_CHILDREN=" + std::to_string(options_.kamailio_children));
  ko.presence = options_.reg_event_accounts > 0;
  kam_ = std::make_unique<test::Kamailio>(ko);
  try {
    kam_->start();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "kamailio: " << e.what();
  }
  test::nft(std::string("table ") + kTable +
            " {\n chain in { type filter hook input priority 0; policy accept; }\n"
            " chain out { type filter hook output priority 0; policy accept; }\n}");
  tmp_ = std::make_unique<TempDir>();
  std::set<std::string> ports;  // the free-port probe may hand out a port twice
  const Transport kinds[] = {Transport::kUdp, Transport::kTcp, Transport::kTls};
  for (int i = 0; i < options_.accounts; ++i) {
    const Transport t = options_.udp_only ? Transport::kUdp : kinds[i % 3];
    const std::string user = std::to_string(options_.first_user + i);
    AccountToml a = account_for(*kam_, t, user);
    while (ports.count(a.get("local_sip_port")) != 0 ||
           ports.count(std::to_string(std::stoi(a.get("local_sip_port")) + 1)) != 0) {
      a = account_for(*kam_, t, user);
    }
    ports.insert(a.get("local_sip_port"));
    if (t == Transport::kTls) ports.insert(a.get("local_tls_port"));
    a.number("register_expiration_min", options_.register_expiration_min);
    a.number("registration_retry_wait_s", options_.retry_wait_s);
    if (options_.reregister_before_s > 0) {
      a.number("reregister_before_expiration_s", options_.reregister_before_s);
    }
    if (i < options_.reg_event_accounts) {
      a.flag("subscribe_reg_event", true);
      a.number("subscribe_expiration_min", 1);
    }
    accounts_.push_back(a);
    transports_.push_back(t);
    users_.push_back(user);
  }
  daemon_ = std::make_unique<Daemon>(tmp_->path(), "campaign");
  daemon_->write_config(accounts_);
  if (auto up = daemon_->start(); !up) return up;
  const bool all = eventually(
      [&] {
        auto list = daemon_->accounts();
        if (!list || list->size() != users_.size()) return false;
        contacts_.clear();
        for (const auto& a : *list) {
          if (a["state"] != "registered") return false;
          contacts_.push_back(a["contact"].get<std::string>());
        }
        auto bound = bound_users();
        return bound && bound->size() == users_.size();
      },
      std::chrono::milliseconds(20000 + 50 * options_.accounts), 200ms);
  if (!all)
    return ::testing::AssertionFailure() << "not every account bound\n" << daemon_->log_tail(30);
  return ::testing::AssertionSuccess();
}

long Campaign::daemon_rss_kib() const {
  std::ifstream in("/proc/" + std::to_string(daemon_->pid()) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

std::chrono::milliseconds Campaign::retry_bound() const {
  return std::chrono::seconds(options_.retry_wait_s) + 1s;
}

namespace {
// The registration timing rule (account-settings.md): G - R when 0 < R < G, else G/2.
std::chrono::milliseconds refresh_interval(int granted_s, int before_s) {
  const int s = before_s > 0 && before_s < granted_s ? granted_s - before_s : granted_s / 2;
  return std::chrono::seconds(s);
}
}  // namespace

std::chrono::milliseconds Campaign::refresh_bound() const {
  return refresh_interval(options_.expires_s, options_.reregister_before_s) + retry_bound();
}

std::chrono::milliseconds Campaign::reg_event_bound() const {
  return refresh_interval(60, options_.reregister_before_s) + retry_bound();
}

std::optional<std::set<std::string>> Campaign::bound_users() const {
  std::vector<test::Binding> all;
  try {
    all = kam_->ul_dump();
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::map<std::string, std::string> contact_of;
  for (std::size_t i = 0; i < users_.size() && i < contacts_.size(); ++i) {
    contact_of[users_[i]] = contacts_[i];
  }
  std::set<std::string> out;
  for (const auto& b : all) {
    auto it = contact_of.find(b.aor);
    if (it != contact_of.end() && it->second == b.contact) out.insert(b.aor);
  }
  return out;
}

std::vector<std::string> Campaign::unregistered_in_api() const {
  std::vector<std::string> out;
  auto list = daemon_->accounts();
  if (!list) return {"(the API does not answer)"};
  for (const auto& a : *list) {
    // "refreshing" holds its binding too: a refresh is under way, its lease still valid.
    if (a["state"] != "registered" && a["state"] != "refreshing") {
      out.push_back(a["aor"].get<std::string>() + " " + a["state"].get<std::string>());
    }
  }
  return out;
}

std::vector<std::string> Campaign::credential_failures() const {
  std::vector<std::string> out;
  auto list = daemon_->accounts();
  if (!list) return out;
  for (const auto& a : *list) {
    if (a["failure_class"] == "credentials") {
      out.push_back(a["aor"].get<std::string>() + ": " + a["last_error"].get<std::string>());
    }
  }
  return out;
}

std::vector<std::uint16_t> Campaign::ports_of(Transport t) const {
  std::vector<std::uint16_t> out;
  for (std::size_t i = 0; i < accounts_.size(); ++i) {
    if (transports_[i] == t) {
      out.push_back(static_cast<std::uint16_t>(std::stoi(accounts_[i].get("local_sip_port"))));
    }
  }
  return out;
}

void Campaign::nft_rule(const std::string& chain, const std::string& rule) {
  test::nft(std::string("add rule ") + kTable + " " + chain + " " + rule);
}

void Campaign::nft_flush() {
  test::nft(std::string("flush chain ") + kTable + " in\nflush chain " + kTable + " out");
}

FaultRow Campaign::run(const Fault& fault) {
  FaultRow row;
  row.fault = fault.name;
  row.accounts = options_.accounts;
  row.bound_s = std::chrono::duration<double>(fault.bound).count();
  row.note = fault.note;
  std::set<std::string> lost;
  std::map<std::string, double> back_at;  // user -> seconds after the end, once bound again
  bool after_end = false;
  Clock::time_point ended;
  auto sample = [&]() -> std::optional<std::size_t> {
    auto bound = bound_users();
    if (!bound) return std::nullopt;
    for (const auto& u : users_) {
      if (bound->count(u) == 0) {
        lost.insert(u);
      } else if (after_end && back_at.count(u) == 0) {
        back_at[u] = lost.count(u) != 0 ? seconds_since(ended) : 0.0;
      }
    }
    return bound->size();
  };
  const auto began = Clock::now();
  fault.begin(*this);
  while (Clock::now() - began < fault.hold) {
    if (fault.tick) fault.tick(*this);
    if (fault.sample_during_hold) sample();
    std::this_thread::sleep_for(250ms);
  }
  fault.end(*this);
  ended = Clock::now();
  after_end = true;
  const auto limit = fault.bound + 15s;  // measured past the bound, to report the real time
  while (Clock::now() - ended < limit) {
    if (!daemon_->running()) break;
    auto n = sample();
    if (n && *n == users_.size() && unregistered_in_api().empty()) {
      row.recovered_s = seconds_since(ended);
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  row.lost_bindings = static_cast<int>(lost.size());
  for (const auto& u : users_) {
    auto it = back_at.find(u);
    row.recovered_each_s.push_back(it == back_at.end() ? std::nullopt
                                                       : std::optional<double>(it->second));
  }
  if (!daemon_->running()) row.problems.push_back("the daemon died");
  for (const auto& c : credential_failures()) row.problems.push_back("lock-out " + c);
  if (!row.recovered_s) {
    row.problems.push_back("not every account bound within " + std::to_string(limit.count()) +
                           " ms");
  } else if (*row.recovered_s > row.bound_s) {
    row.problems.push_back("recovered after " + std::to_string(*row.recovered_s) +
                           " s, over the bound");
  }
  if (daemon_->running()) row.rss_kib = daemon_rss_kib();
  return row;
}

std::string Campaign::table(const std::vector<FaultRow>& rows) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "| %-40s | %8s | %11s | %7s | %6s | %8s | %s\n", "fault",
                "accounts", "recovered s", "bound s", "lost", "RSS KiB", "result");
  out << line;
  out << "|" << std::string(42, '-') << "|" << std::string(10, '-') << "|" << std::string(13, '-')
      << "|" << std::string(9, '-') << "|" << std::string(8, '-') << "|" << std::string(10, '-')
      << "|--------\n";
  for (const auto& r : rows) {
    const std::string rec = r.recovered_s ? std::to_string(*r.recovered_s).substr(0, 5) : "never";
    std::string result = r.ok() ? "ok" : "FAIL";
    for (const auto& p : r.problems) result += "; " + p;
    if (!r.note.empty()) result += " (" + r.note + ")";
    std::snprintf(line, sizeof line, "| %-40s | %8d | %11s | %7.1f | %6d | %8ld | ",
                  r.fault.c_str(), r.accounts, rec.c_str(), r.bound_s, r.lost_bindings, r.rss_kib);
    out << line << result << "\n";
  }
  return out.str();
}

}  // namespace sipline::e2e
