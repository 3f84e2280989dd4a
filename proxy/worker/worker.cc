#include "proxy/worker/worker.h"

#include <algorithm>
#include <ctime>

#include "proxy/worker/data_plane.h"
#include "rules/rule_set.h"

namespace rwproxy::worker {

Worker::Worker(DataPlane& plane, int index, config::RuntimePtr runtime)
    : plane_(plane),
      index_(index),
      serverTable_(plane.serverLoad()),
      listener_(loop_, [this](uv_stream_t* server) { onAccept(server); }),
      runtime_(std::move(runtime)),
      pool_(loop_),
      router_(0x9E3779B97F4A7C15ULL * static_cast<uint64_t>(index + 1), &serverTable_),
      waiters_(
          loop_, plane.sessionsWaitingForBackend(), plane.oldestWaitOf(index),
          [this](uint32_t id) {
            auto it = sessions_.find(id);
            if (it != sessions_.end() && it->second) {
              it->second->retryBackend();
            }
          },
          [this] { plane_.onOtherWorkers(*this, [](Worker& w) { w.lendIdleForWaiters(); }); }) {
  digestStats_.setMaxEntries(static_cast<size_t>(runtime_->mysql.queryDigestsMaxEntries));
  queryCache_.setCapacity(queryCacheCapacity());
  mapServerCounters();
  ticker_ = std::make_unique<net::Timer>(loop_, [this] { onTick(); });
  ticker_->start(1000, 1000);
}

Worker::~Worker() {
  join();
  // Out of the map first: a session still open closes itself in its destructor and would look
  // itself up in sessions_ while the map is being cleared.
  auto sessions = std::move(sessions_);
  sessions_.clear();
  sessions.clear();
  kills_.clear();
  mirrors_.clear();
  pool_.closeAll();
  ticker_.reset();
  listener_.close();
}

int Worker::listen(const std::string& host, int port) {
  return listener_.listen(host, port, /*reusePort=*/true);
}

void Worker::start() {
  thread_ = std::thread([this] { loop_.run(); });
}

void Worker::join() {
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Worker::publish(config::RuntimePtr runtime) {
  loop_.post([this, runtime = std::move(runtime)]() mutable {
    foldRuleHits();
    runtime_ = std::move(runtime);
    mapServerCounters();
    digestStats_.setMaxEntries(static_cast<size_t>(runtime_->mysql.queryDigestsMaxEntries));
    queryCache_.setCapacity(queryCacheCapacity());
    // Idle connections to servers that left the configuration go now; busy ones when released.
    pool_.closeIdleIf([this](const session::BackendConnection& c) {
      const auto& id = c.identity();
      return std::none_of(
          runtime_->servers.begin(), runtime_->servers.end(), [&](const config::Server& s) {
            return s.hostname == id.host && s.port == id.port && s.hostgroupId == id.hostgroup &&
                   s.status != config::ServerStatus::OfflineHard;
          });
    });
  });
}

void Worker::forEachSession(const std::function<void(session::ClientSession&)>& fn) {
  // Copy the ids first: closing a session removes it from the map.
  std::vector<uint32_t> ids;
  ids.reserve(sessions_.size());
  for (auto& [id, s] : sessions_) {
    ids.push_back(id);
  }
  for (uint32_t id : ids) {
    auto it = sessions_.find(id);
    if (it != sessions_.end()) {
      fn(*it->second);
    }
  }
}

void Worker::beginShutdown() {
  loop_.post([this] {
    shuttingDown_ = true;
    listener_.close();
    forEachSession([](session::ClientSession& s) { s.closeWhenIdle(); });
    maybeStop();
  });
}

void Worker::forceStop() {
  loop_.post([this] {
    shuttingDown_ = true;
    listener_.close();
    forEachSession([](session::ClientSession& s) { s.close(); });
    pool_.closeAll();
    loop_.stop();
  });
}

void Worker::maybeStop() {
  if (shuttingDown_ && sessions_.empty()) {
    pool_.closeAll();
    ticker_->stop();
    loop_.stop();
  }
}

void Worker::onAccept(uv_stream_t* server) {
  ++counters_.clientConnectionsCreated;
  uint32_t id = newSessionId();
  auto session = std::make_unique<session::ClientSession>(*this, id);
  session::ClientSession* raw = session.get();
  sessions_.emplace(id, std::move(session));
  sessionCount_.store(sessions_.size(), std::memory_order_relaxed);
  plane_.registerSession(id, index_);
  if (!raw->start(server)) {
    raw->close();
  }
}

void Worker::onTick() {
  uint64_t now = net::nowMs(loop_);
  forEachSession([now](session::ClientSession& s) { s.onTick(now); });
  queryCache_.purgeExpired(now);
  adoptStaleParked(now);
  pool_.maintain(now);
}

size_t Worker::queryCacheCapacity() const {
  auto total = static_cast<size_t>(runtime_->mysql.queryCacheSizeMb) * 1024 * 1024;
  return total / static_cast<size_t>(std::max(1, plane_.workerCount()));
}

pool::PoolPolicy Worker::poolPolicy(const config::MysqlVariables& vars) {
  pool::PoolPolicy policy;
  policy.pingIntervalMs = static_cast<uint64_t>(vars.pingIntervalServerMsec);
  policy.maxAgeMs = static_cast<uint64_t>(vars.connectionMaxAgeMs);
  return policy;
}

void Worker::mapServerCounters() {
  serverTable_.rebind(*runtime_, plane_.workerCount());
  pool_.setPolicy(poolPolicy(runtime_->mysql));
}

pool::ServerStats* Worker::serverCounter(const config::Server& server) {
  return serverTable_.statsFor(server);
}

void Worker::recordQuery(const stats::DigestKeyView& key, uint64_t durationUs,
                         uint64_t rowsAffected, uint64_t rowsSent) {
  digestStats_.record(key, "", static_cast<uint64_t>(std::time(nullptr)), durationUs, rowsAffected,
                      rowsSent);
}

bool Worker::logEvent(const stats::LogEvent& event) {
  return plane_.eventsLog().log(event, logScratch_);
}

bool Worker::eventsLogEnabled() { return plane_.eventsLog().enabled(); }

void Worker::takeDigestRows(std::vector<stats::DigestRow>& out, bool reset) {
  if (reset) {
    digestStats_.drainTo(out);
  } else {
    digestStats_.appendTo(out);
  }
}

void Worker::countRuleHits(const rules::RuleSet& ruleSet,
                           std::span<const uint32_t> matchedRuleIndexes) {
  if (ruleHits_.size() != ruleSet.ruleCount()) {
    ruleHits_.assign(ruleSet.ruleCount(), 0);  // once per rule set
  }
  for (uint32_t index : matchedRuleIndexes) {
    ++ruleHits_[index];
  }
}

void Worker::foldRuleHits() {
  const auto& ruleSet = runtime_ ? runtime_->queryRuleSet : nullptr;
  if (ruleSet && ruleHits_.size() == ruleSet->ruleCount()) {
    for (size_t i = 0; i < ruleHits_.size(); ++i) {
      if (ruleHits_[i] != 0) {
        foldedRuleHits_[ruleSet->ruleIdAt(i)] += ruleHits_[i];
      }
    }
  }
  ruleHits_.clear();
}

void Worker::addRuleHitsTo(std::unordered_map<int, uint64_t>& out) const {
  for (const auto& [id, hits] : foldedRuleHits_) {
    out[id] += hits;
  }
  const auto& ruleSet = runtime_->queryRuleSet;
  if (ruleSet && ruleHits_.size() == ruleSet->ruleCount()) {
    for (size_t i = 0; i < ruleHits_.size(); ++i) {
      out[ruleSet->ruleIdAt(i)] += ruleHits_[i];
    }
  }
}

bool Worker::admitClient() { return plane_.admitClient(runtime_->mysql.maxConnections); }
void Worker::releaseClient() { plane_.releaseClient(); }
bool Worker::admitUser(const std::string& user, int maxConnections) {
  return plane_.admitUser(user, maxConnections);
}
void Worker::releaseUser(const std::string& user) { plane_.releaseUser(user); }
uint32_t Worker::newSessionId() { return plane_.newSessionId(); }
bool Worker::killSession(uint32_t id, bool queryOnly) { return plane_.killSession(id, queryOnly); }

void Worker::postKill(uint32_t id, bool queryOnly) {
  loop_.post([this, id, queryOnly] {
    auto it = sessions_.find(id);
    if (it != sessions_.end()) {
      it->second->kill(queryOnly);
    }
  });
}

void Worker::killOnServer(const session::BackendIdentity& target,
                          const session::BackendCredentials& credentials, uint32_t threadId,
                          bool queryOnly) {
  uint64_t key = ++nextKillKey_;
  kills_.emplace(key,
                 std::make_unique<session::ServerKill>(
                     loop_, target, credentials, threadId, queryOnly,
                     static_cast<uint64_t>(runtime_->mysql.connectTimeoutServerMs), [this, key] {
                       auto it = kills_.find(key);
                       if (it != kills_.end()) {
                         loop_.deferredDelete(std::move(it->second));
                         kills_.erase(it);
                       }
                     }));
}

void Worker::mirror(int hostgroup, const session::BackendIdentity& identity,
                    const std::string& schema, const session::BackendCredentials& credentials,
                    std::string query, bool stateless) {
  // Bounded: a slow mirror target must never grow memory or slow the real traffic.
  constexpr size_t kMaxMirrorsInFlight = 64;
  const config::Server* server = router_.pick(*runtime_, hostgroup);
  if (mirrors_.size() >= kMaxMirrorsInFlight || server == nullptr || shuttingDown_) {
    ++mirrorsDropped_;
    return;
  }
  session::BackendIdentity target = identity;
  target.host = server->hostname;
  target.port = server->port;
  target.hostgroup = server->hostgroupId;
  uint64_t key = ++nextMirrorKey_;
  mirrors_.emplace(
      key, std::make_unique<session::MirrorTask>(
               loop_, pool_, std::move(target), schema, credentials, std::move(query), stateless,
               static_cast<uint64_t>(runtime_->mysql.connectTimeoutServerMs),
               pool::ServerSlot::tryReserve(serverCounter(*server), server->maxConnections),
               [this, key] {
                 auto it = mirrors_.find(key);
                 if (it != mirrors_.end()) {
                   loop_.deferredDelete(std::move(it->second));
                   mirrors_.erase(it);
                 }
               }));
}

void Worker::waitForBackend(session::ClientSession& session, bool firstTime) {
  waiters_.add(session.id(), session.waitingSinceMs());
  if (firstTime) {
    // Other workers may sit on idle connections that hold the slots: ask them to let go.
    plane_.onOtherWorkers(*this, [](Worker& w) { w.lendIdleForWaiters(); });
  }
}

void Worker::lendIdleForWaiters() {
  int elsewhere = plane_.sessionsWaitingForBackend().load(std::memory_order_relaxed) -
                  static_cast<int>(waiters_.size());
  if (elsewhere <= 0 || pool_.idleCount() == 0) {
    return;
  }
  std::vector<std::unique_ptr<session::BackendConnection>> lent;
  pool_.takeForMove(static_cast<size_t>(elsewhere), lent);
  uint64_t now = net::nowMs(loop_);
  for (auto& conn : lent) {
    park(std::move(conn), now);
  }
  plane_.wakeWaitersElsewhere(index_);
}

void Worker::lendIdle(const session::BackendIdentity& identity, int requester, uint32_t sessionId,
                      uint32_t ask) {
  if (auto conn = pool_.takeForMove(identity)) {
    park(std::move(conn), net::nowMs(loop_));
  }
  plane_.onWorker(requester, [sessionId, ask](Worker& w) {
    auto it = w.sessions_.find(sessionId);
    if (it != w.sessions_.end()) {
      it->second->onBorrowAnswer(ask);
    }
  });
}

void Worker::park(std::unique_ptr<session::BackendConnection> conn, uint64_t nowMs) {
  conn = plane_.exchange().park(std::move(conn), nowMs);
  if (conn) {
    // It could not leave this loop: it goes, and so does the slot it held.
    conn->close();
    loop_.deferredDelete(std::move(conn));
  }
}

std::unique_ptr<session::BackendConnection> Worker::takeParked(
    const session::BackendIdentity& identity, const std::string& schema,
    const session::SessionVars& vars, pool::ServerStats* stats) {
  if (stats->shared->parked.load(std::memory_order_relaxed) == 0) {
    return nullptr;
  }
  auto conn = plane_.exchange().take(identity, schema, vars);
  if (!conn || !conn->attach(loop_, stats)) {
    return nullptr;  // a connection that failed to attach is gone with its slot
  }
  stats->noteUsed();
  ++counters_.backendConnectionsMovedIn;
  return conn;
}

bool Worker::evictParked(pool::ServerStats* stats) {
  if (stats->shared->parked.load(std::memory_order_relaxed) == 0) {
    return false;
  }
  // Destroyed here: its socket is closed and the slot is free before this returns.
  return plane_.exchange().takeAny(stats->shared) != nullptr;
}

int Worker::askForIdle(const session::BackendIdentity& identity, uint32_t sessionId, uint32_t ask) {
  int requester = index_;
  plane_.onOtherWorkers(*this, [identity, requester, sessionId, ask](Worker& w) {
    w.lendIdle(identity, requester, sessionId, ask);
  });
  return plane_.workerCount() - 1;
}

void Worker::adoptStaleParked(uint64_t nowMs) {
  // Longer than any session waits for a lent connection: nobody is coming for these.
  constexpr uint64_t kMaxParkedMs = 500;
  std::vector<std::unique_ptr<session::BackendConnection>> stale;
  plane_.exchange().takeStale(nowMs, kMaxParkedMs, stale);
  for (auto& conn : stale) {
    const session::BackendIdentity& id = conn->identity();
    if (conn->attach(loop_, serverTable_.statsFor(id.hostgroup, id.host, id.port))) {
      pool_.release(std::move(conn));
    }
  }
}

session::StmtRegistry& Worker::stmtRegistry() { return plane_.stmtRegistry(); }

void Worker::returnBackend(std::unique_ptr<session::BackendConnection> backend) {
  auto waitingElsewhere = static_cast<size_t>(
      std::max(0, plane_.sessionsWaitingForBackend().load(std::memory_order_relaxed)));
  if (waitingElsewhere > waiters_.size() && pool::ServerShared::awaited(backend->serverShared()) &&
      plane_.waitedLongerElsewhere(index_, waiters_.oldestSinceMs())) {
    // A session on another worker has waited longer than any here for this connection or the
    // slot it holds: hand it over (first come, first served across workers).
    park(std::move(backend), net::nowMs(loop_));
    plane_.wakeWaitersElsewhere(index_);
  } else {
    pool_.release(std::move(backend));
  }
  waiters_.wakeSoon();
}

void Worker::sessionClosed(session::ClientSession& session) {
  auto it = sessions_.find(session.id());
  if (it == sessions_.end()) {
    return;
  }
  plane_.unregisterSession(session.id());
  loop_.deferredDelete(std::move(it->second));
  sessions_.erase(it);
  sessionCount_.store(sessions_.size(), std::memory_order_relaxed);
  maybeStop();
}

}  // namespace rwproxy::worker
