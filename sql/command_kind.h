// The command of a query for stats_mysql_commands_counters: read from its first keywords only
// (two or three at most), after comments and leading `(`, seeing through executable comments.
// Cheap enough to run on every query: no allocation, a few tokens of input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rwproxy::sql {

// One row of stats_mysql_commands_counters each, named as ProxySQL names them (commandName()).
enum class CommandKind : uint8_t {
  None,  // not a query (no row)
  AlterTable,
  AlterView,
  AnalyzeTable,
  Begin,
  Call,
  ChangeMaster,
  Commit,
  CreateDatabase,
  CreateIndex,
  CreateTable,
  CreateTemporary,
  CreateTrigger,
  CreateUser,
  CreateView,
  Deallocate,
  Delete,
  Describe,
  DropDatabase,
  DropIndex,
  DropTable,
  DropTrigger,
  DropUser,
  DropView,
  Grant,
  Execute,
  Explain,
  Flush,
  Insert,
  Kill,
  Load,
  LockTable,
  Optimize,
  Prepare,
  Purge,
  RenameTable,
  ResetMaster,
  ResetSlave,
  Replace,
  Revoke,
  Rollback,
  Savepoint,
  Select,
  Set,
  ShowTableStatus,
  StartTransaction,
  TruncateTable,
  UnlockTables,
  Update,
  Use,
  Show,
  Unknown,
};

inline constexpr size_t kCommandKindCount = static_cast<size_t>(CommandKind::Unknown) + 1;

// The command of `query`; Unknown when its first keywords are none of the above.
CommandKind commandKindOf(std::string_view query) noexcept;

// "ALTER_TABLE", "SELECT", "UNKNOWN", ...; "" for None.
std::string_view commandName(CommandKind kind) noexcept;

}  // namespace rwproxy::sql
