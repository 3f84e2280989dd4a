#pragma once

// The admin command engine: everything the admin port does except the network. The listener
// hands it one statement's text and sends back the AdminReply as MySQL packets.
//
// Statements are either admin commands, recognised from a table (LOAD/SAVE, SHOW, SET, the
// mysql client's start-up SELECTs, PROXYSQL ...), or SQL run against the config store.
//
// Not thread-safe: one executor lives on the admin thread. The snapshots it publishes are
// immutable and may be read from any thread.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "admin/admin_runtime.h"
#include "admin/modules.h"
#include "admin/reply.h"
#include "admin/runtime_builder.h"
#include "admin/stats_sink.h"
#include "admin/status.h"
#include "proxy/config/runtime.h"

namespace rwproxy::admin {

class ConfigStore;

// Dependencies supplied by the caller. Every hook may be empty.
struct AdminHooks {
  // Receives every new config::Runtime after a successful LOAD ... TO RUNTIME.
  std::function<void(config::RuntimePtr)> publish;
  // Receives every new AdminRuntime after LOAD ADMIN VARIABLES TO RUNTIME.
  std::function<void(AdminRuntimePtr)> publishAdmin;
  // Extra validation of a candidate runtime's query rules (RE2 compilation); a Failure rejects
  // the LOAD and keeps the old runtime live.
  std::function<std::optional<Failure>(const config::Runtime&)> validateRules;
  // Refreshes the stats tables just before a statement that reads them.
  std::function<void(StatsSink&)> statsProvider;
  // PROXYSQL FLUSH QUERY CACHE.
  std::function<void()> flushQueryCache;
  // PROXYSQL SHUTDOWN [SLOW]: the caller starts its orderly shutdown.
  std::function<void()> shutdown;
};

struct CommandArgs;

class AdminExecutor {
 public:
  // REQUIRES: store outlives the executor and does not move while it lives.
  // The runtime starts empty (version 0) until loadAllToRuntime().
  AdminExecutor(ConfigStore& store, AdminHooks hooks);

  // Runs one statement (an optional trailing ';' is fine).
  AdminReply execute(std::string_view statement);

  // Start-up: builds and validates every module from the memory layer and publishes it once
  // (runtime and admin runtime). On failure nothing is published.
  [[nodiscard]] Status loadAllToRuntime();

  config::RuntimePtr runtime() const { return runtime_; }
  AdminRuntimePtr adminRuntime() const { return admin_; }

  // Used by the command table (commands.cc).
  using Handler = std::optional<AdminReply> (AdminExecutor::*)(const CommandArgs&);

 private:
  struct Command;
  static std::span<const Command> commands();

  // Layers (layer_commands.cc).
  std::optional<AdminReply> loadToRuntime(const CommandArgs& args);
  std::optional<AdminReply> saveToMemory(const CommandArgs& args);
  std::optional<AdminReply> loadFromDisk(const CommandArgs& args);
  std::optional<AdminReply> saveToDisk(const CommandArgs& args);
  std::optional<AdminReply> loadFromConfig(const CommandArgs& args);
  Status publishModules(std::span<const Module> modules);
  Status refreshRuntimeTables(Module module);

  // SHOW (show_commands.cc).
  std::optional<AdminReply> showDatabases(const CommandArgs& args);
  std::optional<AdminReply> showTables(const CommandArgs& args);
  std::optional<AdminReply> showCreateTable(const CommandArgs& args);
  std::optional<AdminReply> showProcesslist(const CommandArgs& args);
  std::optional<AdminReply> showConfigTable(const CommandArgs& args);
  std::optional<AdminReply> showVariables(const CommandArgs& args);
  std::optional<AdminReply> showStatus(const CommandArgs& args);

  // Session-level statements (session_commands.cc).
  std::optional<AdminReply> set(const CommandArgs& args);
  std::optional<AdminReply> selectSessionValues(const CommandArgs& args);
  std::optional<AdminReply> proxysqlCommand(const CommandArgs& args);

  AdminReply runSql(std::string_view sql);
  void refreshStats(std::vector<std::string> tables);

  ConfigStore& store_;
  AdminHooks hooks_;
  config::RuntimePtr runtime_;
  AdminRuntimePtr admin_;
  VariableValues runtimeVariables_;
};

}  // namespace rwproxy::admin
