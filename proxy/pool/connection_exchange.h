#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "proxy/session/backend_connection.h"

namespace rwproxy::pool {

// Idle backend connections on their way from one worker to another. Each worker pools its own
// connections without locks; when one worker runs short while another has idle connections (a
// connect storm landing unevenly on the workers, a session waiting for a full server), the
// other worker detaches an idle connection and parks it here, and the short worker attaches it
// to its own loop: the socket moves, nothing is reopened.
//
// Thread-safe. The lock is taken only to park or take a connection, never per query; workers
// first check the server's `parked` count (one relaxed load) before they look here.
class ConnectionExchange {
 public:
  using BackendPtr = std::unique_ptr<session::BackendConnection>;

  ConnectionExchange() = default;
  ConnectionExchange(const ConnectionExchange&) = delete;
  ConnectionExchange& operator=(const ConnectionExchange&) = delete;

  // On the connection's worker thread: detaches `conn` and parks it. Returns it back (still
  // attached) when it cannot be detached; nullptr when parked.
  BackendPtr park(BackendPtr conn, uint64_t nowMs);
  // A parked connection with this identity, preferring one on `schema` with `vars`, still
  // detached (attach it on the caller's loop); nullptr if none.
  BackendPtr take(const session::BackendIdentity& identity, const std::string& schema,
                  const session::SessionVars& vars);
  // Any parked connection to `server`, whatever its identity (to close it: its slot is wanted).
  BackendPtr takeAny(const ServerShared* server);
  // Parked connections nobody took within `maxParkedMs`: a worker adopts them into its own
  // pool, where they are pinged or closed like any idle connection.
  void takeStale(uint64_t nowMs, uint64_t maxParkedMs, std::vector<BackendPtr>& out);

  size_t parkedCount();

 private:
  struct Parked {
    BackendPtr conn;
    uint64_t sinceMs;
  };
  BackendPtr removeAt(size_t index);

  std::mutex mutex_;
  std::vector<Parked> parked_;  // GUARDED_BY(mutex_); oldest first
};

}  // namespace rwproxy::pool
