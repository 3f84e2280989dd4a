#include "proxy/worker/connection_waiters.h"

#include <utility>

namespace rwproxy::worker {

namespace {

constexpr uint64_t kPollMs = 1;

}  // namespace

ConnectionWaiters::ConnectionWaiters(net::Loop& loop, std::atomic<int>& waitingProxyWide,
                                     std::function<void(uint32_t)> retry)
    : waitingProxyWide_(waitingProxyWide),
      retry_(std::move(retry)),
      poll_(loop, [this] { retryAll(); }) {}

ConnectionWaiters::~ConnectionWaiters() {
  waitingProxyWide_.fetch_sub(static_cast<int>(queue_.size()), std::memory_order_relaxed);
}

void ConnectionWaiters::add(uint32_t sessionId) {
  queue_.push_back(sessionId);
  waitingProxyWide_.fetch_add(1, std::memory_order_relaxed);
  if (!polling_) {
    polling_ = true;
    poll_.start(kPollMs, kPollMs);
  }
}

void ConnectionWaiters::wakeSoon() {
  if (!queue_.empty()) {
    poll_.start(0, kPollMs);
  }
}

void ConnectionWaiters::retryAll() {
  // Sessions that must wait again append to queue_ behind the ones still to be retried here,
  // in their old order: arrival order holds.
  std::swap(retrying_, queue_);
  waitingProxyWide_.fetch_sub(static_cast<int>(retrying_.size()), std::memory_order_relaxed);
  while (!retrying_.empty()) {
    uint32_t id = retrying_.front();
    retrying_.pop_front();
    retry_(id);
  }
  if (queue_.empty() && polling_) {
    polling_ = false;
    poll_.stop();
  }
}

void ConnectionWaiters::recordWait(uint64_t waitedUs, bool timedOut) {
  ++waits_;
  if (timedOut) {
    ++timeouts_;
  } else {
    waitTimes_.add(waitedUs);
  }
}

}  // namespace rwproxy::worker
