#pragma once

// What the stats provider hook writes through: it replaces the rows of `stats` tables (and of the
// `monitor` logs) just before a statement that reads them runs, so counters are materialised
// only when someone looks. Lives only for the duration of the hook call.

#include <string>
#include <string_view>
#include <vector>

#include "admin/reply.h"
#include "admin/sqlite_db.h"
#include "admin/status.h"

namespace rwproxy::admin {

class StatsSink {
 public:
  // REQUIRES: db outlives the sink. `wanted`: the stats tables the statement reads.
  StatsSink(Db& db, std::vector<std::string> wanted) : db_(db), wanted_(std::move(wanted)) {}

  // True when the statement reads this table (e.g. "stats_mysql_query_digest"); the provider
  // may skip the others. For a *_reset table, the provider should also clear its counters.
  bool wants(std::string_view table) const;
  const std::vector<std::string>& wantedTables() const { return wanted_; }

  // Replaces every row of stats.<table> (or monitor.<table> for mysql_server_*_log); each row has
  // one value per column, in table order, as text (nullopt for NULL). Fails on an unknown table or
  // a wrong column count.
  Status replaceRows(std::string_view table, const std::vector<Row>& rows);

 private:
  Db& db_;
  std::vector<std::string> wanted_;
};

// The stats and monitor tables a statement mentions (case-insensitive substring match on the table
// names).
std::vector<std::string> statsTablesIn(std::string_view statement);

}  // namespace rwproxy::admin
