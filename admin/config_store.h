#pragma once

// The SQLite config store: the memory layer (`main`, with the runtime_* mirrors), the disk layer
// (`disk`, the file rwproxy.db in the datadir), and the in-memory `stats` and `monitor`
// databases, all on one connection owned here.
//
// Not thread-safe: the store belongs to the admin thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/modules.h"
#include "admin/sqlite_db.h"
#include "admin/statement.h"
#include "admin/status.h"

namespace rwproxy::admin {

class AdminExecutor;

class ConfigStore {
 public:
  // Opens the store for `datadir` (created if missing).
  // - No datadir/rwproxy.db yet, or `initial`: starts from defaults, applies `configFile` (a
  //   script of admin statements; may be empty: no file) and saves everything to a new
  //   rwproxy.db. The file is written under a temporary name and renamed into place, so a
  //   failing script leaves no half-configured database behind.
  // - Otherwise: loads rwproxy.db into memory; the config file is not read.
  // Fails, naming the file (and the statement), on an unreadable or corrupt rwproxy.db, an
  // unreadable config file or a failing config statement. Never resets silently.
  static Result<ConfigStore> open(const std::string& datadir, const std::string& configFile,
                                  bool initial);

  ConfigStore(ConfigStore&&) noexcept = default;
  ConfigStore& operator=(ConfigStore&&) noexcept = default;

  Db& db() { return db_; }
  const std::string& datadir() const { return datadir_; }
  const std::string& configFile() const { return configFile_; }
  std::string diskPath() const;

  // The config file's statements; the Failure names the file.
  Result<std::vector<ScriptStatement>> readConfigFile() const;

  // Runs config-file statements through `executor`, only those configuring `only` when set.
  // Stops at the first failure, which names the file, line and statement.
  Status applyStatements(AdminExecutor& executor, const std::vector<ScriptStatement>& statements,
                         std::optional<Module> only);

  // Adds every known variable missing from main.global_variables with its default (all, or
  // those starting with `prefix`), and pins admin-version to this binary's.
  Status insertDefaultVariables(std::string_view prefix = "");

 private:
  ConfigStore(Db db, std::string datadir, std::string configFile);

  Status initialise();
  Status loadDisk();
  Status attachDisk(const std::string& path);

  Db db_;
  std::string datadir_;
  std::string configFile_;
};

}  // namespace rwproxy::admin
