#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxy/config/runtime.h"
#include "proxy/pool/connection_exchange.h"
#include "proxy/pool/server_load.h"
#include "proxy/protocol/result.h"
#include "proxy/session/stmt_registry.h"
#include "proxy/stats/digest_stats.h"
#include "proxy/stats/events_log.h"

namespace rwproxy::worker {

class Worker;

// The app side of the proxy: N workers, the state they share (admission counters, session ids)
// and the publication of new runtime snapshots.
class DataPlane {
 public:
  static constexpr size_t kMaxWorkers = 256;  // mysql-threads' upper bound

  DataPlane();
  ~DataPlane();

  // Binds every worker's listener to host:port (SO_REUSEPORT) and starts the threads.
  protocol::Status start(const config::RuntimePtr& runtime, int threads, const std::string& host,
                         int port);
  // The port actually bound (useful with port 0).
  int port() const { return port_; }
  // The number of workers (known before the first one is made).
  int workerCount() const { return threads_; }
  // Thread-safe: the latest snapshot given to start() or publish().
  config::RuntimePtr runtime();
  // Thread-safe: every worker switches to `runtime` at its next query boundary.
  void publish(const config::RuntimePtr& runtime);
  // Stop accepting, let running commands finish for up to `graceMs`, then stop everything.
  void shutdown(uint64_t graceMs);

  // Shared, thread-safe state used by workers.
  bool admitClient(int maxConnections);
  void releaseClient();
  bool admitUser(const std::string& user, int maxConnections);
  void releaseUser(const std::string& user);
  uint32_t newSessionId();
  bool killSession(uint32_t id, bool queryOnly);
  void registerSession(uint32_t id, int worker);
  void unregisterSession(uint32_t id);
  int clientConnections() const { return clients_.load(std::memory_order_relaxed); }
  // Thread-safe: frontend connections per user (stats_mysql_users).
  std::unordered_map<std::string, int> userConnections();
  // Client sessions waiting for a backend connection, on all workers.
  std::atomic<int>& sessionsWaitingForBackend() { return waitingForBackend_; }
  // Since when worker `index`'s longest waiter waits (UINT64_MAX: none); see ConnectionWaiters.
  std::atomic<uint64_t>& oldestWaitOf(int index) {
    return oldestWaitMs_[static_cast<size_t>(index)];
  }
  // True when a worker other than `self` has a session waiting since before `sinceMs`.
  bool waitedLongerElsewhere(int self, uint64_t sinceMs) const;

  // Runs `task` on every worker's thread and waits for all (bounded by `timeoutMs`); for the
  // admin thread's stats reads. Returns false when a worker did not answer in time.
  bool onEveryWorker(const std::function<void(Worker&)>& task, uint64_t timeoutMs = 5000);
  // Posts `task` to every worker but `self` (no waiting; from a worker thread).
  void onOtherWorkers(Worker& self, const std::function<void(Worker&)>& task);
  // stats_mysql_query_digest: every worker's rows merged by key; `reset` clears them.
  std::vector<stats::DigestRow> digestRows(bool reset);
  size_t digestMemoryBytes();
  // The process-wide events log; configured from each published snapshot.
  stats::EventsLog& eventsLog() { return eventsLog_; }
  pool::ServerLoad& serverLoad() { return serverLoad_; }
  pool::ConnectionExchange& exchange() { return exchange_; }
  // Posts a retry of `index`'s waiting sessions (a connection was parked for them).
  void wakeWaitersOf(int index);
  // Posts `task` to worker `index` (no waiting).
  void onWorker(int index, std::function<void(Worker&)> task);
  // Posts a retry of the waiting sessions of every worker but `self` that has any.
  void wakeWaitersElsewhere(int self);
  session::StmtRegistry& stmtRegistry() { return stmtRegistry_; }
  // Relative mysql-eventslog_filename values are taken from here.
  void setDatadir(std::string datadir) { datadir_ = std::move(datadir); }
  // stats_mysql_global: (Variable_Name, Variable_Value) pairs, summed over workers.
  std::vector<std::pair<std::string, std::string>> globalStatus();
  // PROXYSQL FLUSH QUERY CACHE: empties every worker's query cache.
  void flushQueryCache();
  // stats_mysql_query_rules: hits per rule_id, summed over workers.
  std::unordered_map<int, uint64_t> ruleHits();

 private:
  // Keeps the snapshot for the stats and applies its proxy-wide settings (server health).
  void remember(const config::RuntimePtr& runtime);

  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<int> clients_{0};
  std::atomic<int> waitingForBackend_{0};
  std::array<std::atomic<uint64_t>, kMaxWorkers> oldestWaitMs_;
  std::atomic<uint32_t> nextSessionId_{1};
  // Taken on connect and disconnect only, never per query.
  std::mutex mutex_;
  std::unordered_map<std::string, int> userConnections_;  // GUARDED_BY(mutex_)
  std::unordered_map<uint32_t, int> sessionWorker_;       // GUARDED_BY(mutex_)
  config::RuntimePtr runtime_;                            // GUARDED_BY(mutex_)
  int port_ = 0;
  int threads_ = 0;
  std::string datadir_;
  stats::EventsLog eventsLog_;
  pool::ServerLoad serverLoad_;
  session::StmtRegistry stmtRegistry_;
  // Last: parked connections go first, releasing their slots into serverLoad_.
  pool::ConnectionExchange exchange_;
};

}  // namespace rwproxy::worker
