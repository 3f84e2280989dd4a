#pragma once

// The configuration modules (what LOAD/SAVE act on), the tables each one owns, and copying a
// module between the three layers.

#include <optional>
#include <span>
#include <string_view>

#include "admin/sqlite_db.h"
#include "admin/status.h"

namespace rwproxy::admin {

enum class Module { MysqlServers, MysqlUsers, MysqlQueryRules, MysqlVariables, AdminVariables };

inline constexpr Module kAllModules[] = {Module::MysqlServers, Module::MysqlUsers,
                                         Module::MysqlQueryRules, Module::MysqlVariables,
                                         Module::AdminVariables};

// Memory: main.<table>; Runtime: main.runtime_<table>; Disk: disk.<table>.
enum class Layer { Memory, Runtime, Disk };

struct ModuleTable {
  std::string_view table;
  std::string_view filter;  // SQL condition selecting the module's rows ("1" for all)
};

// "MYSQL SERVERS", ... as written in LOAD/SAVE commands.
std::string_view moduleName(Module module);
// The words of the module's name, for command matching.
std::span<const std::string_view> moduleWords(Module module);
std::span<const ModuleTable> moduleTables(Module module);

// Replaces the module's rows in `to` with those of `from`, atomically. Variables are merged
// (INSERT OR REPLACE) into the memory layer so that variables absent from `from` keep their
// values; everywhere else the copy is exact.
Status copyModule(Db& db, Module module, Layer from, Layer to);

// Which module a config-file statement configures (INSERT/REPLACE/UPDATE/DELETE on a config
// table, or SET mysql-x / admin-x); nullopt for anything else (LOAD, SAVE, ...).
std::optional<Module> moduleOfStatement(std::string_view statement);

}  // namespace rwproxy::admin
