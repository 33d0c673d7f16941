#include "app/http_workers.hpp"

namespace sipline::app {

namespace {
thread_local bool t_refusing = false;
}

CappedWorkers::CappedWorkers(std::size_t max_connections, std::size_t max_refusers)
    : max_connections_(max_connections), max_refusers_(max_refusers) {}

CappedWorkers::~CappedWorkers() {
  shutdown();
}

bool CappedWorkers::refusing() {
  return t_refusing;
}

void CappedWorkers::enqueue(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  reap();
  if (serving_ < max_connections_) {
    spawn(std::move(fn), false);
  } else if (refusing_ < max_refusers_) {
    spawn(std::move(fn), true);
  } else {
    waiting_.push_back(std::move(fn));
  }
}

void CappedWorkers::spawn(std::function<void()> fn, bool refuse) {
  ++(refuse ? refusing_ : serving_);
  Worker& w = workers_.emplace_back();
  w.thread = std::thread([this, fn = std::move(fn), refuse, wp = &w]() mutable {
    t_refusing = refuse;
    fn();
    finish(wp, refuse);
  });
}

// A refusal thread drains the queue of waiting connections before it ends.
void CappedWorkers::finish(Worker* w, bool refuse) {
  std::unique_lock lock(mu_);
  while (refuse && !waiting_.empty()) {
    auto next = std::move(waiting_.front());
    waiting_.pop_front();
    lock.unlock();
    next();
    lock.lock();
  }
  --(refuse ? refusing_ : serving_);
  w->done = true;
  idle_.notify_all();
}

void CappedWorkers::reap() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->done) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

void CappedWorkers::shutdown() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return serving_ == 0 && refusing_ == 0; });
  for (auto& w : workers_) w.thread.join();
  workers_.clear();
}

}  // namespace sipline::app
