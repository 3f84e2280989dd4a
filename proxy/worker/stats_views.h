// The rows of the stats tables that come from the data plane, gathered from every worker on its
// own thread (DataPlane::onEveryWorker) when the admin reads them. Each row has one value per
// column in table order (admin/schema/stats.sql), as text, std::nullopt for NULL.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proxy/worker/data_plane.h"

namespace rwproxy::worker {

using StatsRow = std::vector<std::optional<std::string>>;

// stats_mysql_connection_pool: one row per server of the current snapshot. `reset` (reading
// stats_mysql_connection_pool_reset) zeroes the counters after reading them. MaxConnUsed is the
// sum of each worker's high-water mark (an upper bound of the proxy-wide one).
std::vector<StatsRow> connectionPoolRows(DataPlane& plane, bool reset);
// stats_mysql_processlist: every client session.
std::vector<StatsRow> processlistRows(DataPlane& plane);
// stats_mysql_commands_counters: every command kind, zeros included.
std::vector<StatsRow> commandCounterRows(DataPlane& plane);
// stats_mysql_users: every frontend user of the current snapshot.
std::vector<StatsRow> userRows(DataPlane& plane);
// stats_mysql_global's backend rows: server connections, the pool, shunned servers,
// multiplexing and pinned sessions by reason. Appended to `out`.
void appendServerStatus(DataPlane& plane, std::vector<std::pair<std::string, std::string>>& out);

}  // namespace rwproxy::worker
