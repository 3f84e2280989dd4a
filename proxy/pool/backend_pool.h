#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "proxy/net/loop.h"
#include "proxy/pool/pool_policy.h"
#include "proxy/session/backend_connection.h"

namespace rwproxy::pool {

// One worker's idle backend connections (thread-confined: no locks). A client borrows one that
// matches its identity, uses it for a command (or longer, when its session state pins it) and
// gives it back. Each tick, maintain() validates idle connections with COM_PING and closes the
// old, the broken and the surplus ones (PoolPolicy).
class BackendPool : private session::BackendListener {
 public:
  using BackendPtr = std::unique_ptr<session::BackendConnection>;

  explicit BackendPool(net::Loop& loop) : loop_(loop) {}
  ~BackendPool() override;

  void setPolicy(const PoolPolicy& policy) { policy_ = policy; }

  // An idle connection with this identity, preferring one already on `schema` and with `vars`;
  // nullptr if none.
  BackendPtr acquire(const session::BackendIdentity& identity, const std::string& schema,
                     const session::SessionVars& vars);
  // An idle connection with this identity for another worker (not counted as a hit); nullptr
  // if none is idle and ready.
  BackendPtr takeForMove(const session::BackendIdentity& identity);
  // Up to `count` idle connections to servers that sessions wait for (ServerShared::waiting),
  // the least recently used first, for other workers.
  void takeForMove(size_t count, std::vector<BackendPtr>& out);
  // Takes back a connection in the Ready state; anything else is closed, and so is one past
  // mysql-connection_max_age_ms or to a SHUNNED server.
  void release(BackendPtr backend);
  // Closes the idle connections `drop` selects.
  template <typename Predicate>
  void closeIdleIf(Predicate drop) {
    for (auto& conn : idle_) {
      if (conn && drop(*conn)) {
        discard(conn);
      }
    }
    compact();
  }
  // The maintenance tick: pings, timeouts, max age, surplus (see decideIdle).
  void maintain(uint64_t nowMs);
  void closeAll();

  size_t idleCount() const { return idle_.size(); }
  bool hasIdle(const session::BackendIdentity& identity) const;
  // acquire() calls that found an idle connection.
  uint64_t hits() const { return hits_; }

 private:
  void onBackendReady(session::BackendConnection&) override {}
  void onBackendFailed(session::BackendConnection& backend, const protocol::Error&) override;
  void onBackendReply(session::BackendConnection& backend, protocol::Bytes) override;
  void onBackendReplyDone(session::BackendConnection& backend) override;
  // Closes an idle connection and leaves a null in its place (compact() removes those).
  void discard(BackendPtr& conn);
  void compact();

  net::Loop& loop_;
  PoolPolicy policy_;
  // Most recently released last: acquire() scans from the back and takes the warmest.
  std::vector<BackendPtr> idle_;
  uint64_t hits_ = 0;
};

}  // namespace rwproxy::pool
