#pragma once

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>

#include "proxy/pool/server_health.h"

namespace rwproxy::pool {

// What every worker shares about one backend server (host:port): the connections open to it
// (what mysql_servers.max_connections limits), its health and the latency of the pool's last
// ping. Lives as long as the process; atomics only.
struct ServerShared {
  explicit ServerShared(const HealthPolicy& healthPolicy) : policy(&healthPolicy) {}

  // Thread-safe, lock-free: the health checks against the current policy and clock.
  bool admitsNow() const noexcept {
    return !health.shunned() ||
           health.admits(monotonicMs(), policy->recoveryMs.load(std::memory_order_relaxed));
  }
  bool recordConnectFailure() noexcept {
    return health.recordFailure(monotonicMs(),
                                policy->shunOnFailures.load(std::memory_order_relaxed),
                                policy->recoveryMs.load(std::memory_order_relaxed));
  }

  std::atomic<int> connections{0};
  // Idle in some worker's pool, proxy-wide: a worker that finds none of its own asks the others
  // for one before opening a new connection (see ConnectionExchange).
  // On a cache line of its own: every worker writes it on each pooled acquire and release,
  // while the fields around it are read on every route pick.
  alignas(64) std::atomic<int> idle{0};
  // Of those open, parked in the ConnectionExchange between workers.
  alignas(64) std::atomic<int> parked{0};
  // Sessions waiting because every server of their hostgroup, this one included, is full:
  // only then do workers hand this server's connections to each other for waiters.
  std::atomic<int> waiting{0};

  // True when `shared` (nullptr: a connection with no slot) has waiting sessions.
  static bool awaited(const ServerShared* shared) {
    return shared != nullptr && shared->waiting.load(std::memory_order_relaxed) > 0;
  }
  ServerHealth health;
  std::atomic<uint64_t> latencyUs{0};
  const HealthPolicy* policy;
};

// One mysql_servers row (hostgroup, host, port) as one worker sees it: plain counters that only
// that worker's thread touches (the admin thread reads them through a task on the worker), and
// the server's shared state. A connection points here through its ServerSlot.
struct ServerStats {
  // Totals since start; stats_mysql_connection_pool shows them minus `baseline`, and reading
  // stats_mysql_connection_pool_reset moves the baseline (so stats_mysql_global never goes back).
  struct Totals {
    uint64_t connOk = 0;      // connections that logged in
    uint64_t connErr = 0;     // connect or login failures
    uint64_t connBroken = 0;  // connections lost after they logged in
    uint64_t queries = 0;     // commands sent (the pool's pings excluded)
    uint64_t bytesSent = 0;
    uint64_t bytesRecv = 0;
  };

  explicit ServerStats(ServerShared& serverShared) : shared(&serverShared) {}

  // The proxy-wide count of open connections to this host:port (what max_connections limits).
  int load(std::memory_order order = std::memory_order_relaxed) const {
    return shared->connections.load(order);
  }
  // This worker's connections that are not idle in its pool: held by a client or connecting.
  int used() const { return open - idle; }
  // A connection entered (+1) or left (-1) this worker's idle pool.
  void addIdle(int delta) {
    idle += delta;
    shared->idle.fetch_add(delta, std::memory_order_relaxed);
  }
  void noteUsed() { maxUsed = std::max(maxUsed, used()); }
  void resetCounters() {
    baseline = totals;
    maxUsed = used();
  }

  ServerShared* shared;
  Totals totals;
  Totals baseline;
  int maxUsed = 0;  // most connections in use at once since the last reset
  int open = 0;     // this worker's open connections (each holds a ServerSlot)
  int idle = 0;     // of which idle in this worker's pool
  // Idle connections this worker keeps pinged (its share of mysql-free_connections_pct).
  int idleLimit = INT_MAX;
};

}  // namespace rwproxy::pool
