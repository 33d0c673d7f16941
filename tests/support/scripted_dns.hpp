// A scripted DNS server for the answers a real one will not give on demand: SERVFAIL, REFUSED,
// the TC bit, an empty NOERROR, an unparsable message, silence. It listens on 127.0.0.1 (UDP,
// and TCP on the same port), and a thread of its own answers each question by the test's rule,
// so it serves a resolver in the test's thread or in a daemon alike.
//
//   ScriptedDns dns([](const ScriptedDns::Question& q) {
//     if (q.type == "SRV") return ScriptedDns::Reply{ScriptedDns::Kind::kServfail};
//     return ScriptedDns::Reply{ScriptedDns::Kind::kAnswer, {ScriptedDns::address("127.0.0.1")}};
//   });
//   resolver servers: dns.address()   // "127.0.0.1:PORT"
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sipline::test {

class ScriptedDns {
 public:
  enum class Kind : std::uint8_t {
    kAnswer,     // NOERROR with the records of the question's type (none: an empty answer)
    kServfail,   // RCODE 2
    kNxdomain,   // RCODE 3
    kRefused,    // RCODE 5
    kTruncated,  // NOERROR, TC bit set, no records (over TCP: the records, as kAnswer)
    kGarbage,    // the query's id, then bytes that are no DNS message
    kSilent,     // no answer at all
  };
  struct Record {
    std::string type;  // "SRV", "A", "AAAA"
    std::uint16_t priority = 0;
    std::uint16_t weight = 0;
    std::uint16_t port = 0;
    std::string target;  // SRV; "." = no service
    std::string address;
  };
  struct Reply {
    Kind kind = Kind::kAnswer;
    std::vector<Record> records;  // only those of the question's type are sent
  };
  struct Question {
    std::string type;  // "SRV", "A", "AAAA", "NAPTR", or the number
    std::string name;  // without the trailing dot
    bool tcp = false;
  };
  using Rule = std::function<Reply(const Question&)>;

  static Record srv(std::uint16_t priority, std::uint16_t weight, std::uint16_t port,
                    std::string target);
  static Record address(std::string ip);  // A or AAAA by its form

  explicit ScriptedDns(Rule rule);  // throws std::runtime_error when it cannot listen
  ~ScriptedDns();
  ScriptedDns(const ScriptedDns&) = delete;
  ScriptedDns& operator=(const ScriptedDns&) = delete;

  void set_rule(Rule rule);
  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Questions of `type` for `name` received so far, over UDP and TCP.
  int queries(const std::string& type, const std::string& name) const;

 private:
  void serve();
  bool serve_tcp(int fd, std::vector<std::uint8_t>& in);
  // The answer to `query`, or empty for none.
  std::vector<std::uint8_t> answer(const std::uint8_t* query, std::size_t size, bool tcp);

  int udp_ = -1;
  int tcp_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  Rule rule_;
  std::map<std::string, int> seen_;  // "TYPE name" -> count
  std::thread thread_;
};

}  // namespace sipline::test
