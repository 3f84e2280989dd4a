#include "admin/config_store.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "admin/admin_executor.h"
#include "admin/schema.h"
#include "admin/variables.h"
#include "rwproxy/version.h"

namespace rwproxy::admin {

namespace fs = std::filesystem;

namespace {

std::string shorten(std::string_view text) {
  constexpr size_t kMax = 200;
  return text.size() <= kMax ? std::string(text) : fmt::format("{}...", text.substr(0, kMax));
}

}  // namespace

ConfigStore::ConfigStore(Db db, std::string datadir, std::string configFile)
    : db_(std::move(db)), datadir_(std::move(datadir)), configFile_(std::move(configFile)) {}

std::string ConfigStore::diskPath() const { return (fs::path(datadir_) / "rwproxy.db").string(); }

Result<ConfigStore> ConfigStore::open(const std::string& datadir, const std::string& configFile,
                                      bool initial) {
  auto db = Db::openInMemory();
  if (!db) return db.failure();
  if (Status s = createMemorySchema(*db); !s.isOk()) return s;
  ConfigStore store(std::move(db).value(), datadir, configFile);
  if (Status s = store.insertDefaultVariables(); !s.isOk()) return s;
  std::error_code ec;
  fs::create_directories(datadir, ec);
  if (ec) return makeFailure(fmt::format("cannot create datadir {}: {}", datadir, ec.message()));
  bool exists = fs::exists(store.diskPath(), ec);
  Status s = (!exists || initial) ? store.initialise() : store.loadDisk();
  if (!s.isOk()) return s;
  return store;
}

Status ConfigStore::attachDisk(const std::string& path) {
  auto r = db_.query("ATTACH DATABASE ?1 AS disk", {path});
  if (!r) return makeFailure(fmt::format("cannot open {}: {}", path, r.failure().message));
  // ATTACH is lazy: read the file now so that a corrupt one fails here, by name.
  auto check = db_.query("PRAGMA disk.quick_check");
  std::string problem;
  if (!check) {
    problem = check.failure().message;
  } else if (check->rows.empty() || check->rows[0][0] != "ok") {
    problem = check->rows.empty() ? "integrity check failed" : check->rows[0][0].value_or("");
  }
  if (!problem.empty()) {
    (void)db_.exec("DETACH DATABASE disk");
    return makeFailure(fmt::format("cannot read {}: {}", path, problem));
  }
  return createDiskTables(db_);
}

Status ConfigStore::loadDisk() {
  if (Status s = attachDisk(diskPath()); !s.isOk()) return s;
  for (Module m : kAllModules) {
    if (Status s = copyModule(db_, m, Layer::Disk, Layer::Memory); !s.isOk()) {
      return makeFailure(fmt::format("loading {}: {}", diskPath(), s.message()));
    }
  }
  return insertDefaultVariables();
}

// Builds the new rwproxy.db under a temporary name and renames it into place only when the
// whole config script succeeded.
Status ConfigStore::initialise() {
  std::string final = diskPath();
  std::string temp = final + ".new";
  std::error_code ec;
  fs::remove(temp, ec);
  auto fail = [&](Status s) {
    (void)db_.exec("DETACH DATABASE disk");
    fs::remove(temp, ec);
    return s;
  };
  if (Status s = attachDisk(temp); !s.isOk()) return fail(s);
  if (!configFile_.empty()) {
    auto statements = readConfigFile();
    if (!statements) return fail(statements.status());
    AdminExecutor executor(*this, AdminHooks{});
    if (Status s = applyStatements(executor, *statements, std::nullopt); !s.isOk()) {
      return fail(s);
    }
  }
  if (Status s = insertDefaultVariables(); !s.isOk()) return fail(s);
  for (Module m : kAllModules) {
    if (Status s = copyModule(db_, m, Layer::Memory, Layer::Disk); !s.isOk()) return fail(s);
  }
  if (Status s = db_.exec("DETACH DATABASE disk"); !s.isOk()) return fail(s);
  fs::rename(temp, final, ec);
  if (ec) {
    fs::remove(temp, ec);
    return makeFailure(fmt::format("cannot create {}: {}", final, ec.message()));
  }
  return attachDisk(final);
}

Result<std::vector<ScriptStatement>> ConfigStore::readConfigFile() const {
  std::ifstream in(configFile_, std::ios::binary);
  if (!in) {
    return makeFailure(
        fmt::format("cannot read config file {}: {}", configFile_, std::strerror(errno)));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return makeFailure(fmt::format("cannot read config file {}", configFile_));
  auto statements = splitScript(buf.str());
  if (!statements) {
    return makeFailure(
        fmt::format("config file {}: {}", configFile_, statements.failure().message));
  }
  return statements;
}

Status ConfigStore::applyStatements(AdminExecutor& executor,
                                    const std::vector<ScriptStatement>& statements,
                                    std::optional<Module> only) {
  for (const auto& st : statements) {
    if (only && moduleOfStatement(st.text) != only) continue;
    AdminReply reply = executor.execute(st.text);
    if (const auto* f = std::get_if<Failure>(&reply)) {
      return makeFailure(fmt::format("config file {}, line {}: {}: {}", configFile_, st.line,
                                     shorten(st.text), f->message),
                         f->code, f->sqlState);
    }
  }
  return Status::ok();
}

Status ConfigStore::insertDefaultVariables(std::string_view prefix) {
  for (const auto& def : variableDefs()) {
    if (!def.name.starts_with(prefix)) continue;
    const char* sql = def.readOnly ? "INSERT OR REPLACE INTO main.global_variables VALUES (?1, ?2)"
                                   : "INSERT OR IGNORE INTO main.global_variables VALUES (?1, ?2)";
    auto r = db_.query(sql, {std::string(def.name), defaultValue(def)});
    if (!r) return r.status();
  }
  return Status::ok();
}

}  // namespace rwproxy::admin
