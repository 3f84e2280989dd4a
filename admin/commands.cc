#include "admin/commands.h"

#include "admin/statement.h"

namespace rwproxy::admin {

namespace {

bool matchesAlternative(std::string_view alternatives, std::string_view word) {
  size_t start = 0;
  while (start <= alternatives.size()) {
    size_t end = std::min(alternatives.find('|', start), alternatives.size());
    if (iequals(alternatives.substr(start, end - start), word)) return true;
    start = end + 1;
  }
  return false;
}

// Matches a module's words at words[i]; advances i on success.
std::optional<Module> matchModule(const std::vector<Word>& words, size_t& i) {
  for (Module m : kAllModules) {
    auto names = moduleWords(m);
    if (i + names.size() > words.size()) continue;
    bool all = true;
    for (size_t k = 0; k < names.size() && all; ++k) all = iequals(names[k], words[i + k].text);
    if (all) {
      i += names.size();
      return m;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<CommandArgs> matchPattern(std::string_view pattern, std::string_view statement) {
  std::vector<Word> want = splitWords(pattern);
  std::vector<Word> have = splitWords(statement);
  CommandArgs args;
  size_t i = 0;
  for (const Word& p : want) {
    if (p.text == "{rest}") {
      args.rest = i < have.size() ? statement.substr(have[i].offset) : std::string_view();
      return args;
    }
    if (p.text == "{module}") {
      auto m = matchModule(have, i);
      if (!m) return std::nullopt;
      args.module = *m;
      continue;
    }
    if (i >= have.size() || !matchesAlternative(p.text, have[i].text)) return std::nullopt;
    ++i;
  }
  if (i != have.size()) return std::nullopt;
  return args;
}

bool isAdminVerb(std::string_view statement) {
  auto words = splitWords(statement);
  return !words.empty() && matchesAlternative("LOAD|SAVE|SHOW|PROXYSQL|KILL", words[0].text);
}

std::span<const AdminExecutor::Command> AdminExecutor::commands() {
  using E = AdminExecutor;
  static const Command kCommands[] = {
      // Memory -> runtime, and back.
      {"LOAD {module} TO RUNTIME|RUN", &E::loadToRuntime},
      {"LOAD {module} FROM MEMORY|MEM", &E::loadToRuntime},
      {"SAVE {module} TO MEMORY|MEM", &E::saveToMemory},
      {"SAVE {module} FROM RUNTIME|RUN", &E::saveToMemory},
      // Disk -> memory, and back.
      {"LOAD {module} FROM DISK", &E::loadFromDisk},
      {"LOAD {module} TO MEMORY|MEM", &E::loadFromDisk},
      {"SAVE {module} TO DISK", &E::saveToDisk},
      {"SAVE {module} FROM MEMORY|MEM", &E::saveToDisk},
      {"LOAD {module} FROM CONFIG", &E::loadFromConfig},
      {"PROXYSQL FLUSH QUERY CACHE", &E::proxysqlCommand, 0},
      {"PROXYSQL SHUTDOWN", &E::proxysqlCommand, 1},
      {"PROXYSQL SHUTDOWN SLOW", &E::proxysqlCommand, 1},
      {"SHOW DATABASES|SCHEMAS", &E::showDatabases},
      {"SHOW TABLES {rest}", &E::showTables},
      {"SHOW CREATE TABLE {rest}", &E::showCreateTable},
      {"SHOW PROCESSLIST", &E::showProcesslist, 0},
      {"SHOW FULL PROCESSLIST", &E::showProcesslist, 1},
      {"SHOW MYSQL SERVERS", &E::showConfigTable, 0},
      {"SHOW MYSQL USERS", &E::showConfigTable, 1},
      {"SHOW MYSQL STATUS", &E::showStatus},
      {"SHOW MYSQL VARIABLES", &E::showVariables, 1},
      {"SHOW ADMIN VARIABLES", &E::showVariables, 2},
      {"SHOW VARIABLES {rest}", &E::showVariables, 0},
      {"SHOW GLOBAL|SESSION VARIABLES {rest}", &E::showVariables, 0},
      // Session statements clients send, and mysql-x / admin-x assignments.
      {"SET {rest}", &E::set},
      // The mysql client's start-up SELECTs; other SELECTs fall through to SQLite.
      {"SELECT {rest}", &E::selectSessionValues},
  };
  return kCommands;
}

}  // namespace rwproxy::admin
