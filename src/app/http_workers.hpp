// cpp-httplib's task queue for the daemon: one thread per connection up to a cap, so idle
// keep-alive clients cannot starve the others (httplib's own pool is 8 threads, FIFO). Beyond
// the cap a connection is still served, by a bounded set of refusal threads, but only with 503
// (the request handler asks refusing()); past those it waits its turn in a queue.
#pragma once
#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace sipline::app {

class CappedWorkers final : public httplib::TaskQueue {
 public:
  CappedWorkers(std::size_t max_connections, std::size_t max_refusers);
  ~CappedWorkers() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  // True on a thread that serves a connection over the cap.
  static bool refusing();

 private:
  struct Worker {
    std::thread thread;
    bool done = false;
  };
  void spawn(std::function<void()> fn, bool refuse);  // with mu_ held
  void reap();                                        // with mu_ held: joins finished workers
  void finish(Worker* w, bool refuse);

  const std::size_t max_connections_;
  const std::size_t max_refusers_;
  std::mutex mu_;
  std::condition_variable idle_;
  std::list<Worker> workers_;
  std::deque<std::function<void()>> waiting_;  // over the cap, no refuser free
  std::size_t serving_ = 0;
  std::size_t refusing_ = 0;
};

}  // namespace sipline::app
