#include "proxy/worker/data_plane.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <iterator>
#include <thread>

#include "proxy/worker/stats_views.h"
#include "proxy/worker/worker.h"

namespace rwproxy::worker {

DataPlane::DataPlane() {
  for (auto& oldest : oldestWaitMs_) {
    oldest.store(UINT64_MAX, std::memory_order_relaxed);
  }
}

bool DataPlane::waitedLongerElsewhere(int self, uint64_t sinceMs) const {
  for (size_t i = 0; i < workers_.size(); ++i) {
    if (static_cast<int>(i) != self && oldestWaitMs_[i].load(std::memory_order_relaxed) < sinceMs) {
      return true;
    }
  }
  return false;
}

void DataPlane::wakeWaitersOf(int index) {
  onWorker(index, [](Worker& w) { w.wakeWaiters(); });
}

void DataPlane::onWorker(int index, std::function<void(Worker&)> task) {
  Worker* worker = workers_[static_cast<size_t>(index)].get();
  worker->loop().post([worker, task = std::move(task)] { task(*worker); });
}

void DataPlane::wakeWaitersElsewhere(int self) {
  for (size_t i = 0; i < workers_.size(); ++i) {
    if (static_cast<int>(i) != self &&
        oldestWaitMs_[i].load(std::memory_order_relaxed) != UINT64_MAX) {
      wakeWaitersOf(static_cast<int>(i));
    }
  }
}

DataPlane::~DataPlane() {
  for (auto& w : workers_) {
    w->forceStop();
  }
  // Every thread stops before any worker goes: a running worker may still post to another.
  for (auto& w : workers_) {
    w->join();
  }
  workers_.clear();
}

protocol::Status DataPlane::start(const config::RuntimePtr& runtime, int threads,
                                  const std::string& host, int port) {
  if (threads < 1 || static_cast<size_t>(threads) > kMaxWorkers) {
    return protocol::Error{1210, "HY000",
                           "mysql-threads must be between 1 and " + std::to_string(kMaxWorkers) +
                               ", not " + std::to_string(threads)};
  }
  threads_ = threads;
  remember(runtime);
  for (int i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>(*this, i, runtime);
    int rc = w->listen(host, port);
    if (rc != 0) {
      return protocol::Error{
          2002, "HY000",
          "cannot listen on " + host + ":" + std::to_string(port) + ": " + uv_strerror(rc)};
    }
    if (port == 0) {
      port = w->boundPort();  // every other worker joins the same port
    }
    workers_.push_back(std::move(w));
  }
  port_ = port;
  for (auto& w : workers_) {
    w->start();
  }
  return {};
}

void DataPlane::publish(const config::RuntimePtr& runtime) {
  std::string filename = runtime->mysql.eventslogFilename;
  if (!filename.empty() && filename.front() != '/' && !datadir_.empty()) {
    filename = datadir_ + "/" + filename;
  }
  eventsLog_.configure(filename, static_cast<uint64_t>(runtime->mysql.eventslogFilesize));
  remember(runtime);
  for (auto& w : workers_) {
    w->publish(runtime);
  }
}

void DataPlane::shutdown(uint64_t graceMs) {
  for (auto& w : workers_) {
    w->beginShutdown();
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(graceMs);
  for (;;) {
    size_t remaining = 0;
    for (auto& w : workers_) {
      remaining += w->sessionCount();
    }
    if (remaining == 0 || std::chrono::steady_clock::now() >= deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto& w : workers_) {
    w->forceStop();
  }
  for (auto& w : workers_) {
    w->join();
  }
  workers_.clear();
}

bool DataPlane::onEveryWorker(const std::function<void(Worker&)>& task, uint64_t timeoutMs) {
  struct Pending {
    std::mutex mutex;
    std::condition_variable done;
    size_t remaining;
  };
  auto pending = std::make_shared<Pending>();
  pending->remaining = workers_.size();
  for (auto& w : workers_) {
    Worker* worker = w.get();
    // The shared state outlives a timed-out wait: late workers still find it.
    worker->loop().post([pending, worker, task] {
      task(*worker);
      std::lock_guard lock(pending->mutex);
      if (--pending->remaining == 0) {
        pending->done.notify_all();
      }
    });
  }
  std::unique_lock lock(pending->mutex);
  return pending->done.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                                [&] { return pending->remaining == 0; });
}

void DataPlane::onOtherWorkers(Worker& self, const std::function<void(Worker&)>& task) {
  for (auto& w : workers_) {
    if (w.get() != &self) {
      Worker* worker = w.get();
      worker->loop().post([worker, task] { task(*worker); });
    }
  }
}

std::vector<stats::DigestRow> DataPlane::digestRows(bool reset) {
  struct Collected {
    std::mutex mutex;
    std::vector<stats::DigestRow> rows;  // GUARDED_BY(mutex)
  };
  auto collected = std::make_shared<Collected>();
  onEveryWorker([collected, reset](Worker& w) {
    std::vector<stats::DigestRow> mine;
    w.takeDigestRows(mine, reset);
    std::lock_guard lock(collected->mutex);
    std::move(mine.begin(), mine.end(), std::back_inserter(collected->rows));
  });
  std::lock_guard lock(collected->mutex);
  std::vector<stats::DigestRow> rows = std::move(collected->rows);
  stats::DigestStats::mergeRows(rows);
  return rows;
}

std::vector<std::pair<std::string, std::string>> DataPlane::globalStatus() {
  struct Sums {
    std::mutex mutex;
    uint64_t questions = 0, created = 0, aborted = 0, mirrorsDropped = 0;  // GUARDED_BY(mutex)
    uint64_t digestMemory = 0, idleBackends = 0, movedIn = 0;              // GUARDED_BY(mutex)
    uint64_t poolWaits = 0, poolWaitTimeouts = 0;                          // GUARDED_BY(mutex)
    stats::LatencyHistogram poolWaitTimes;                                 // GUARDED_BY(mutex)
    cache::CacheStats cache;                                               // GUARDED_BY(mutex)
  };
  std::vector<std::pair<std::string, std::string>> backendRows;
  appendServerStatus(*this, backendRows);  // its own pass, before `sums` is locked below
  auto sums = std::make_shared<Sums>();
  onEveryWorker([sums](Worker& w) {
    std::lock_guard lock(sums->mutex);
    sums->questions += w.counters().questions;
    sums->created += w.counters().clientConnectionsCreated;
    sums->aborted += w.counters().clientConnectionsAborted;
    sums->mirrorsDropped += w.mirrorsDropped();
    sums->digestMemory += w.digestMemoryBytes();
    sums->idleBackends += w.pool().idleCount();
    sums->movedIn += w.counters().backendConnectionsMovedIn;
    sums->poolWaits += w.waiters().waits();
    sums->poolWaitTimeouts += w.waiters().timeouts();
    sums->poolWaitTimes.merge(w.waiters().waitTimes());
    sums->cache += w.queryCache().stats();
  });
  auto log = eventsLog_.counters();
  std::lock_guard lock(sums->mutex);
  auto n = [](uint64_t v) { return std::to_string(v); };
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Client_Connections_connected", n(static_cast<uint64_t>(clientConnections()))},
      {"Client_Connections_created", n(sums->created)},
      {"Client_Connections_aborted", n(sums->aborted)},
      {"Questions", n(sums->questions)},
      {"Server_Connections_idle", n(sums->idleBackends)},
      // Idle connections one worker handed to another (the socket moved, nothing reopened),
      // and those parked between workers right now.
      {"Server_Connections_moved", n(sums->movedIn)},
      {"Server_Connections_parked", n(exchange_.parkedCount())},
      // Sessions that found every server of their hostgroup at max_connections and queued.
      {"ConnPool_get_conn_wait", n(sums->poolWaits)},
      {"ConnPool_get_conn_wait_timeout", n(sums->poolWaitTimeouts)},
      {"ConnPool_get_conn_wait_p99_us", n(stats::percentile(sums->poolWaitTimes, 0.99))},
      {"ConnPool_sessions_waiting",
       n(static_cast<uint64_t>(std::max(0, waitingForBackend_.load(std::memory_order_relaxed))))},
      {"Query_digest_memory", n(sums->digestMemory)},
      {"Stmt_registry_entries", n(stmtRegistry_.entries())},
      {"Stmt_registry_memory", n(stmtRegistry_.memoryBytes())},
      {"Mirror_queries_dropped", n(sums->mirrorsDropped)},
      {"Eventslog_events_written", n(log.written)},
      {"Eventslog_events_dropped", n(log.dropped)},
      {"mysql_worker_threads", n(workers_.size())},
  };
  sums->cache.appendTo(rows);
  rows.insert(rows.end(), backendRows.begin(), backendRows.end());
  return rows;
}

void DataPlane::flushQueryCache() {
  onEveryWorker([](Worker& w) { w.queryCache().flush(); });
}

void DataPlane::remember(const config::RuntimePtr& runtime) {
  serverLoad_.setHealthPolicy(runtime->mysql.shunOnFailures,
                              static_cast<uint64_t>(runtime->mysql.shunRecoveryTimeSec) * 1000);
  std::lock_guard lock(mutex_);
  runtime_ = runtime;
}

config::RuntimePtr DataPlane::runtime() {
  std::lock_guard lock(mutex_);
  return runtime_;
}

std::unordered_map<std::string, int> DataPlane::userConnections() {
  std::lock_guard lock(mutex_);
  return userConnections_;
}

size_t DataPlane::digestMemoryBytes() {
  auto total = std::make_shared<std::atomic<size_t>>(0);
  onEveryWorker([total](Worker& w) { *total += w.digestMemoryBytes(); });
  return total->load();
}

std::unordered_map<int, uint64_t> DataPlane::ruleHits() {
  struct Totals {
    std::mutex mutex;
    std::unordered_map<int, uint64_t> hits;  // GUARDED_BY(mutex)
  };
  // Shared so a worker answering after a timed-out wait still writes somewhere valid.
  auto totals = std::make_shared<Totals>();
  onEveryWorker([totals](Worker& w) {
    std::unordered_map<int, uint64_t> mine;
    w.addRuleHitsTo(mine);
    std::lock_guard lock(totals->mutex);
    for (const auto& [id, hits] : mine) {
      totals->hits[id] += hits;
    }
  });
  std::lock_guard lock(totals->mutex);
  return totals->hits;
}

bool DataPlane::admitClient(int maxConnections) {
  int now = clients_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (now > maxConnections) {
    clients_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void DataPlane::releaseClient() { clients_.fetch_sub(1, std::memory_order_relaxed); }

bool DataPlane::admitUser(const std::string& user, int maxConnections) {
  std::lock_guard lock(mutex_);
  int& count = userConnections_[user];
  if (count >= maxConnections) {
    return false;
  }
  ++count;
  return true;
}

void DataPlane::releaseUser(const std::string& user) {
  std::lock_guard lock(mutex_);
  auto it = userConnections_.find(user);
  if (it != userConnections_.end() && --it->second <= 0) {
    userConnections_.erase(it);
  }
}

uint32_t DataPlane::newSessionId() {
  return nextSessionId_.fetch_add(1, std::memory_order_relaxed);
}

void DataPlane::registerSession(uint32_t id, int worker) {
  std::lock_guard lock(mutex_);
  sessionWorker_[id] = worker;
}

void DataPlane::unregisterSession(uint32_t id) {
  std::lock_guard lock(mutex_);
  sessionWorker_.erase(id);
}

bool DataPlane::killSession(uint32_t id, bool queryOnly) {
  int worker;
  {
    std::lock_guard lock(mutex_);
    auto it = sessionWorker_.find(id);
    if (it == sessionWorker_.end()) {
      return false;
    }
    worker = it->second;
  }
  workers_[static_cast<size_t>(worker)]->postKill(id, queryOnly);
  return true;
}

}  // namespace rwproxy::worker
