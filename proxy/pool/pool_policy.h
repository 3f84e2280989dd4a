#pragma once

#include <cstdint>

namespace rwproxy::pool {

// How a worker's pool looks after its idle connections; built from the mysql-* variables of
// each published snapshot. Times in milliseconds, 0 disables the rule.
struct PoolPolicy {
  uint64_t pingIntervalMs = 10000;  // mysql-ping_interval_server_msec: validate idle ones
  uint64_t pingTimeoutMs = 1000;    // a ping unanswered this long closes the connection
  uint64_t maxAgeMs = 0;            // mysql-connection_max_age_ms: close old ones when idle
  // Close connections idle this long whatever else (below the servers' usual wait_timeout).
  uint64_t maxIdleMs = 4ULL * 3600 * 1000;
};

// What one idle connection looks like at a maintenance tick.
struct IdleFacts {
  uint64_t idleMs = 0;  // since it last sent or received anything
  uint64_t ageMs = 0;   // since it was opened
  bool pinging = false;
  uint64_t pingMs = 0;  // since the ping in flight was sent
  // Its server has more idle connections in this pool than its share of
  // mysql-free_connections_pct, counting this one.
  bool surplus = false;
  bool serverShunned = false;
};

enum class IdleAction { Keep, Ping, Close };

// The maintenance decision for one idle connection. Surplus connections are not kept alive by
// pings: once they would need one, they are closed instead (ProxySQL keeps at most
// free_connections_pct% of a server's max_connections idle and pinged).
IdleAction decideIdle(const IdleFacts& facts, const PoolPolicy& policy);

}  // namespace rwproxy::pool
