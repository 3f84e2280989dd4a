#include "admin/stats_sink.h"

#include <fmt/format.h>

#include <algorithm>

#include "admin/statement.h"

namespace rwproxy::admin {

namespace {

// Longest names first so that "stats_mysql_query_digest_reset" is not also reported as
// "stats_mysql_query_digest" only because it contains it.
constexpr std::string_view kStatsTables[] = {
    "stats_mysql_query_digest_latency",
    "stats_mysql_query_digest_reset",
    "stats_mysql_connection_pool_reset",
    "stats_mysql_commands_counters",
    "stats_mysql_connection_pool",
    "stats_mysql_query_digest",
    "stats_mysql_query_rules",
    "stats_mysql_processlist",
    "stats_mysql_global",
    "stats_mysql_users",
    "mysql_server_replication_lag_log",
    "mysql_server_read_only_log",
    "mysql_server_connect_log",
    "mysql_server_ping_log",
};

// stats_* tables live in `stats`, the health checker's logs in `monitor`.
std::string_view schemaOf(std::string_view table) {
  return table.starts_with("stats_") ? "stats" : "monitor";
}

}  // namespace

bool StatsSink::wants(std::string_view table) const {
  return std::find(wanted_.begin(), wanted_.end(), table) != wanted_.end();
}

Status StatsSink::replaceRows(std::string_view table, const std::vector<Row>& rows) {
  if (std::find(std::begin(kStatsTables), std::end(kStatsTables), table) ==
      std::end(kStatsTables)) {
    return makeFailure(fmt::format("unknown stats or monitor table '{}'", table));
  }
  Savepoint sp(db_);
  if (!sp.started().isOk()) return sp.started();
  std::string qualified = fmt::format("{}.{}", schemaOf(table), table);
  if (Status s = db_.exec(fmt::format("DELETE FROM {}", qualified)); !s.isOk()) return s;
  for (const Row& row : rows) {
    std::string marks;
    for (size_t i = 0; i < row.size(); ++i) marks += i == 0 ? "?" : ",?";
    auto r = db_.query(fmt::format("INSERT INTO {} VALUES ({})", qualified, marks), row);
    if (!r) return makeFailure(fmt::format("{}: {}", qualified, r.failure().message));
  }
  return sp.release();
}

std::vector<std::string> statsTablesIn(std::string_view statement) {
  std::string lower = toLower(statement);
  std::vector<std::string> found;
  for (std::string_view table : kStatsTables) {
    size_t pos = lower.find(table);
    while (pos != std::string::npos) {
      // A match followed by "_reset" or "_latency" belongs to the longer name, already handled.
      std::string_view rest = std::string_view(lower).substr(pos + table.size());
      bool longer = rest.starts_with("_reset") || rest.starts_with("_latency");
      if (!longer) {
        found.emplace_back(table);
        break;
      }
      pos = lower.find(table, pos + 1);
    }
  }
  return found;
}

}  // namespace rwproxy::admin
