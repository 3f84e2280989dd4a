#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxy/pool/server_stats.h"

namespace rwproxy::pool {

// The shared state of every backend server (host:port) across workers: open connections
// (what mysql_servers.max_connections limits), health, ping latency. Entries live as long as
// the process.
class ServerLoad {
 public:
  // The entry of host:port. Takes a lock: call it when a worker learns a new snapshot, not
  // per query.
  ServerShared* serverFor(const std::string& host, int port);
  // mysql-shun_on_failures / mysql-shun_recovery_time_sec for every server; thread-safe.
  void setHealthPolicy(int shunOnFailures, uint64_t recoveryMs);

 private:
  HealthPolicy policy_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<ServerShared>> servers_;  // GUARDED_BY(mutex_)
};

// One open backend connection counted against its server; released when destroyed. It also
// counts in one worker's ServerStats (`open`), on that worker's thread; a connection moving to
// another worker leaves its old worker's stats and joins the new one's on their threads, while
// the proxy-wide count stays taken.
class ServerSlot {
 public:
  ServerSlot() = default;
  // Takes a slot when fewer than `max` connections to the server are open (compare-and-swap:
  // two workers can never both take the last one). An empty slot means the server is full.
  static ServerSlot tryReserve(ServerStats* stats, int max);
  ~ServerSlot() { release(); }
  ServerSlot(ServerSlot&& other) noexcept : shared_(other.shared_), stats_(other.stats_) {
    other.shared_ = nullptr;
    other.stats_ = nullptr;
  }
  ServerSlot& operator=(ServerSlot&& other) noexcept {
    if (this != &other) {
      release();
      shared_ = other.shared_;
      stats_ = other.stats_;
      other.shared_ = nullptr;
      other.stats_ = nullptr;
    }
    return *this;
  }
  ServerSlot(const ServerSlot&) = delete;
  ServerSlot& operator=(const ServerSlot&) = delete;

  explicit operator bool() const { return shared_ != nullptr; }
  // The server row the connection counts against on its worker; nullptr for an empty slot and
  // while the connection is between workers.
  ServerStats* stats() const { return stats_; }
  ServerShared* shared() const { return shared_; }
  // On the old worker's thread: stop counting in its stats.
  void leaveWorker() {
    if (stats_ != nullptr) {
      --stats_->open;
      stats_ = nullptr;
    }
  }
  // On the new worker's thread: count in `stats` (the same server's row there).
  void joinWorker(ServerStats* stats) {
    leaveWorker();
    stats_ = stats;
    ++stats_->open;
  }

 private:
  explicit ServerSlot(ServerStats* stats) : shared_(stats->shared), stats_(stats) {}
  void release() {
    if (shared_ != nullptr) {
      shared_->connections.fetch_sub(1, std::memory_order_relaxed);
      shared_ = nullptr;
    }
    leaveWorker();
  }

  ServerShared* shared_ = nullptr;
  ServerStats* stats_ = nullptr;
};

}  // namespace rwproxy::pool
