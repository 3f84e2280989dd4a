#include "admin/admin_executor.h"

#include <fmt/format.h>

#include "admin/commands.h"
#include "admin/config_store.h"
#include "admin/statement.h"

namespace rwproxy::admin {

AdminExecutor::AdminExecutor(ConfigStore& store, AdminHooks hooks)
    : store_(store),
      hooks_(std::move(hooks)),
      runtime_(std::make_shared<const config::Runtime>()),
      admin_(std::make_shared<const AdminRuntime>()) {}

AdminReply AdminExecutor::execute(std::string_view statement) {
  std::string_view text = stripStatement(statement);
  if (text.empty()) return makeFailure("Query was empty", 1065, "42000");
  for (const Command& cmd : commands()) {
    if (auto args = matchPattern(cmd.pattern, text)) {
      args->flag = cmd.flag;
      if (auto reply = (this->*cmd.handler)(*args)) return std::move(*reply);
      break;  // the handler declined: plain SQL
    }
  }
  if (isAdminVerb(text)) {
    return makeFailure(fmt::format("unrecognised admin command: {}", text), 1064, "42000");
  }
  return runSql(text);
}

AdminReply AdminExecutor::runSql(std::string_view sql) {
  if (std::vector<std::string> tables = statsTablesIn(sql); !tables.empty()) {
    refreshStats(std::move(tables));
  }
  return store_.db().run(sql);
}

void AdminExecutor::refreshStats(std::vector<std::string> tables) {
  if (!hooks_.statsProvider) return;
  StatsSink sink(store_.db(), std::move(tables));
  hooks_.statsProvider(sink);
}

Status AdminExecutor::loadAllToRuntime() { return publishModules(kAllModules); }

// Builds a draft from the live runtime with `modules` replaced, validates it whole, and only
// then swaps it in: a failure leaves everything as it was.
Status AdminExecutor::publishModules(std::span<const Module> modules) {
  RuntimeDraft draft{*runtime_, *admin_, runtimeVariables_};
  bool touchesRuntime = false;
  bool touchesAdmin = false;
  bool touchesRules = false;
  for (Module m : modules) {
    if (Status s = buildModule(store_.db(), m, draft); !s.isOk()) return s;
    (m == Module::AdminVariables ? touchesAdmin : touchesRuntime) = true;
    touchesRules = touchesRules || m == Module::MysqlQueryRules;
  }
  if (touchesRules && hooks_.validateRules) {
    if (auto failure = hooks_.validateRules(draft.runtime)) return *failure;
  }
  runtimeVariables_ = std::move(draft.variables);
  if (touchesRuntime) {
    draft.runtime.version = runtime_->version + 1;
    runtime_ = std::make_shared<const config::Runtime>(std::move(draft.runtime));
    if (hooks_.publish) hooks_.publish(runtime_);
  }
  if (touchesAdmin) {
    admin_ = std::make_shared<const AdminRuntime>(std::move(draft.admin));
    if (hooks_.publishAdmin) hooks_.publishAdmin(admin_);
  }
  for (Module m : modules) {
    // The runtime is live already; a failure here only leaves a stale runtime_* table.
    if (Status s = refreshRuntimeTables(m); !s.isOk()) return s;
  }
  return Status::ok();
}

// runtime_* tables mirror what was just published: the validated memory rows, with values in
// their canonical form (status upper case; variables as parsed).
Status AdminExecutor::refreshRuntimeTables(Module module) {
  Db& db = store_.db();
  if (module != Module::MysqlVariables && module != Module::AdminVariables) {
    if (Status s = copyModule(db, module, Layer::Memory, Layer::Runtime); !s.isOk()) return s;
    if (module != Module::MysqlServers) return Status::ok();
    return db.exec("UPDATE main.runtime_mysql_servers SET status = UPPER(status)");
  }
  std::string prefix = module == Module::MysqlVariables ? "mysql-" : "admin-";
  Savepoint sp(db);
  auto del = db.query("DELETE FROM main.runtime_global_variables WHERE variable_name LIKE ?1",
                      {prefix + "%"});
  if (!del) return del.status();
  for (const auto& [name, value] : runtimeVariables_) {
    if (!name.starts_with(prefix)) continue;
    auto r = db.query("INSERT INTO main.runtime_global_variables VALUES (?1, ?2)", {name, value});
    if (!r) return r.status();
  }
  return sp.release();
}

}  // namespace rwproxy::admin
