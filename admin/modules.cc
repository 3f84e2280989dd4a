#include "admin/modules.h"

#include <fmt/format.h>

#include "admin/statement.h"

namespace rwproxy::admin {

namespace {

constexpr std::string_view kServersWords[] = {"MYSQL", "SERVERS"};
constexpr std::string_view kUsersWords[] = {"MYSQL", "USERS"};
constexpr std::string_view kRulesWords[] = {"MYSQL", "QUERY", "RULES"};
constexpr std::string_view kMysqlVarsWords[] = {"MYSQL", "VARIABLES"};
constexpr std::string_view kAdminVarsWords[] = {"ADMIN", "VARIABLES"};

// LOAD MYSQL SERVERS covers the replication hostgroups too, as in ProxySQL.
constexpr ModuleTable kServersTables[] = {{"mysql_servers", "1"},
                                          {"mysql_replication_hostgroups", "1"}};
constexpr ModuleTable kUsersTables[] = {{"mysql_users", "1"}};
constexpr ModuleTable kRulesTables[] = {{"mysql_query_rules", "1"}};
constexpr ModuleTable kMysqlVarsTables[] = {{"global_variables", "variable_name LIKE 'mysql-%'"}};
constexpr ModuleTable kAdminVarsTables[] = {{"global_variables", "variable_name LIKE 'admin-%'"}};

std::string qualified(Layer layer, std::string_view table) {
  switch (layer) {
    case Layer::Memory:
      return fmt::format("main.{}", table);
    case Layer::Runtime:
      return fmt::format("main.runtime_{}", table);
    case Layer::Disk:
      return fmt::format("disk.{}", table);
  }
  return std::string(table);
}

bool isVariables(Module m) { return m == Module::MysqlVariables || m == Module::AdminVariables; }

// The table a DML statement writes to, lower case, without schema or quotes.
std::string targetTable(const std::vector<Word>& w) {
  size_t i = 1;
  auto skip = [&](std::string_view word) {
    if (i < w.size() && iequals(w[i].text, word)) ++i;
  };
  if (iequals(w[0].text, "INSERT") || iequals(w[0].text, "REPLACE")) {
    if (i + 1 < w.size() && iequals(w[i].text, "OR")) i += 2;
    skip("INTO");
  } else if (iequals(w[0].text, "UPDATE")) {
    if (i + 1 < w.size() && iequals(w[i].text, "OR")) i += 2;
  } else if (iequals(w[0].text, "DELETE")) {
    skip("FROM");
  } else {
    return "";
  }
  if (i >= w.size()) return "";
  std::string name = toLower(w[i].text.substr(0, w[i].text.find('(')));
  std::erase(name, '`');
  std::erase(name, '"');
  if (name.starts_with("main.")) name = name.substr(5);
  return name;
}

std::optional<Module> variablesModule(std::string_view lowerText) {
  size_t mysql = lowerText.find("mysql-");
  size_t admin = lowerText.find("admin-");
  if (mysql == std::string_view::npos && admin == std::string_view::npos) return std::nullopt;
  return mysql < admin ? Module::MysqlVariables : Module::AdminVariables;
}

}  // namespace

std::string_view moduleName(Module module) {
  switch (module) {
    case Module::MysqlServers:
      return "MYSQL SERVERS";
    case Module::MysqlUsers:
      return "MYSQL USERS";
    case Module::MysqlQueryRules:
      return "MYSQL QUERY RULES";
    case Module::MysqlVariables:
      return "MYSQL VARIABLES";
    case Module::AdminVariables:
      return "ADMIN VARIABLES";
  }
  return "";
}

std::span<const std::string_view> moduleWords(Module module) {
  switch (module) {
    case Module::MysqlServers:
      return kServersWords;
    case Module::MysqlUsers:
      return kUsersWords;
    case Module::MysqlQueryRules:
      return kRulesWords;
    case Module::MysqlVariables:
      return kMysqlVarsWords;
    case Module::AdminVariables:
      return kAdminVarsWords;
  }
  return {};
}

std::span<const ModuleTable> moduleTables(Module module) {
  switch (module) {
    case Module::MysqlServers:
      return kServersTables;
    case Module::MysqlUsers:
      return kUsersTables;
    case Module::MysqlQueryRules:
      return kRulesTables;
    case Module::MysqlVariables:
      return kMysqlVarsTables;
    case Module::AdminVariables:
      return kAdminVarsTables;
  }
  return {};
}

Status copyModule(Db& db, Module module, Layer from, Layer to) {
  Savepoint sp(db);
  if (!sp.started().isOk()) return sp.started();
  for (const auto& t : moduleTables(module)) {
    std::string src = qualified(from, t.table);
    std::string dst = qualified(to, t.table);
    std::string sql;
    if (isVariables(module) && to == Layer::Memory) {
      sql = fmt::format("INSERT OR REPLACE INTO {} SELECT * FROM {} WHERE {}", dst, src, t.filter);
    } else {
      sql = fmt::format("DELETE FROM {1} WHERE {2}; INSERT INTO {1} SELECT * FROM {0} WHERE {2}",
                        src, dst, t.filter);
    }
    if (Status s = db.exec(sql); !s.isOk()) {
      return makeFailure(fmt::format("copying {} to {}: {}", src, dst, s.message()));
    }
  }
  return sp.release();
}

std::optional<Module> moduleOfStatement(std::string_view statement) {
  std::vector<Word> w = splitWords(statement);
  if (w.empty()) return std::nullopt;
  std::string lower = toLower(statement);
  if (iequals(w[0].text, "SET")) return variablesModule(lower);
  std::string table = targetTable(w);
  if (table == "mysql_servers" || table == "mysql_replication_hostgroups") {
    return Module::MysqlServers;
  }
  if (table == "mysql_users") return Module::MysqlUsers;
  if (table == "mysql_query_rules") return Module::MysqlQueryRules;
  if (table == "global_variables") return variablesModule(lower);
  return std::nullopt;
}

}  // namespace rwproxy::admin
