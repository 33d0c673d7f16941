// A scripted Engine for the app's tests: fixed accounts, records re-register requests.
#pragma once
#include <string>
#include <vector>

#include "sipline/engine.hpp"

namespace sipline::app::testing {

class FakeEngine : public Engine {
 public:
  FakeEngine() {
    AccountStatus a;
    a.index = 1;
    a.name = "Front door";
    a.aor = "sip:1001@pbx.example.com";
    a.state = "registered";
    a.granted_expires_s = 3600;
    a.next_refresh_in_s = 3240;
    a.last_status_code = 200;
    a.transport = "udp";
    a.local_port = 5060;
    a.contact = "<sip:1001@127.0.0.1:5060>";
    a.registrations_ok = 3;
    accounts_.push_back(a);
    AccountStatus b;
    b.index = 2;
    b.name = "Back \"door\"";
    b.aor = "sip:1002@pbx.example.com";
    b.state = "failed";
    b.next_attempt_in_s = 20;
    b.last_status_code = 403;
    b.last_error = "403 Forbidden";
    b.failure_class = "credentials";
    b.keepalive_misses = 2;
    b.transport = "tls";
    b.local_port = 5063;
    b.warnings = {"binding not confirmed"};
    accounts_.push_back(b);
  }

  bool start(std::string&) override { return true; }
  void stop(std::chrono::milliseconds, std::function<void()> done) override { done(); }
  bool reload(std::string& report) override {
    report = "fake: nothing to reload";
    return false;
  }
  std::vector<AccountStatus> accounts() const override { return accounts_; }
  std::string metrics_text() const override {
    return "# TYPE sipline_registrations_total counter\n"
           "sipline_registrations_total{account=\"1\"} 3\n";
  }
  bool reregister(int index) override {
    reregistered.push_back(index);
    return index >= 1 && index <= static_cast<int>(accounts_.size());
  }
  std::string http_listen() const override { return "127.0.0.1:0"; }
  std::string log_level() const override { return "info"; }

  std::vector<int> reregistered;
  std::vector<AccountStatus> accounts_;
};

}  // namespace sipline::app::testing
