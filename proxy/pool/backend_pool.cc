#include "proxy/pool/backend_pool.h"

#include <uv.h>

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
    // A connection being pinged is not free until its answer is in.
    if ((*it)->ready() && (*it)->identity() == identity) {
      int score = ((*it)->schema() == schema ? 1 : 0) + ((*it)->vars() == vars ? 1 : 0);
      if (score > bestScore) {
        best = it;
        bestScore = score;
      }
    }
  }
  if (best == idle_.rend()) {
    return nullptr;
  }
  ++hits_;
  BackendPtr conn = std::move(*best);
  idle_.erase(std::next(best).base());
  conn->setListener(nullptr);
  if (ServerStats* stats = conn->serverStats()) {
    stats->addIdle(-1);
    stats->noteUsed();
  }
  return conn;
}

BackendPool::BackendPtr BackendPool::takeForMove(const session::BackendIdentity& identity) {
  for (auto it = idle_.begin(); it != idle_.end(); ++it) {
    if ((*it)->ready() && (*it)->identity() == identity) {
      BackendPtr conn = std::move(*it);
      idle_.erase(it);
      conn->setListener(nullptr);
      if (ServerStats* stats = conn->serverStats()) {
        stats->addIdle(-1);
      }
      return conn;
    }
  }
  return nullptr;
}

void BackendPool::takeForMove(size_t count, std::vector<BackendPtr>& out) {
  for (auto& conn : idle_) {
    if (count == 0) {
      break;
    }
    if (conn->ready() && ServerShared::awaited(conn->serverShared())) {
      conn->setListener(nullptr);
      if (ServerStats* stats = conn->serverStats()) {
        stats->addIdle(-1);
      }
      out.push_back(std::move(conn));
      --count;
    }
  }
  compact();
}

void BackendPool::release(BackendPtr backend) {
  if (!backend) {
    return;
  }
  ServerStats* stats = backend->serverStats();
  // Clamped: a connection that moved in from another worker carries that loop's clock.
  uint64_t nowMs = net::nowMs(loop_);
  uint64_t ageMs = nowMs - std::min(nowMs, backend->createdMs());
  bool tooOld = policy_.maxAgeMs > 0 && ageMs >= policy_.maxAgeMs;
  bool shunned = stats != nullptr && stats->shared->health.shunned();
  if (!backend->ready() || tooOld || shunned) {
    backend->close();
    loop_.deferredDelete(std::move(backend));
    return;
  }
  backend->setListener(this);
  idle_.push_back(std::move(backend));
  if (stats != nullptr) {
    stats->addIdle(1);
  }
}

void BackendPool::maintain(uint64_t nowMs) {
  uint64_t nowNs = uv_hrtime();
  // Oldest first: when a server has surplus idle connections, the least recently used go.
  for (auto& conn : idle_) {
    ServerStats* stats = conn->serverStats();
    IdleFacts facts;
    facts.idleMs = nowMs - std::min(nowMs, conn->lastUsedMs());
    facts.ageMs = nowMs - std::min(nowMs, conn->createdMs());
    facts.pinging = conn->state() == session::BackendConnection::State::Busy;
    facts.pingMs = (nowNs - std::min(nowNs, conn->pingSentNs())) / 1000000;
    facts.surplus = stats != nullptr && stats->idle > stats->idleLimit;
    facts.serverShunned = stats != nullptr && stats->shared->health.shunned();
    switch (decideIdle(facts, policy_)) {
      case IdleAction::Keep:
        break;
      case IdleAction::Ping:
        conn->ping(*this);
        break;
      case IdleAction::Close:
        discard(conn);
        break;
    }
  }
  compact();
}

void BackendPool::discard(BackendPtr& conn) {
  if (ServerStats* stats = conn->serverStats()) {
    stats->addIdle(-1);
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
  // Only a ping's answer arrives here; onBackendReplyDone looks at how it ended.
  (void)backend;
}

void BackendPool::onBackendReplyDone(session::BackendConnection& backend) {
  if (backend.tracker().failed()) {
    onBackendFailed(backend, protocol::Error{});
    return;
  }
  if (ServerStats* stats = backend.serverStats()) {
    stats->shared->latencyUs.store((uv_hrtime() - backend.pingSentNs()) / 1000,
                                   std::memory_order_relaxed);
  }
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

}  // namespace rwproxy::pool
