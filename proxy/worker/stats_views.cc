#include "proxy/worker/stats_views.h"

#include <cstdio>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "proxy/worker/worker.h"

namespace rwproxy::worker {

namespace {

// Runs `perWorker(worker, value)` on every worker's thread, one at a time, and returns the
// value they all added to. Shared so that a worker answering after a timed-out wait still
// writes somewhere valid.
template <typename T, typename PerWorker>
T gather(DataPlane& plane, PerWorker perWorker) {
  struct Shared {
    std::mutex mutex;
    T value;  // GUARDED_BY(mutex)
  };
  auto shared = std::make_shared<Shared>();
  plane.onEveryWorker([shared, perWorker](Worker& w) {
    std::lock_guard lock(shared->mutex);
    perWorker(w, shared->value);
  });
  std::lock_guard lock(shared->mutex);
  return std::move(shared->value);
}

std::string rowKey(int hostgroup, const std::string& host, int port) {
  return std::to_string(hostgroup) + ":" + host + ":" + std::to_string(port);
}

std::optional<std::string> n(int64_t value) { return std::to_string(value); }
std::optional<std::string> n(uint64_t value) { return std::to_string(value); }

const char* statusName(const config::Server& server, const pool::ServerShared& shared) {
  switch (server.status) {
    case config::ServerStatus::Online:
      return shared.health.shunned() ? "SHUNNED" : "ONLINE";
    case config::ServerStatus::Shunned:
      return "SHUNNED";
    case config::ServerStatus::OfflineSoft:
      return "OFFLINE_SOFT";
    case config::ServerStatus::OfflineHard:
      return "OFFLINE_HARD";
  }
  return "";
}

struct PoolTotals {
  int64_t used = 0;
  int64_t free = 0;
  int64_t maxUsed = 0;
  pool::ServerStats::Totals counted;  // since the last reset
};

void addSinceReset(const pool::ServerStats& stats, pool::ServerStats::Totals& out) {
  const auto& t = stats.totals;
  const auto& b = stats.baseline;
  out.connOk += t.connOk - b.connOk;
  out.connErr += t.connErr - b.connErr;
  out.connBroken += t.connBroken - b.connBroken;
  out.queries += t.queries - b.queries;
  out.bytesSent += t.bytesSent - b.bytesSent;
  out.bytesRecv += t.bytesRecv - b.bytesRecv;
}

// Pin reasons always listed in stats_mysql_global (others appear once a session has them).
constexpr const char* kPinReasons[] = {
    "transaction",
    "user_variable",
    "set_statement",
    "temporary_table",
    "get_lock",
    "found_rows",
    "lock_tables",
    "prepared_statement",
    "cursor",
    "long_data",
    "stored_procedure",
    "multi_statement",
    "last_insert_id",
    "rule_multiplex_0",
    "set_option",
    "session_state_changed",
    "unknown_statement",
};

}  // namespace

std::vector<StatsRow> connectionPoolRows(DataPlane& plane, bool reset) {
  auto totals = gather<std::unordered_map<std::string, PoolTotals>>(
      plane, [reset](Worker& w, std::unordered_map<std::string, PoolTotals>& out) {
        w.serverTable().forEach([&](const ServerTable::Entry& e) {
          PoolTotals& t = out[rowKey(e.hostgroup, e.host, e.port)];
          t.used += e.stats->used();
          t.free += e.stats->idle;
          t.maxUsed += e.stats->maxUsed;
          addSinceReset(*e.stats, t.counted);
          if (reset) {
            e.stats->resetCounters();
          }
        });
      });
  std::vector<StatsRow> rows;
  config::RuntimePtr runtime = plane.runtime();
  if (!runtime) {
    return rows;
  }
  for (const auto& s : runtime->servers) {
    const PoolTotals& t = totals[rowKey(s.hostgroupId, s.hostname, s.port)];
    const pool::ServerShared& shared = *plane.serverLoad().serverFor(s.hostname, s.port);
    rows.push_back({n(int64_t{s.hostgroupId}), s.hostname, n(int64_t{s.port}),
                    statusName(s, shared), n(t.used), n(t.free), n(t.counted.connOk),
                    n(t.counted.connErr), n(t.maxUsed), n(t.counted.queries), "0",
                    n(t.counted.bytesSent), n(t.counted.bytesRecv),
                    n(shared.latencyUs.load(std::memory_order_relaxed))});
  }
  return rows;
}

std::vector<StatsRow> processlistRows(DataPlane& plane) {
  return gather<std::vector<StatsRow>>(
      plane, [](Worker& w, std::vector<StatsRow>& out) { w.appendProcessRows(out); });
}

std::vector<StatsRow> commandCounterRows(DataPlane& plane) {
  auto sum = gather<stats::CommandCounters>(
      plane, [](Worker& w, stats::CommandCounters& out) { w.commandCounters().addTo(out); });
  std::vector<StatsRow> rows;
  for (size_t k = 1; k < sql::kCommandKindCount; ++k) {
    auto kind = static_cast<sql::CommandKind>(k);
    const auto& r = sum.row(kind);
    StatsRow row = {std::string(sql::commandName(kind)), n(r.totalTimeUs), n(r.totalCount)};
    for (uint64_t bucket : r.buckets) {
      row.push_back(n(bucket));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<StatsRow> userRows(DataPlane& plane) {
  std::vector<StatsRow> rows;
  config::RuntimePtr runtime = plane.runtime();
  if (!runtime) {
    return rows;
  }
  auto connections = plane.userConnections();
  for (const auto& u : runtime->users) {
    if (u.frontend) {
      auto it = connections.find(u.username);
      int64_t current = it == connections.end() ? 0 : it->second;
      rows.push_back({u.username, n(current), n(int64_t{u.maxConnections})});
    }
  }
  return rows;
}

void appendServerStatus(DataPlane& plane, std::vector<std::pair<std::string, std::string>>& out) {
  struct Sums {
    int64_t open = 0;
    int64_t used = 0;
    uint64_t poolHits = 0;
    pool::ServerStats::Totals totals;
    std::unordered_map<std::string, uint64_t> pins;
  };
  Sums sums = gather<Sums>(plane, [](Worker& w, Sums& s) {
    w.serverTable().forEach([&](const ServerTable::Entry& e) {
      s.open += e.stats->open;
      s.used += e.stats->used();
      s.totals.connOk += e.stats->totals.connOk;
      s.totals.connErr += e.stats->totals.connErr;
      s.totals.connBroken += e.stats->totals.connBroken;
    });
    s.poolHits += w.pool().hits();
    w.addPinCounts(s.pins);
  });
  uint64_t shunned = 0;
  if (config::RuntimePtr runtime = plane.runtime()) {
    for (const auto& s : runtime->servers) {
      const pool::ServerShared& shared = *plane.serverLoad().serverFor(s.hostname, s.port);
      shunned += std::string_view(statusName(s, shared)) == "SHUNNED" ? 1 : 0;
    }
  }
  auto str = [](auto v) { return std::to_string(v); };
  out.emplace_back("Server_Connections_connected", str(sums.open));
  out.emplace_back("Server_Connections_created", str(sums.totals.connOk));
  out.emplace_back("Server_Connections_aborted", str(sums.totals.connErr + sums.totals.connBroken));
  out.emplace_back("Server_Connections_used", str(sums.used));
  out.emplace_back("ConnPool_get_conn_immediate", str(sums.poolHits));
  out.emplace_back("ConnPool_get_conn_success", str(sums.poolHits + sums.totals.connOk));
  out.emplace_back("ConnPool_get_conn_failure", str(sums.totals.connErr));
  out.emplace_back("Servers_shunned", str(shunned));
  // Client sessions per backend connection in use (in use: held by a session, not idle).
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.2f",
                static_cast<double>(plane.clientConnections()) /
                    static_cast<double>(std::max<int64_t>(sums.used, 1)));
  out.emplace_back("Multiplexing_ratio", ratio);
  uint64_t pinned = 0;
  for (const auto& [reason, count] : sums.pins) {
    pinned += count;
  }
  out.emplace_back("Pinned_sessions", str(pinned));
  for (const char* reason : kPinReasons) {
    auto it = sums.pins.find(reason);
    out.emplace_back(std::string("Pinned_sessions_") + reason,
                     str(it == sums.pins.end() ? uint64_t{0} : it->second));
    if (it != sums.pins.end()) {
      sums.pins.erase(it);
    }
  }
  for (const auto& [reason, count] : sums.pins) {
    out.emplace_back("Pinned_sessions_" + reason, str(count));
  }
}

}  // namespace rwproxy::worker
