// Statements a MySQL client sends on its own (SET NAMES, SELECT @@version_comment, ...), the
// ProxySQL-style `SET mysql-x = value`, and PROXYSQL commands.

#include <fmt/format.h>

#include <cctype>

#include "admin/admin_executor.h"
#include "admin/commands.h"
#include "admin/config_store.h"
#include "admin/statement.h"
#include "admin/variables.h"
#include "rwproxy/version.h"

namespace rwproxy::admin {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Harmless answers to `SELECT @@x` for the session variables connectors ask about at start-up.
std::optional<std::string> sessionVariable(std::string_view name) {
  struct Entry {
    std::string_view name;
    std::string_view value;
  };
  static constexpr Entry kValues[] = {
      {"auto_increment_increment", "1"},
      {"autocommit", "1"},
      {"character_set_client", "utf8mb4"},
      {"character_set_connection", "utf8mb4"},
      {"character_set_database", "utf8mb4"},
      {"character_set_results", "utf8mb4"},
      {"character_set_server", "utf8mb4"},
      {"collation_connection", "utf8mb4_general_ci"},
      {"collation_database", "utf8mb4_general_ci"},
      {"collation_server", "utf8mb4_general_ci"},
      {"init_connect", ""},
      {"interactive_timeout", "28800"},
      {"lower_case_table_names", "0"},
      {"max_allowed_packet", "67108864"},
      {"net_buffer_length", "16384"},
      {"net_write_timeout", "60"},
      {"query_cache_size", "0"},
      {"query_cache_type", "OFF"},
      {"sql_mode", ""},
      {"system_time_zone", "UTC"},
      {"time_zone", "SYSTEM"},
      {"transaction_isolation", "REPEATABLE-READ"},
      {"tx_isolation", "REPEATABLE-READ"},
      {"transaction_read_only", "0"},
      {"tx_read_only", "0"},
      {"wait_timeout", "28800"},
  };
  for (const auto& e : kValues) {
    if (iequals(e.name, name)) return std::string(e.value);
  }
  return std::nullopt;
}

// Drops a trailing "LIMIT n" (the mysql client sends `select @@version_comment limit 1`).
std::string_view dropLimit(std::string_view text) {
  auto words = splitWords(text);
  if (words.size() >= 2 && iequals(words[words.size() - 2].text, "LIMIT")) {
    return trim(text.substr(0, words[words.size() - 2].offset));
  }
  return text;
}

std::vector<std::string_view> splitItems(std::string_view text) {
  std::vector<std::string_view> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = std::min(text.find(',', start), text.size());
    items.push_back(trim(text.substr(start, end - start)));
    start = end + 1;
  }
  return items;
}

}  // namespace

std::optional<AdminReply> AdminExecutor::set(const CommandArgs& args) {
  std::string_view rest = trim(args.rest);
  size_t nameEnd = 0;
  while (nameEnd < rest.size() && rest[nameEnd] != '=' &&
         std::isspace(static_cast<unsigned char>(rest[nameEnd])) == 0) {
    ++nameEnd;
  }
  std::string name = toLower(rest.substr(0, nameEnd));
  if (!name.starts_with("mysql-") && !name.starts_with("admin-")) {
    return Ok{};  // SET NAMES, SET autocommit, SET SESSION ...: nothing to do on the admin port
  }
  std::string_view after = trim(rest.substr(nameEnd));
  if (!after.starts_with('=') || trim(after.substr(1)).empty()) {
    return makeFailure(fmt::format("syntax error: expected SET {} = value", name), 1064, "42000");
  }
  std::string_view raw = trim(after.substr(1));
  size_t used = raw.size();
  std::string value =
      (raw.front() == '\'' || raw.front() == '"') ? unquote(raw, &used) : std::string(raw);
  if (used != raw.size()) return makeFailure("syntax error after the quoted value", 1064, "42000");
  const VariableDef* def = findVariable(name);
  if (def == nullptr) {
    return makeFailure(fmt::format("Unknown system variable '{}'", name), kErUnknownSystemVariable,
                       "HY000");
  }
  if (def->readOnly) {
    return makeFailure(fmt::format("Variable '{}' is a read only variable", def->name), 1238,
                       "HY000");
  }
  auto parsed = parseValue(*def, value);
  if (!parsed) return parsed.failure();
  auto r = store_.db().query("INSERT OR REPLACE INTO main.global_variables VALUES (?1, ?2)",
                             {std::string(def->name), parsed->s});
  if (!r) return r.failure();
  return Ok{1, ""};
}

std::optional<AdminReply> AdminExecutor::selectSessionValues(const CommandArgs& args) {
  ResultSet rs;
  Row row;
  for (std::string_view item : splitItems(dropLimit(trim(args.rest)))) {
    auto words = splitWords(item);
    if (words.empty() || words.size() > 3) return std::nullopt;
    std::string_view alias = words[0].text;
    if (words.size() == 2) alias = words[1].text;
    if (words.size() == 3) {
      if (!iequals(words[1].text, "AS")) return std::nullopt;
      alias = words[2].text;
    }
    std::string expr = toLower(words[0].text);
    std::optional<std::string> value;
    if (expr.starts_with("@@")) {
      std::string name = expr.substr(2);
      for (std::string_view scope : {"session.", "global.", "local."}) {
        if (name.starts_with(scope)) name = name.substr(scope.size());
      }
      if (name == "version_comment") {
        value = fmt::format("rwproxy admin {}", kVersion);
      } else if (name == "version") {
        value = kVersion;
      } else {
        value = sessionVariable(name);  // unknown: NULL rather than an error
      }
    } else if (expr == "database()" || expr == "schema()") {
      value = "main";
    } else if (expr == "user()" || expr == "current_user()" || expr == "session_user()" ||
               expr == "system_user()" || expr == "current_user") {
      std::string user = admin_->adminCredentials.empty() ? std::string("admin")
                                                          : admin_->adminCredentials[0].user;
      value = user + "@localhost";
    } else if (expr == "version()") {
      value = kVersion;
    } else if (expr == "connection_id()") {
      value = "0";
    } else {
      return std::nullopt;  // not a session query: let SQLite run it
    }
    rs.columns.push_back(unquote(alias));
    row.push_back(std::move(value));
  }
  rs.rows.push_back(std::move(row));
  return rs;
}

std::optional<AdminReply> AdminExecutor::proxysqlCommand(const CommandArgs& args) {
  if (args.flag == 0) {
    if (hooks_.flushQueryCache) hooks_.flushQueryCache();
  } else if (hooks_.shutdown) {
    hooks_.shutdown();
  }
  return Ok{};
}

}  // namespace rwproxy::admin
