#include "proxy/worker/server_table.h"

#include <algorithm>

namespace rwproxy::worker {

void ServerTable::rebind(const config::Runtime& runtime, int workers) {
  runtime_ = &runtime;
  current_.clear();
  for (const auto& s : runtime.servers) {
    pool::ServerStats* stats = lookup(s.hostgroupId, s.hostname, s.port);
    // ProxySQL keeps free_connections_pct% of max_connections idle per server; each worker keeps
    // its share of that (rounded up, so one worker of many still keeps one).
    int64_t proxyWide = int64_t{s.maxConnections} * runtime.mysql.freeConnectionsPct / 100;
    int64_t share = (proxyWide + std::max(workers, 1) - 1) / std::max(workers, 1);
    stats->idleLimit = static_cast<int>(share);
    current_.push_back(stats);
  }
}

pool::ServerStats* ServerTable::statsFor(const config::Server& server) {
  if (runtime_ != nullptr) {
    const config::Server* first = runtime_->servers.data();
    const config::Server* last = first + runtime_->servers.size();
    // std::less gives a total order even for pointers into different arrays.
    if (!std::less<>()(&server, first) && std::less<>()(&server, last)) {
      return current_[static_cast<size_t>(&server - first)];
    }
  }
  return lookup(server.hostgroupId, server.hostname, server.port);
}

bool ServerTable::admits(const config::Server& server) {
  return statsFor(server)->shared->admitsNow();
}

void ServerTable::forEach(const std::function<void(const Entry&)>& fn) const {
  for (const auto& [key, entry] : entries_) {
    fn(entry);
  }
}

pool::ServerStats* ServerTable::lookup(int hostgroup, const std::string& host, int port) {
  std::string key = std::to_string(hostgroup) + ":" + host + ":" + std::to_string(port);
  Entry& entry = entries_[key];
  if (!entry.stats) {
    entry.hostgroup = hostgroup;
    entry.host = host;
    entry.port = port;
    entry.stats = std::make_unique<pool::ServerStats>(*load_.serverFor(host, port));
  }
  return entry.stats.get();
}

}  // namespace rwproxy::worker
