// LOAD / SAVE between the three layers (memory, runtime, disk) and from the config file.

#include <fmt/format.h>

#include "admin/admin_executor.h"
#include "admin/commands.h"
#include "admin/config_store.h"

namespace rwproxy::admin {

namespace {

AdminReply okOrFailure(const Status& s) {
  if (!s.isOk()) return s.failure();
  return Ok{};
}

}  // namespace

std::optional<AdminReply> AdminExecutor::loadToRuntime(const CommandArgs& args) {
  const Module modules[] = {args.module};
  return okOrFailure(publishModules(modules));
}

std::optional<AdminReply> AdminExecutor::saveToMemory(const CommandArgs& args) {
  return okOrFailure(copyModule(store_.db(), args.module, Layer::Runtime, Layer::Memory));
}

std::optional<AdminReply> AdminExecutor::loadFromDisk(const CommandArgs& args) {
  return okOrFailure(copyModule(store_.db(), args.module, Layer::Disk, Layer::Memory));
}

std::optional<AdminReply> AdminExecutor::saveToDisk(const CommandArgs& args) {
  // copyModule runs in one savepoint, i.e. one transaction on the disk file.
  return okOrFailure(copyModule(store_.db(), args.module, Layer::Memory, Layer::Disk));
}

// Replaces the module's memory rows with what the config file's statements for that module
// produce; all or nothing.
std::optional<AdminReply> AdminExecutor::loadFromConfig(const CommandArgs& args) {
  if (store_.configFile().empty()) {
    return makeFailure("LOAD ... FROM CONFIG: rwproxy was started without a config file");
  }
  auto statements = store_.readConfigFile();
  if (!statements) return statements.failure();
  Db& db = store_.db();
  Savepoint sp(db);
  if (!sp.started().isOk()) return sp.started().failure();
  for (const auto& t : moduleTables(args.module)) {
    Status s = db.exec(fmt::format("DELETE FROM main.{} WHERE {}", t.table, t.filter));
    if (!s.isOk()) return s.failure();
  }
  if (args.module == Module::MysqlVariables || args.module == Module::AdminVariables) {
    Status s =
        store_.insertDefaultVariables(args.module == Module::MysqlVariables ? "mysql-" : "admin-");
    if (!s.isOk()) return s.failure();
  }
  if (Status s = store_.applyStatements(*this, *statements, args.module); !s.isOk()) {
    return s.failure();
  }
  return okOrFailure(sp.release());
}

}  // namespace rwproxy::admin
