#include "proxy/worker/connection_waiters.h"

#include <utility>

namespace rwproxy::worker {

namespace {

constexpr uint64_t kPollMs = 1;
// How often sessions still waiting ask the other workers again to free idle connections.
constexpr uint64_t kNudgeEveryMs = 5;

}  // namespace

ConnectionWaiters::ConnectionWaiters(net::Loop& loop, std::atomic<int>& waitingProxyWide,
                                     std::atomic<uint64_t>& oldestPublished,
                                     std::function<void(uint32_t)> retry,
                                     std::function<void()> stillWaiting)
    : loop_(loop),
      waitingProxyWide_(waitingProxyWide),
      oldestPublished_(oldestPublished),
      retry_(std::move(retry)),
      stillWaiting_(std::move(stillWaiting)),
      poll_(loop, [this] { retryAll(); }) {}

ConnectionWaiters::~ConnectionWaiters() {
  waitingProxyWide_.fetch_sub(static_cast<int>(queue_.size()), std::memory_order_relaxed);
  oldestPublished_.store(UINT64_MAX, std::memory_order_relaxed);
}

void ConnectionWaiters::add(uint32_t sessionId, uint64_t sinceMs) {
  queue_.push_back({sessionId, sinceMs});
  if (!retrying_.empty() || inPass_) {
    return;  // a session retried in the pass waits again: counted when the pass ends
  }
  waitingProxyWide_.fetch_add(1, std::memory_order_relaxed);
  publishOldest();
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
  // The proxy-wide count changes once, by the net result of the pass: other workers read it to
  // decide whether to free idle connections, and must not see it dip while sessions re-queue.
  int before = static_cast<int>(retrying_.size());
  inPass_ = true;
  while (!retrying_.empty()) {
    uint32_t id = retrying_.front().sessionId;
    retrying_.pop_front();
    retry_(id);
  }
  inPass_ = false;
  waitingProxyWide_.fetch_add(static_cast<int>(queue_.size()) - before, std::memory_order_relaxed);
  publishOldest();
  if (queue_.empty()) {
    if (polling_) {
      polling_ = false;
      poll_.stop();
    }
    return;
  }
  uint64_t now = net::nowMs(loop_);
  if (now - lastNudgeMs_ >= kNudgeEveryMs) {
    lastNudgeMs_ = now;
    stillWaiting_();
  }
}

uint64_t ConnectionWaiters::oldestSinceMs() const {
  if (!retrying_.empty()) {
    return retrying_.front().sinceMs;
  }
  return queue_.empty() ? UINT64_MAX : queue_.front().sinceMs;
}

void ConnectionWaiters::publishOldest() {
  oldestPublished_.store(oldestSinceMs(), std::memory_order_relaxed);
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
