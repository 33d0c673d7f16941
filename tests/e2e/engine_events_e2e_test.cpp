// The embedding API's events (include/sipline/engine.hpp, docs/embedding.md) from a real
// Kamailio with its presence server and a real baresip: an engine in this process, built from
// TOML text, reports its registration, its message summary (a PUBLISHed MWI), the busy lamp of
// baresip's line (Kamailio's dialog events), and every change of a call it places, answers and
// ends through the public Engine functions. Handlers run on the loop thread; every wait is bounded.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <future>
#include <mutex>
#include <set>
#include <sipline/engine.hpp>
#include <thread>

#include "e2e/baresip_peer.hpp"
#include "e2e/e2e_support.hpp"

namespace sipline::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

test::KamailioOptions presence_options() {
  test::KamailioOptions o;
  o.presence = true;
  // One UDP worker. With two, the PUBLISHes of one call's quick states are handled by both at
  // once and Kamailio's presence server can send the NOTIFY of the older one last, with the
  // higher CSeq (seen: the caller's lamp left at "trying" after "early"); sipline rightly
  // follows the later NOTIFY, so the lamp would show what Kamailio last said, not the call.
  o.defines.push_back("UDP_CHILDREN=1");
  return o;
}

// An engine on its own loop thread, with one listener recording every event.
class EmbeddedEngine {
 public:
  explicit EmbeddedEngine(const std::string& toml) {
    std::string error;
    engine_ = Engine::create_from_toml(io_, toml, error, "events-test");
    if (!engine_) throw std::runtime_error(error);
    engine_->add_listener([this](const Event& e) {
      std::lock_guard lock(mutex_);
      handler_threads_.insert(std::this_thread::get_id());
      events_.push_back(e);
    });
    if (!engine_->start(error)) throw std::runtime_error(error);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~EmbeddedEngine() {
    on_loop([this] {
      engine_->stop(milliseconds(2000), [this] { io_.stop(); });
      return 0;
    });
    thread_.join();
    engine_.reset();  // the loop has stopped: this thread is the only one
  }

  // Runs `fn` on the loop and returns its result.
  template <typename Fn>
  auto on_loop(Fn fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }
  Engine& engine() { return *engine_; }

  // Waits (bounded) for an event after position `from` matching `pred`; its position, or -1.
  int wait_for(std::size_t from, const std::function<bool(const Event&)>& pred,
               milliseconds timeout = milliseconds(10000)) {
    int found = -1;
    eventually(
        [&] {
          std::lock_guard lock(mutex_);
          for (std::size_t i = from; i < events_.size(); ++i) {
            if (pred(events_[i])) {
              found = static_cast<int>(i);
              return true;
            }
          }
          return false;
        },
        timeout, milliseconds(20));
    return found;
  }
  std::vector<Event> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  // Handlers ran on the loop thread only.
  bool only_on_the_loop() {
    std::lock_guard lock(mutex_);
    return handler_threads_ == std::set<std::thread::id>{thread_.get_id()};
  }
  std::string dump() {
    std::string out;
    for (const Event& e : events()) {
      out += std::string(to_string(e.kind)) + " " + e.previous_state + " -> " +
             (e.kind == Event::Kind::kCall  ? e.call.state
              : e.kind == Event::Kind::kBlf ? e.blf.state
                                            : e.state) +
             "\n";
    }
    return out;
  }

 private:
  asio::io_context io_;
  std::unique_ptr<Engine> engine_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Event> events_;
  std::set<std::thread::id> handler_threads_;
};

bool is_call(const Event& e, std::uint64_t id, const std::string& state) {
  return e.kind == Event::Kind::kCall && e.call.id == id && e.call.state == state;
}

// Each call's events form one chain: each previous_state is the state of the event before,
// the first has none, the last (when ended) is "ended". The states, in order.
std::vector<std::string> call_chain(const std::vector<Event>& events, std::uint64_t id) {
  std::vector<std::string> chain;
  for (const Event& e : events) {
    if (e.kind != Event::Kind::kCall || e.call.id != id) continue;
    EXPECT_EQ(e.previous_state, chain.empty() ? "" : chain.back()) << "call " << id;
    chain.push_back(e.call.state);
  }
  return chain;
}

TEST(EngineEvents, MwiLampAndCallsFromKamailioAndBaresip) {
  test::Kamailio kam(presence_options());
  kam.start();
  TempDir tmp;
  Baresip peer(tmp.path() / "baresip", kam, "1402", /*auto_answer=*/true);
  ASSERT_TRUE(peer.start());

  AccountToml acc = account_for(kam, Transport::kUdp, "1401");
  acc.flag("subscribe_mwi", true);
  acc.set("blf", "[\"1402\"]");
  EmbeddedEngine embedded("[daemon]\nhttp_listen = \"\"\nstate_dir = \"" +
                          (tmp.path() / "state").string() + "\"\n[timers]\nt1_ms = 100\n" +
                          acc.render());

  // Registration, then Kamailio's first dialog NOTIFY: nobody on 1402 is in a call.
  ASSERT_GE(embedded.wait_for(0,
                              [](const Event& e) {
                                return e.kind == Event::Kind::kRegistration && e.ok &&
                                       e.status_code == 200;
                              }),
            0)
      << embedded.dump() << kam.log_tail();
  ASSERT_GE(embedded.wait_for(0,
                              [](const Event& e) {
                                return e.kind == Event::Kind::kBlf && e.blf.state == "idle" &&
                                       e.previous_state == "unknown";
                              }),
            0)
      << embedded.dump() << kam.log_tail();

  // The mailbox: a PUBLISHed summary reaches the account as one kMwi event with its counts.
  std::size_t mark = embedded.events().size();
  ASSERT_EQ(publish_mwi(kam, "1401", "Messages-Waiting: yes\r\nVoice-Message: 2/4 (1/0)\r\n", 1),
            200);
  const int mwi_at = embedded.wait_for(
      mark, [](const Event& e) { return e.kind == Event::Kind::kMwi && e.mwi.waiting; });
  ASSERT_GE(mwi_at, 0) << embedded.dump();
  const Event mwi = embedded.events()[static_cast<std::size_t>(mwi_at)];
  EXPECT_EQ(mwi.account, 1);
  EXPECT_EQ(mwi.mwi, (MwiStatus{true, 2, 4, 1, 0}));
  ASSERT_EQ(publish_mwi(kam, "1401", "Messages-Waiting: no\r\nVoice-Message: 0/6\r\n", 2), 200);
  ASSERT_GE(embedded.wait_for(static_cast<std::size_t>(mwi_at) + 1,
                              [](const Event& e) {
                                return e.kind == Event::Kind::kMwi && !e.mwi.waiting &&
                                       e.mwi.old_msgs == 6;
                              }),
            0)
      << embedded.dump();

  // An outgoing call placed through the public API; baresip answers by itself.
  const CallReply placed = embedded.on_loop([&] {
    return embedded.engine().place_call(CallRequest{1, "1402", false});
  });
  ASSERT_EQ(placed.status, 201) << placed.error;
  const std::uint64_t out_id = placed.id;
  ASSERT_GE(embedded.wait_for(0, [&](const Event& e) { return is_call(e, out_id, "confirmed"); }),
            0)
      << embedded.dump() << peer.log();
  // Kamailio's dialog events light the lamp of the line we called.
  ASSERT_GE(
      embedded.wait_for(
          0, [](const Event& e) { return e.kind == Event::Kind::kBlf && e.blf.state == "busy"; }),
      0)
      << embedded.dump() << kam.log_tail();
  std::this_thread::sleep_for(seconds(2));  // some audio both ways
  const CallReply ended =
      embedded.on_loop([&] { return embedded.engine().end_call(out_id, false); });
  EXPECT_EQ(ended.status, 200) << ended.error;
  const int out_end =
      embedded.wait_for(0, [&](const Event& e) { return is_call(e, out_id, "ended"); });
  ASSERT_GE(out_end, 0) << embedded.dump();
  {
    const Event e = embedded.events()[static_cast<std::size_t>(out_end)];
    EXPECT_EQ(e.call.direction, "out");
    ASSERT_TRUE(e.call.outcome.has_value());
    EXPECT_EQ(e.call.outcome->ended_by, "local");
    EXPECT_TRUE(e.call.answered_at.has_value());
    EXPECT_TRUE(e.call.ended_at.has_value());
    EXPECT_GT(e.call.duration_s, 1.0);
    EXPECT_FALSE(e.call.codec.empty());
    EXPECT_GT(e.call.rtp.sent, 25u);
    EXPECT_GT(e.call.rtp.received, 25u);
  }
  ASSERT_GE(embedded.wait_for(0,
                              [](const Event& e) {
                                return e.kind == Event::Kind::kBlf && e.blf.state == "idle" &&
                                       e.previous_state == "busy";
                              }),
            0)
      << embedded.dump() << kam.log_tail();
  std::vector<std::string> chain = call_chain(embedded.events(), out_id);
  ASSERT_GE(chain.size(), 3u) << embedded.dump();
  EXPECT_EQ(chain.front(), "calling");
  EXPECT_EQ(chain.back(), "ended");

  // An incoming call from baresip, answered through the public API, hung up by baresip.
  mark = embedded.events().size();
  peer.command("/dial sip:1401@127.0.0.1:" + std::to_string(kam.udp_port()));
  const int incoming_at = embedded.wait_for(mark, [](const Event& e) {
    return e.kind == Event::Kind::kCall && e.call.state == "incoming";
  });
  ASSERT_GE(incoming_at, 0) << embedded.dump() << peer.log();
  const Event incoming = embedded.events()[static_cast<std::size_t>(incoming_at)];
  const std::uint64_t in_id = incoming.call.id;
  EXPECT_EQ(incoming.previous_state, "");
  EXPECT_EQ(incoming.call.direction, "in");
  EXPECT_NE(incoming.call.remote.find("1402"), std::string::npos) << incoming.call.remote;
  const CallReply answered = embedded.on_loop([&] { return embedded.engine().answer_call(in_id); });
  EXPECT_EQ(answered.status, 200) << answered.error;
  ASSERT_GE(embedded.wait_for(mark, [&](const Event& e) { return is_call(e, in_id, "confirmed"); }),
            0)
      << embedded.dump();
  peer.command("/hangup");
  const int in_end =
      embedded.wait_for(mark, [&](const Event& e) { return is_call(e, in_id, "ended"); });
  ASSERT_GE(in_end, 0) << embedded.dump() << peer.log();
  EXPECT_EQ(embedded.events()[static_cast<std::size_t>(in_end)]
                .call.outcome.value_or(CallOutcomeStatus{})
                .ended_by,
            "remote");
  chain = call_chain(embedded.events(), in_id);
  EXPECT_EQ(chain, (std::vector<std::string>{"incoming", "confirmed", "ended"})) << embedded.dump();

  EXPECT_TRUE(embedded.only_on_the_loop());
}

}  // namespace
}  // namespace sipline::e2e
