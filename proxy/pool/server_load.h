#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace rwproxy::pool {

// Backend connections open to each server, across every worker: what
// mysql_servers.max_connections limits. Counters live as long as the process.
class ServerLoad {
 public:
  using Counter = std::atomic<int>;

  // The counter of host:port. Takes a lock: call it when a worker learns a new snapshot, not
  // per query.
  Counter* counterFor(const std::string& host, int port);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<Counter>> counters_;  // GUARDED_BY(mutex_)
};

// One open backend connection counted against its server; released when destroyed.
class ServerSlot {
 public:
  ServerSlot() = default;
  // Takes a slot when fewer than `max` are in use (compare-and-swap: two workers can never
  // both take the last one). An empty slot means the server is full.
  static ServerSlot tryReserve(ServerLoad::Counter* counter, int max);
  ~ServerSlot() { release(); }
  ServerSlot(ServerSlot&& other) noexcept : counter_(other.counter_) { other.counter_ = nullptr; }
  ServerSlot& operator=(ServerSlot&& other) noexcept {
    if (this != &other) {
      release();
      counter_ = other.counter_;
      other.counter_ = nullptr;
    }
    return *this;
  }
  ServerSlot(const ServerSlot&) = delete;
  ServerSlot& operator=(const ServerSlot&) = delete;

  explicit operator bool() const { return counter_ != nullptr; }

 private:
  explicit ServerSlot(ServerLoad::Counter* counter) : counter_(counter) {}
  void release() {
    if (counter_ != nullptr) {
      counter_->fetch_sub(1, std::memory_order_relaxed);
      counter_ = nullptr;
    }
  }

  ServerLoad::Counter* counter_ = nullptr;
};

}  // namespace rwproxy::pool
