// A scripted registrar for virtual-clock tests of the account policy: the account runs on the
// real transaction layer over the fake transport; the test looks at each request sent and
// answers it with the response it wants, at the virtual time it wants.
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "account/account.hpp"
#include "base/random.hpp"
#include "base/timers.hpp"
#include "config/config.hpp"
#include "msg/writer.hpp"
#include "support/fake_transport.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::account_test {

using namespace std::chrono_literals;
using base::Duration;

// Jitter pinned to one value: unit() returns `fraction` exactly (0 <= fraction < 1).
class PinnedRandom final : public base::Random {
 public:
  explicit PinnedRandom(double fraction)
      : value_(static_cast<std::uint64_t>(fraction * 9007199254740992.0) << 11) {}
  std::uint64_t next_u64() override { return value_; }

 private:
  std::uint64_t value_;
};

inline const transport::Address kServer{transport::Protocol::kUdp, "127.0.0.9", 5060};

struct Fixture : ::testing::Test {
  base::VirtualTimers timers;
  test::FakeTransport transport{timers};
  base::SeededRandom random{7};
  PinnedRandom jitter{0.5};  // 10 % of m/W times 0.5: 5 %
  txn::TransactionLayer txn{timers, transport, txn::TimerConfig{}, &random};
  config::AccountConfig cfg = base_config();
  std::vector<std::string> previous_contacts;
  std::vector<std::string> saved_contacts;
  std::unique_ptr<account::Account> account;
  account::CallMediaEnv* calls_env = nullptr;  // set before start() to take calls
  std::string outbound_instance;               // set before start(): RFC 5626 outbound
  base::TimePoint t0 = timers.now();

  static config::AccountConfig base_config() {
    auto c = config::default_account(1);
    c.sip_server = {"127.0.0.9", std::nullopt};
    c.user_id = "1001";
    c.password = "pw-1001";
    c.unregister_before_new_registration = config::UnregisterMode::no;
    return c;
  }

  void start() {
    transport.set_user(&txn);
    transport::Target target{kServer, "127.0.0.9"};
    account = std::make_unique<account::Account>(
        1, cfg, account::Stack{txn, transport, timers, random, jitter, nullptr, calls_env}, target,
        previous_contacts,
        account::Account::Hooks{[this](const std::string& c) { saved_contacts.push_back(c); }});
    if (!outbound_instance.empty()) account->set_outbound_instance(outbound_instance);
    t0 = timers.now();
    account->start();
  }

  // The one request sent since the last call (fails the test if not exactly one).
  test::SentMessage next_request() {
    auto sent = transport.take_sent();
    EXPECT_EQ(sent.size(), 1u) << "expected exactly one request";
    if (sent.empty()) return {};
    return sent.back();
  }
  // Seconds since start() (virtual), with ms precision.
  double at_s(const test::SentMessage& m) const {
    return std::chrono::duration<double>(m.at - t0).count();
  }
  double now_s() const { return std::chrono::duration<double>(timers.now() - t0).count(); }

  // Answers `req` with `code`; extra header lines ("Name: value") are added. For a 2xx to
  // REGISTER, `contact_expires` >= 0 echoes the request's Contact with that expires.
  void answer(const test::SentMessage& req, int code, std::vector<std::string> extra = {},
              int contact_expires = -1) {
    auto m = req.parse();
    auto w = msg::response_to(m, code, msg::reason_phrase(code), code >= 200 ? "srvtag" : "");
    if (contact_expires >= 0) {
      auto c = m.find(msg::HeaderId::kContact);
      EXPECT_NE(c, nullptr);
      if (c) {
        w.header(msg::HeaderId::kContact,
                 std::string(c->value) + ";expires=" + std::to_string(contact_expires));
      }
    }
    for (const auto& h : extra) {
      auto colon = h.find(':');
      w.header(h.substr(0, colon), h.substr(colon + 2));
    }
    EXPECT_TRUE(transport.inject(w.finish(), kServer));
  }
  void answer_ok(const test::SentMessage& req, int expires = 3600) {
    answer(req, 200, {}, expires);
  }
  void challenge(const test::SentMessage& req, std::string nonce = "n1", bool stale = false) {
    answer(req, 401,
           {"WWW-Authenticate: Digest realm=\"sipline.test\", nonce=\"" + nonce +
            "\", qop=\"auth\", algorithm=MD5" + (stale ? ", stale=true" : "")});
  }
  // Registers through a challenge: returns the time the 200 was given.
  void register_with_challenge(int expires = 3600) {
    auto r1 = next_request();
    challenge(r1);
    auto r2 = next_request();
    answer_ok(r2, expires);
  }
  std::string header(const test::SentMessage& m, msg::HeaderId id) {
    auto parsed = m.parse();
    auto h = parsed.find(id);
    return h ? std::string(h->value) : std::string();
  }
  std::vector<std::string> contacts_of(const test::SentMessage& m) {
    std::vector<std::string> out;
    const msg::Message parsed = m.parse();  // the views below point into it
    for (auto v : parsed.values(msg::HeaderId::kContact)) out.emplace_back(v);
    return out;
  }
  account::State state() const { return account->state(); }
  // Advances virtual time until a request is sent (bounded); returns it.
  test::SentMessage wait_request(Duration limit = 100000s) {
    timers.run_until([&] { return !transport.sent().empty(); }, limit);
    return next_request();
  }
};

}  // namespace sipline::account_test
