#pragma once

// Builds and validates the runtime structs from the memory layer's tables. Every failure names
// the table, the row (primary key values) and the column; nothing is published here.

#include <map>
#include <string>

#include "admin/admin_runtime.h"
#include "admin/modules.h"
#include "admin/sqlite_db.h"
#include "admin/status.h"
#include "proxy/config/runtime.h"

namespace rwproxy::admin {

// Canonical text of every runtime variable, by full name (what runtime_global_variables shows).
using VariableValues = std::map<std::string, std::string>;

// A runtime under construction: starts as a copy of the live one, then modules are replaced.
struct RuntimeDraft {
  config::Runtime runtime;
  AdminRuntime admin;
  VariableValues variables;
};

// Replaces `module`'s part of the draft with the memory layer's rows, validated.
Status buildModule(Db& db, Module module, RuntimeDraft& draft);

Result<std::vector<config::Server>> readServers(Db& db);
Result<std::vector<config::ReplicationHostgroup>> readReplicationHostgroups(Db& db);
Result<std::vector<config::User>> readUsers(Db& db);
Result<std::vector<config::QueryRuleRow>> readQueryRules(Db& db);

}  // namespace rwproxy::admin
