// A Transport for unit tests of state machines: no sockets. It records every send with the
// virtual time it happened at, and lets the test deliver messages and transport errors to the
// TransportUser as a real transport would.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/timers.hpp"
#include "msg/message.hpp"
#include "transport/transport.hpp"

namespace sipline::test {

struct SentMessage {
  base::TimePoint at;  // TimerService::now() when send() was called
  transport::Target target;
  std::string bytes;

  // The bytes parsed; a default (empty) Message when they do not parse.
  msg::Message parse() const;
  // Start-line shortcuts: the status code (0 for a request) and the method ("" for a response).
  int status_code() const;
  std::string method() const;
};

class FakeTransport final : public transport::Transport {
 public:
  // `local` is what local_address() answers (its protocol follows the target's).
  explicit FakeTransport(base::TimerService& timers,
                         transport::Address local = {transport::Protocol::kUdp, "127.0.0.1", 5060});
  ~FakeTransport() override;
  FakeTransport(const FakeTransport&) = delete;
  FakeTransport& operator=(const FakeTransport&) = delete;

  // transport::Transport
  void send(const transport::Target& target, std::string bytes) override;
  transport::Address local_address(const transport::Target& target) const override;
  void reset(const transport::Target& target) override;

  // What local_address() answers from now on (an empty address: no source known).
  void set_local(transport::Address local) { local_ = std::move(local); }
  // Who gets injected messages and errors.
  void set_user(transport::TransportUser* user) { user_ = user; }

  // Delivers `bytes` as if read from `source` (to local_address()). A message that does not
  // parse is dropped like a real transport does: returns false and counts it.
  bool inject(std::string bytes, const transport::Address& source);
  // Reports a transport error to the user now (synchronously).
  void inject_error(transport::TransportErrorKind kind, const transport::Target& target,
                    std::string detail = "injected");
  // From now on every send to `target` (matched by remote address) is recorded and then fails:
  // the error is reported on the loop (a zero-delay timer), never inside send().
  void fail_sends_to(const transport::Target& target, transport::TransportErrorKind kind);
  void clear_failures() { failing_.clear(); }

  const std::vector<SentMessage>& sent() const { return sent_; }
  // Returns what was sent so far and forgets it.
  std::vector<SentMessage> take_sent();
  // Milliseconds from `origin` to each send, in order (for exact schedule assertions).
  std::vector<std::int64_t> sent_offsets_ms(base::TimePoint origin) const;
  const std::vector<transport::Target>& resets() const { return resets_; }
  std::size_t dropped_injections() const { return dropped_; }

 private:
  struct Failure {
    transport::Target target;
    transport::TransportErrorKind kind;
  };
  base::TimerService& timers_;
  transport::Address local_;
  transport::TransportUser* user_ = nullptr;
  std::vector<SentMessage> sent_;
  std::vector<transport::Target> resets_;
  std::vector<Failure> failing_;
  std::vector<base::TimerId> pending_errors_;
  std::size_t dropped_ = 0;
};

}  // namespace sipline::test
