// SHOW commands: databases, tables, CREATE TABLE, processlist, config tables, variables, status.

#include <fmt/format.h>

#include <algorithm>

#include "admin/admin_executor.h"
#include "admin/commands.h"
#include "admin/config_store.h"
#include "admin/statement.h"

namespace rwproxy::admin {

namespace {

constexpr const char* kDatabaseList = "SELECT seq, name, file FROM pragma_database_list";

// The attached databases, so that user-supplied names are checked before reaching SQL text.
std::vector<std::string> databaseNames(Db& db) {
  std::vector<std::string> names;
  if (auto rs = db.query(kDatabaseList)) {
    for (const auto& row : rs->rows) names.push_back(row[1].value_or(""));
  }
  return names;
}

bool known(const std::vector<std::string>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(), [&](const auto& n) { return iequals(n, name); });
}

AdminReply toReply(Result<ResultSet> rs) {
  if (!rs) return rs.failure();
  return std::move(rs).value();
}

// "[FROM|IN db] [LIKE 'pattern']"
struct ShowFilter {
  std::string database = "main";
  std::optional<std::string> like;
};

std::optional<ShowFilter> parseShowFilter(std::string_view rest, bool allowFrom) {
  ShowFilter f;
  auto words = splitWords(rest);
  size_t i = 0;
  if (allowFrom && i + 1 < words.size() &&
      (iequals(words[i].text, "FROM") || iequals(words[i].text, "IN"))) {
    f.database = unquote(words[i + 1].text);
    i += 2;
  }
  if (i + 1 < words.size() && iequals(words[i].text, "LIKE")) {
    size_t used = 0;
    f.like = unquote(rest.substr(words[i + 1].offset), &used);
    std::string_view after = stripStatement(rest.substr(words[i + 1].offset + used));
    if (!after.empty()) return std::nullopt;
    return f;
  }
  if (i != words.size()) return std::nullopt;
  return f;
}

Failure syntaxError(std::string_view what) {
  return makeFailure(fmt::format("syntax error in {}", what), 1064, "42000");
}

}  // namespace

std::optional<AdminReply> AdminExecutor::showDatabases(const CommandArgs&) {
  // A fixed order (ProxySQL's), whatever the order in which the databases were attached.
  return toReply(store_.db().query(
      "SELECT row_number() OVER (ORDER BY o) - 1 AS seq, name, file FROM (SELECT name, file, "
      "CASE name WHEN 'main' THEN 0 WHEN 'disk' THEN 1 WHEN 'stats' THEN 2 WHEN 'monitor' THEN 3 "
      "ELSE 4 END AS o FROM pragma_database_list WHERE name <> 'temp') ORDER BY o"));
}

std::optional<AdminReply> AdminExecutor::showTables(const CommandArgs& args) {
  auto filter = parseShowFilter(args.rest, true);
  if (!filter) return syntaxError("SHOW TABLES [FROM db] [LIKE 'pattern']");
  if (!known(databaseNames(store_.db()), filter->database)) {
    return makeFailure(fmt::format("Unknown database '{}'", filter->database), 1049, "42000");
  }
  std::string sql = fmt::format(
      "SELECT name AS tables FROM \"{}\".sqlite_master WHERE type = 'table' AND name NOT LIKE "
      "'sqlite_%' AND (?1 IS NULL OR name LIKE ?1) ORDER BY name",
      filter->database);
  return toReply(store_.db().query(sql, {filter->like}));
}

std::optional<AdminReply> AdminExecutor::showCreateTable(const CommandArgs& args) {
  std::string_view rest = stripStatement(args.rest);
  std::string name = unquote(rest);
  std::vector<std::string> schemas = {"main", "disk", "stats", "monitor"};
  if (size_t dot = name.find('.'); dot != std::string::npos && rest.front() != '`') {
    schemas = {name.substr(0, dot)};
    name = unquote(name.substr(dot + 1));
  } else if (size_t qdot = rest.find("`.`"); qdot != std::string_view::npos) {
    schemas = {unquote(rest.substr(0, qdot + 1))};
    name = unquote(rest.substr(qdot + 2));
  }
  auto names = databaseNames(store_.db());
  for (const auto& schema : schemas) {
    if (!known(names, schema)) continue;
    auto rs = store_.db().query(
        fmt::format("SELECT name AS \"Table\", sql AS \"Create Table\" FROM \"{}\".sqlite_master "
                    "WHERE type = 'table' AND name = ?1",
                    schema),
        {name});
    if (!rs) return rs.failure();
    if (!rs->rows.empty()) return std::move(rs).value();
  }
  return makeFailure(fmt::format("Table '{}' doesn't exist", name), 1146, "42S02");
}

std::optional<AdminReply> AdminExecutor::showProcesslist(const CommandArgs& args) {
  refreshStats({"stats_mysql_processlist"});
  std::string info = args.flag == 1 ? "info" : "SUBSTR(info, 1, 100) AS info";
  return toReply(
      store_.db().query(fmt::format("SELECT SessionID, user, db, hostgroup, command, time_ms, {} "
                                    "FROM stats.stats_mysql_processlist ORDER BY SessionID",
                                    info)));
}

std::optional<AdminReply> AdminExecutor::showConfigTable(const CommandArgs& args) {
  const char* table = args.flag == 0 ? "mysql_servers" : "mysql_users";
  return toReply(store_.db().query(fmt::format("SELECT * FROM main.{}", table)));
}

std::optional<AdminReply> AdminExecutor::showVariables(const CommandArgs& args) {
  std::optional<std::string> like;
  if (args.flag == 1) like = "mysql-%";
  if (args.flag == 2) like = "admin-%";
  if (args.flag == 0) {
    auto filter = parseShowFilter(args.rest, false);
    if (!filter) return syntaxError("SHOW VARIABLES [LIKE 'pattern']");
    like = filter->like;
  }
  return toReply(store_.db().query(
      "SELECT variable_name AS Variable_name, variable_value AS Value FROM main.global_variables "
      "WHERE ?1 IS NULL OR variable_name LIKE ?1 ORDER BY variable_name",
      {like}));
}

std::optional<AdminReply> AdminExecutor::showStatus(const CommandArgs&) {
  refreshStats({"stats_mysql_global"});
  return toReply(
      store_.db().query("SELECT Variable_Name AS Variable_name, Variable_Value AS Value "
                        "FROM stats.stats_mysql_global ORDER BY Variable_Name"));
}

}  // namespace rwproxy::admin
