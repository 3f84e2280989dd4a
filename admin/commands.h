#pragma once

// The admin command table: patterns of words, matched case-insensitively with any whitespace.
// Pattern syntax: WORD, ALT1|ALT2, {module} (MYSQL SERVERS, MYSQL USERS, MYSQL QUERY RULES,
// MYSQL VARIABLES, ADMIN VARIABLES) and a final {rest} (the remaining text, maybe empty).

#include <optional>
#include <string_view>

#include "admin/admin_executor.h"
#include "admin/modules.h"

namespace rwproxy::admin {

struct CommandArgs {
  Module module = Module::MysqlServers;  // from {module}
  std::string_view rest;                 // from {rest}
  int flag = 0;                          // from the table entry
};

struct AdminExecutor::Command {
  std::string_view pattern;
  Handler handler;
  int flag = 0;
};

// Matches a stripped statement against one pattern.
std::optional<CommandArgs> matchPattern(std::string_view pattern, std::string_view statement);

// True when the statement starts with a word only admin commands use (LOAD, SAVE, SHOW, ...):
// such statements are never passed to SQLite.
bool isAdminVerb(std::string_view statement);

}  // namespace rwproxy::admin
