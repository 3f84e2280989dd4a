#include "proxy/pool/backend_pool.h"

#include <algorithm>

namespace rwproxy::pool {

BackendPool::~BackendPool() { closeAll(); }

BackendPool::BackendPtr BackendPool::acquire(const session::BackendIdentity& identity,
                                             const std::string& schema,
                                             const session::SessionVars& vars) {
  // The warmest connection that needs no sync at all, else the one that needs the least.
  auto best = idle_.rend();
  int bestScore = -1;
  for (auto it = idle_.rbegin(); it != idle_.rend() && bestScore < 2; ++it) {
    if ((*it)->ready() && (*it)->identity() == identity) {
      int score = ((*it)->schema() == schema ? 1 : 0) + ((*it)->vars() == vars ? 1 : 0);
      if (score > bestScore) {
        best = it;
        bestScore = score;
      }
    }
  }
  if (best == idle_.rend()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  BackendPtr conn = std::move(*best);
  idle_.erase(std::next(best).base());
  conn->setListener(nullptr);
  if (ServerStats* stats = conn->serverStats()) {
    --stats->idle;
    stats->noteUsed();
  }
  return conn;
}

void BackendPool::release(BackendPtr backend) {
  if (!backend) {
    return;
  }
  ServerStats* stats = backend->serverStats();
  // A SHUNNED server keeps no idle connections: stale by the time it is tried again.
  bool shunned = stats != nullptr && stats->shared->health.shunned();
  if (!backend->ready() || shunned) {
    backend->close();
    loop_.deferredDelete(std::move(backend));
    return;
  }
  backend->setListener(this);
  idle_.push_back(std::move(backend));
  if (stats != nullptr) {
    ++stats->idle;
  }
}

void BackendPool::discard(BackendPtr& conn) {
  if (ServerStats* stats = conn->serverStats()) {
    --stats->idle;
  }
  conn->close();
  loop_.deferredDelete(std::move(conn));
}

void BackendPool::onBackendFailed(session::BackendConnection& backend, const protocol::Error&) {
  for (auto& conn : idle_) {
    if (conn.get() == &backend) {
      discard(conn);
    }
  }
  compact();
}

void BackendPool::onBackendReply(session::BackendConnection& backend, protocol::Bytes) {
  // An idle connection has nothing to reply to; BackendConnection already fails it.
  (void)backend;
}

void BackendPool::expire(uint64_t nowMs, uint64_t maxIdleMs) {
  closeIdleIf(
      [&](const session::BackendConnection& c) { return nowMs - c.lastUsedMs() > maxIdleMs; });
}

void BackendPool::closeAll() {
  closeIdleIf([](const session::BackendConnection&) { return true; });
}

void BackendPool::compact() {
  idle_.erase(std::remove(idle_.begin(), idle_.end(), nullptr), idle_.end());
}

bool BackendPool::hasIdle(const session::BackendIdentity& identity) const {
  return std::any_of(idle_.begin(), idle_.end(),
                     [&](const BackendPtr& c) { return c->ready() && c->identity() == identity; });
}

size_t BackendPool::idleCount(const std::string& host, int port) const {
  return static_cast<size_t>(std::count_if(idle_.begin(), idle_.end(), [&](const BackendPtr& c) {
    return c->identity().host == host && c->identity().port == port;
  }));
}

}  // namespace rwproxy::pool
