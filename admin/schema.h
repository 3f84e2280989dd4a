#pragma once

// Creating the store's databases from the embedded admin/schema/*.sql files.

#include "admin/sqlite_db.h"
#include "admin/status.h"

namespace rwproxy::admin {

// The memory layer and its runtime_* mirrors in `main`, plus the in-memory `stats` and
// `monitor` databases (attached here). REQUIRES: a fresh in-memory Db.
Status createMemorySchema(Db& db);

// The config tables in the attached `disk` database (IF NOT EXISTS: an existing file keeps its
// tables and rows).
Status createDiskTables(Db& db);

}  // namespace rwproxy::admin
