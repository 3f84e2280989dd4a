#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxy/config/runtime.h"
#include "proxy/pool/server_load.h"
#include "proxy/routing/router.h"

namespace rwproxy::worker {

// One worker's ServerStats, one per mysql_servers row (hostgroup, host, port) it has ever
// known (entries are never removed: connections point into them for as long as they live), and
// the router's view of the servers' shared health. Worker thread only.
//
// Must outlive every connection of the worker (it is declared before the worker's loop, whose
// deferred deletions may run last).
class ServerTable : public routing::ServerAvailability {
 public:
  explicit ServerTable(pool::ServerLoad& load) : load_(load) {}

  // Aligns the table with `runtime`'s servers (which must stay alive until the next rebind) and
  // gives each row its share of mysql-free_connections_pct among `workers` workers.
  void rebind(const config::Runtime& runtime, int workers);
  // The stats of `server`: an index for a server of the current snapshot, a lookup otherwise
  // (a session still on an older snapshot).
  pool::ServerStats* statsFor(const config::Server& server);
  // The stats of the row (hostgroup, host, port), made when new (a connection moving in from
  // another worker).
  pool::ServerStats* statsFor(int hostgroup, const std::string& host, int port) {
    return lookup(hostgroup, host, port);
  }
  // routing::ServerAvailability: not SHUNNED, or SHUNNED for longer than the recovery time.
  bool admits(const config::Server& server) override;

  // Every row ever known, with its key parts.
  struct Entry {
    int hostgroup = 0;
    std::string host;
    int port = 0;
    std::unique_ptr<pool::ServerStats> stats;
  };
  void forEach(const std::function<void(const Entry&)>& fn) const;

 private:
  pool::ServerStats* lookup(int hostgroup, const std::string& host, int port);

  pool::ServerLoad& load_;
  const config::Runtime* runtime_ = nullptr;
  std::vector<pool::ServerStats*> current_;  // aligned with runtime_->servers
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace rwproxy::worker
