#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>

#include "proxy/net/loop.h"
#include "proxy/net/timer.h"
#include "proxy/stats/latency_histogram.h"

namespace rwproxy::worker {

// Client sessions of one worker waiting for a backend connection: every ONLINE server of their
// hostgroup is at max_connections and this worker's pool has nothing idle for them. They are
// retried in arrival order (FIFO) whenever a connection may have become free: at once when one
// comes back to this worker's pool, and every millisecond while anyone waits, which catches
// connections closed on other workers. A waiter that runs out of time gets its error from the
// session itself (mysql-connect_timeout_server_max). The queue holds at most one entry per
// client session, so mysql-max_connections bounds it.
class ConnectionWaiters {
 public:
  // `retry` re-runs a session's backend pick by session id (it may wait again); `stillWaiting`
  // runs every few ms while sessions keep waiting (to ask other workers for idle slots).
  // `oldestPublished` shows other workers since when this worker's first waiter waits
  // (UINT64_MAX: nobody waits), so a released connection goes to whoever waited longest.
  ConnectionWaiters(net::Loop& loop, std::atomic<int>& waitingProxyWide,
                    std::atomic<uint64_t>& oldestPublished, std::function<void(uint32_t)> retry,
                    std::function<void()> stillWaiting);
  ~ConnectionWaiters();
  ConnectionWaiters(const ConnectionWaiters&) = delete;
  ConnectionWaiters& operator=(const ConnectionWaiters&) = delete;

  // `sinceMs`: when the session started waiting (kept across its retries: FIFO order).
  void add(uint32_t sessionId, uint64_t sinceMs);
  // Since when the longest waiter here waits; UINT64_MAX when nobody does.
  uint64_t oldestSinceMs() const;
  // Retries every waiter on the next loop iteration (never inside the caller's callback).
  void wakeSoon();
  size_t size() const { return queue_.size(); }

  // How long sessions waited before they got a connection, and how many gave up.
  void recordWait(uint64_t waitedUs, bool timedOut);
  uint64_t waits() const { return waits_; }
  uint64_t timeouts() const { return timeouts_; }
  const stats::LatencyHistogram& waitTimes() const { return waitTimes_; }

 private:
  void retryAll();
  void publishOldest();

  struct Waiter {
    uint32_t sessionId;
    uint64_t sinceMs;
  };

  net::Loop& loop_;
  std::atomic<int>& waitingProxyWide_;
  std::atomic<uint64_t>& oldestPublished_;
  std::function<void(uint32_t)> retry_;
  std::function<void()> stillWaiting_;
  std::deque<Waiter> queue_;
  std::deque<Waiter> retrying_;  // kept to reuse its memory
  net::Timer poll_;
  bool polling_ = false;
  bool inPass_ = false;
  uint64_t lastNudgeMs_ = 0;
  uint64_t waits_ = 0;
  uint64_t timeouts_ = 0;
  stats::LatencyHistogram waitTimes_;
};

}  // namespace rwproxy::worker
