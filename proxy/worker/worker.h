#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "proxy/net/listener.h"
#include "proxy/net/loop.h"
#include "proxy/net/timer.h"
#include "proxy/pool/backend_pool.h"
#include "proxy/routing/router.h"
#include "proxy/session/client_session.h"
#include "proxy/session/mirror_task.h"
#include "proxy/session/server_kill.h"
#include "proxy/session/session_context.h"
#include "proxy/stats/command_counters.h"
#include "proxy/worker/connection_waiters.h"
#include "proxy/worker/server_table.h"

namespace rwproxy::worker {

class DataPlane;

// One worker thread: its own loop, its own SO_REUSEPORT listener on the app port, its own
// client sessions and backend pool. A session never leaves its worker.
class Worker : public session::SessionContext {
 public:
  Worker(DataPlane& plane, int index, config::RuntimePtr runtime);
  ~Worker() override;

  // Binds the listener (before start()). Returns 0 or a libuv error.
  int listen(const std::string& host, int port);
  int boundPort() const { return listener_.boundPort(); }
  void start();
  void join();

  // Thread-safe: hand a new snapshot to this worker.
  void publish(config::RuntimePtr runtime);
  // Thread-safe: stop accepting, let running commands finish, close idle sessions.
  void beginShutdown();
  // Thread-safe: close everything now and stop the loop.
  void forceStop();
  // Thread-safe: kill session `id` if it lives here.
  void postKill(uint32_t id, bool queryOnly);
  int index() const { return index_; }
  size_t sessionCount() const { return sessionCount_.load(std::memory_order_relaxed); }

  // session::SessionContext
  net::Loop& loop() override { return loop_; }
  const config::RuntimePtr& runtime() override { return runtime_; }
  pool::BackendPool& pool() override { return pool_; }
  routing::Router& router() override { return router_; }
  std::string& scratch() override { return scratch_; }
  rules::EvalScratch& evalScratch() override { return evalScratch_; }
  std::string& digestScratch() override { return digestScratch_; }
  // Plain counters: only this worker's thread writes them; the admin thread reads them through
  // a task on this thread (onEveryWorker), so no atomics are needed.
  struct Counters {
    uint64_t questions = 0;
    uint64_t clientConnectionsCreated = 0;
    uint64_t clientConnectionsAborted = 0;
    uint64_t backendConnectionsMovedIn = 0;  // taken from the exchange, parked by another worker
  };
  pool::ServerStats* serverCounter(const config::Server& server) override;
  void waitForBackend(session::ClientSession& session, bool firstTime) override;
  // Parks idle connections, one per session waiting on another worker (they, or their slots,
  // may be what those sessions wait for), and wakes those workers.
  void lendIdleForWaiters();
  // Parks an idle connection with `identity` for a session of worker `requester`, if this
  // worker has one, and answers the session either way.
  void lendIdle(const session::BackendIdentity& identity, int requester, uint32_t sessionId,
                uint32_t ask);
  // Retries this worker's waiting sessions now (a connection was parked for them).
  void wakeWaiters() { waiters_.wakeSoon(); }
  std::unique_ptr<session::BackendConnection> takeParked(const session::BackendIdentity& identity,
                                                         const std::string& schema,
                                                         const session::SessionVars& vars,
                                                         pool::ServerStats* stats) override;
  bool evictParked(pool::ServerStats* stats) override;
  int askForIdle(const session::BackendIdentity& identity, uint32_t sessionId,
                 uint32_t ask) override;
  session::StmtRegistry& stmtRegistry() override;
  void returnBackend(std::unique_ptr<session::BackendConnection> backend) override;
  void recordPoolWait(uint64_t waitedUs, bool timedOut) override {
    waiters_.recordWait(waitedUs, timedOut);
  }
  const ConnectionWaiters& waiters() const { return waiters_; }
  void countQuestion() override { ++counters_.questions; }
  void countLoginFailure() override { ++counters_.clientConnectionsAborted; }
  void countCommand(sql::CommandKind kind, uint64_t durationUs) override {
    commandCounters_.record(kind, durationUs);
  }
  const Counters& counters() const { return counters_; }
  // Worker thread only (stats reads run as tasks on this worker): the per-server stats, the
  // commands counters, and the stats_mysql_processlist rows of this worker's sessions.
  ServerTable& serverTable() { return serverTable_; }
  const stats::CommandCounters& commandCounters() const { return commandCounters_; }
  using ProcessRow = std::vector<std::optional<std::string>>;
  void appendProcessRows(std::vector<ProcessRow>& out);
  // Sessions that keep their backend connection between commands, by reason (see keepReason).
  void addPinCounts(std::unordered_map<std::string, uint64_t>& out);
  // Why `session` keeps its backend connection between commands ("" when it does not): its pin
  // reason, else an open transaction, pending long data, fast_forward or multiplexing disabled.
  const char* keepReason(const session::ClientSession& session) const;

