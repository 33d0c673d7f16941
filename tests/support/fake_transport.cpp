#include "support/fake_transport.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace sipline::test {

msg::Message SentMessage::parse() const {
  auto parsed = msg::Message::parse(bytes);
  return parsed ? std::move(parsed).value() : msg::Message{};
}

int SentMessage::status_code() const {
  constexpr std::string_view kVersion = "SIP/2.0 ";
  if (bytes.compare(0, kVersion.size(), kVersion) != 0 || bytes.size() < kVersion.size() + 3) {
    return 0;
  }
  return std::stoi(bytes.substr(kVersion.size(), 3));
}

std::string SentMessage::method() const {
  if (status_code() != 0) return {};
  return bytes.substr(0, bytes.find(' '));
}

FakeTransport::FakeTransport(base::TimerService& timers, transport::Address local)
    : timers_(timers), local_(std::move(local)) {}

FakeTransport::~FakeTransport() {
  for (base::TimerId id : pending_errors_) timers_.cancel(id);
}

void FakeTransport::send(const transport::Target& target, std::string bytes) {
  sent_.push_back({timers_.now(), target, std::move(bytes)});
  auto failure = std::find_if(failing_.begin(), failing_.end(), [&target](const Failure& f) {
    return f.target.remote == target.remote;
  });
  if (failure == failing_.end()) return;
  transport::TransportError error{failure->kind, target, "fake send failure"};
  const base::TimerId id = timers_.schedule_in(base::Duration{0}, [this, error] {
    if (user_) user_->on_transport_error(error);
  });
  pending_errors_.push_back(id);
}

transport::Address FakeTransport::local_address(const transport::Target& target) const {
  transport::Address a = local_;
  a.protocol = target.remote.protocol;
  return a;
}

void FakeTransport::reset(const transport::Target& target) {
  resets_.push_back(target);
}

bool FakeTransport::inject(std::string bytes, const transport::Address& source) {
  auto parsed = msg::Message::parse(std::move(bytes));
  if (!parsed) {
    ++dropped_;
    return false;
  }
  transport::Address local = local_;
  local.protocol = source.protocol;
  if (user_) user_->on_message(std::move(parsed).value(), source, local);
  return true;
}

void FakeTransport::inject_error(transport::TransportErrorKind kind,
                                 const transport::Target& target, std::string detail) {
  if (user_) user_->on_transport_error({kind, target, std::move(detail)});
}

void FakeTransport::fail_sends_to(const transport::Target& target,
                                  transport::TransportErrorKind kind) {
  failing_.push_back({target, kind});
}

std::vector<SentMessage> FakeTransport::take_sent() {
  return std::exchange(sent_, {});
}

std::vector<std::int64_t> FakeTransport::sent_offsets_ms(base::TimePoint origin) const {
  std::vector<std::int64_t> out;
  out.reserve(sent_.size());
  for (const SentMessage& m : sent_) {
    out.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(m.at - origin).count());
  }
  return out;
}

}  // namespace sipline::test
