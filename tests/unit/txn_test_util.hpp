// Shared pieces of the transaction layer tests: literal SIP messages and a fixture with a
// virtual clock, the fake transport and a TransactionLayer.
#pragma once
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "base/random.hpp"
#include "base/timers.hpp"
#include "support/fake_transport.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::txn_test {

using namespace std::chrono_literals;
using transport::Address;
using transport::Protocol;
using transport::Target;

// A request as a peer would send it; every field can be bent for a test.
struct Req {
  std::string method = "OPTIONS";
  std::string branch = "z9hG4bKpeer1";
  std::string transport = "UDP";
  std::string sent_by = "127.0.0.1:5070";
  std::string via_params = ";rport";
  std::string call_id = "call-1@peer";
  std::uint32_t cseq = 1;
  std::string cseq_method;  // empty: same as method
  std::string to_tag;
  bool with_via = true;
  bool with_call_id = true;
  std::string extra;  // further header lines, each ending in CRLF

  std::string text() const {
    std::string s = method + " sip:me@127.0.0.1:5060 SIP/2.0\r\n";
    if (with_via) {
      s += "Via: SIP/2.0/" + transport + " " + sent_by + via_params;
      if (!branch.empty()) s += ";branch=" + branch;
      s += "\r\n";
    }
    s += "Max-Forwards: 70\r\n";
    s += "From: <sip:peer@127.0.0.1>;tag=peertag\r\n";
    s += "To: <sip:me@127.0.0.1>" + (to_tag.empty() ? std::string{} : ";tag=" + to_tag) + "\r\n";
    if (with_call_id) s += "Call-ID: " + call_id + "\r\n";
    s += "CSeq: " + std::to_string(cseq) + " " + (cseq_method.empty() ? method : cseq_method) +
         "\r\n";
    s += extra;
    s += "Content-Length: 0\r\n\r\n";
    return s;
  }
};

// A response to one of the layer's own requests (top Via = ours, with `branch`).
inline std::string response_text(std::string_view branch, int code,
                                 std::string_view cseq_method = "OPTIONS") {
  std::string s = "SIP/2.0 " + std::to_string(code) + " Whatever\r\n";
  s += "Via: SIP/2.0/UDP 127.0.0.1:5060;rport=5060;branch=" + std::string(branch) + "\r\n";
  s += "From: <sip:me@127.0.0.1>;tag=mytag\r\n";
  s += "To: <sip:peer@127.0.0.1>;tag=theirs\r\n";
  s += "Call-ID: mycall\r\n";
  s += "CSeq: 7 " + std::string(cseq_method) + "\r\n";
  s += "Content-Length: 0\r\n\r\n";
  return s;
}

// Our own request with `branch`, as a usage would build it.
inline std::string request_text(std::string_view branch, std::string_view method = "OPTIONS") {
  std::string s = std::string(method) + " sip:peer@127.0.0.1 SIP/2.0\r\n";
  s += "Via: SIP/2.0/UDP 127.0.0.1:5060;rport;branch=" + std::string(branch) + "\r\n";
  s += "Max-Forwards: 70\r\nFrom: <sip:me@127.0.0.1>;tag=mytag\r\nTo: <sip:peer@127.0.0.1>\r\n";
  s += "Call-ID: mycall\r\nCSeq: 7 " + std::string(method) + "\r\nContent-Length: 0\r\n\r\n";
  return s;
}

inline std::string describe(const txn::ClientEvent& e) {
  if (const auto* r = std::get_if<txn::ResponseEvent>(&e)) {
    return std::to_string(r->response.status_code());
  }
  if (std::holds_alternative<txn::TimeoutEvent>(e)) return "timeout";
  const auto& err = std::get<txn::TransportErrorEvent>(e);
  return "error:" + std::string(transport::to_string(err.error.kind));
}

class LayerTest : public ::testing::Test {
 protected:
  LayerTest() { transport_.set_user(&layer_); }

  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(timers_.now() - t0_).count();
  }
  // Starts a client transaction whose events land in events_ as "<ms> <what>".
  std::uint64_t start(const Target& target, std::string_view branch,
                      std::string_view method = "OPTIONS") {
    return layer_.send_request(target, branch, method, request_text(branch, method),
                               [this](const txn::ClientEvent& e) {
                                 events_.push_back(std::to_string(now_ms()) + " " + describe(e));
                               });
  }
  bool reply(std::string_view branch, int code, std::string_view method = "OPTIONS",
             const Address& from = kPeerUdp) {
    return transport_.inject(response_text(branch, code, method), from);
  }
  std::vector<std::int64_t> sends_to(const Target& target) const {
    std::vector<std::int64_t> out;
    for (const auto& m : transport_.sent()) {
      if (m.target == target) {
        out.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(m.at - t0_).count());
      }
    }
    return out;
  }

  static inline const Address kPeerUdp{Protocol::kUdp, "127.0.0.1", 5070};
  static inline const Target kUdp{{Protocol::kUdp, "127.0.0.1", 5070}, ""};
  static inline const Target kUdp2{{Protocol::kUdp, "127.0.0.1", 5072}, ""};
  static inline const Target kTcp{{Protocol::kTcp, "127.0.0.1", 5070}, ""};

  base::VirtualTimers timers_;
  base::TimePoint t0_ = timers_.now();
  test::FakeTransport transport_{timers_};
  base::SeededRandom random_{42};
  txn::TransactionLayer layer_{timers_, transport_, txn::TimerConfig{}, &random_};
  std::vector<std::string> events_;
};

}  // namespace sipline::txn_test