  void noteDigest(uint64_t digest, std::string_view digestText) override {
    digestStats_.noteText(digest, digestText);
  }
  void recordQuery(const stats::DigestKeyView& key, uint64_t durationUs, uint64_t rowsAffected,
                   uint64_t rowsSent) override;
  bool logEvent(const stats::LogEvent& event) override;
  bool eventsLogEnabled() override;
  std::string& rewriteScratch() override { return rewriteScratch_; }
  cache::QueryCache& queryCache() override { return queryCache_; }
  // Worker thread only: the digest rows (and clear them when `reset`).
  void takeDigestRows(std::vector<stats::DigestRow>& out, bool reset);
  size_t digestMemoryBytes() const { return digestStats_.memoryBytes(); }
  void countRuleHits(const rules::RuleSet& ruleSet,
                     std::span<const uint32_t> matchedRuleIndexes) override;
  // Worker thread only: hits per rule_id since start (folded across reloads).
  void addRuleHitsTo(std::unordered_map<int, uint64_t>& out) const;
  bool admitClient() override;
  void releaseClient() override;
  bool admitUser(const std::string& user, int maxConnections) override;
  void releaseUser(const std::string& user) override;
  uint32_t newSessionId() override;
  bool killSession(uint32_t id, bool queryOnly) override;
  void killOnServer(const session::BackendIdentity& target,
                    const session::BackendCredentials& credentials, uint32_t threadId,
                    bool queryOnly) override;
  void mirror(int hostgroup, const session::BackendIdentity& identity, const std::string& schema,
              const session::BackendCredentials& credentials, std::string query,
              bool stateless) override;
  void sessionClosed(session::ClientSession& session) override;
  uint64_t mirrorsDropped() const { return mirrorsDropped_; }
  bool shuttingDown() const override { return shuttingDown_; }

 private:
  void onAccept(uv_stream_t* server);
  void onTick();
  // Parked connections no worker took: adopted into this worker's pool.
  void adoptStaleParked(uint64_t nowMs);
  // Detaches `conn` into the exchange (or closes it when it cannot leave this loop).
  void park(std::unique_ptr<session::BackendConnection> conn, uint64_t nowMs);
  void maybeStop();
  void forEachSession(const std::function<void(session::ClientSession&)>& fn);
  void foldRuleHits();
  void mapServerCounters();
  // This worker's share of mysql-query_cache_size_MB.
  size_t queryCacheCapacity() const;
  static pool::PoolPolicy poolPolicy(const config::MysqlVariables& vars);

  DataPlane& plane_;
  int index_;
  // Before loop_: connections whose deletion the loop defers to its own destruction still
  // release their slots into this table.
  ServerTable serverTable_;
  net::Loop loop_;
  net::Listener listener_;
  config::RuntimePtr runtime_;
  pool::BackendPool pool_;
  routing::Router router_;
  std::string scratch_;
  rules::EvalScratch evalScratch_;
  std::string digestScratch_;
  std::string rewriteScratch_;
  std::string logScratch_;
  stats::DigestStats digestStats_;
  cache::QueryCache queryCache_;
  Counters counters_;
  stats::CommandCounters commandCounters_;
  // Hits of the current rule set by rule index, and those of earlier rule sets by rule_id.
  std::vector<uint64_t> ruleHits_;
  std::unordered_map<int, uint64_t> foldedRuleHits_;
  std::unique_ptr<net::Timer> ticker_;
  ConnectionWaiters waiters_;
  std::unordered_map<uint32_t, std::unique_ptr<session::ClientSession>> sessions_;
  std::unordered_map<uint64_t, std::unique_ptr<session::ServerKill>> kills_;
  uint64_t nextKillKey_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<session::MirrorTask>> mirrors_;
  uint64_t nextMirrorKey_ = 0;
  uint64_t mirrorsDropped_ = 0;
  std::atomic<size_t> sessionCount_{0};
  bool shuttingDown_ = false;
  std::thread thread_;
};

}  // namespace rwproxy::worker
