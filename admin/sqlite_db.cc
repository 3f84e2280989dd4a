#include "admin/sqlite_db.h"

#include <fmt/format.h>

#include <atomic>

namespace rwproxy::admin {

namespace {

std::optional<std::string> columnText(sqlite3_stmt* stmt, int i) {
  if (sqlite3_column_type(stmt, i) == SQLITE_NULL) {
    return std::nullopt;
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
}

// True when only whitespace, semicolons and comments remain.
bool onlyTrailingNoise(std::string_view tail) {
  while (!tail.empty()) {
    if (tail.front() == ' ' || tail.front() == '\t' || tail.front() == '\n' ||
        tail.front() == '\r' || tail.front() == ';') {
      tail.remove_prefix(1);
    } else if (tail.starts_with("--") || tail.starts_with("#")) {
      auto nl = tail.find('\n');
      tail.remove_prefix(nl == std::string_view::npos ? tail.size() : nl);
    } else if (tail.starts_with("/*")) {
      auto end = tail.find("*/");
      if (end == std::string_view::npos) {
        return false;
      }
      tail.remove_prefix(end + 2);
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Result<Db> Db::openInMemory() {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Db db(raw);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) {
    return makeFailure(fmt::format("cannot open SQLite: {}", sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Db::~Db() { sqlite3_close_v2(db_); }

Failure Db::lastFailure(std::string_view context) const {
  std::string msg = sqlite3_errmsg(db_);
  return makeFailure(context.empty() ? msg : fmt::format("{}: {}", context, msg));
}

Status Db::exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return makeFailure(msg);
  }
  return Status::ok();
}

Result<ResultSet> Db::query(std::string_view sql, const Row& params) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    return lastFailure("");
  }
  Stmt stmt(raw);
  for (size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i) + 1;
    int rc = params[i] ? sqlite3_bind_text(raw, idx, params[i]->data(),
                                           static_cast<int>(params[i]->size()), SQLITE_TRANSIENT)
                       : sqlite3_bind_null(raw, idx);
    if (rc != SQLITE_OK) {
      return lastFailure("bind");
    }
  }
  ResultSet rs;
  int n = sqlite3_column_count(raw);
  for (int i = 0; i < n; ++i) {
    rs.columns.emplace_back(sqlite3_column_name(raw, i));
  }
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    Row row;
    row.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      row.push_back(columnText(raw, i));
    }
    rs.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) {
    return lastFailure("");
  }
  return rs;
}

AdminReply Db::run(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail) != SQLITE_OK) {
    return lastFailure("");
  }
  Stmt stmt(raw);
  if (raw == nullptr) {
    return makeFailure("empty statement", 1065, "42000");  // ER_EMPTY_QUERY
  }
  if (!onlyTrailingNoise(sql.substr(static_cast<size_t>(tail - sql.data())))) {
    return makeFailure("only one statement per query is supported");
  }
  stmt = Stmt();  // finalize: query() prepares it again with the same text
  int64_t before = sqlite3_total_changes64(db_);
  auto rs = query(sql.substr(0, static_cast<size_t>(tail - sql.data())));
  if (!rs) {
    return rs.failure();
  }
  if (!rs->columns.empty()) {
    return std::move(rs).value();
  }
  // The delta of total_changes, not sqlite3_changes(): DDL leaves the latter stale.
  return Ok{static_cast<uint64_t>(sqlite3_total_changes64(db_) - before), ""};
}

Savepoint::Savepoint(Db& db) : db_(db) {
  static std::atomic<uint64_t> counter{0};
  name_ = fmt::format("rwproxy_sp{}", counter++);
  started_ = db_.exec(fmt::format("SAVEPOINT {}", name_));
  open_ = started_.isOk();
}

Savepoint::~Savepoint() {
  if (open_) {
    // ROLLBACK TO undoes the work; RELEASE then ends the (now empty) savepoint.
    (void)db_.exec(fmt::format("ROLLBACK TO {0}; RELEASE {0}", name_));
  }
}

Status Savepoint::release() {
  if (!open_) {
    return started_;
  }
  Status s = db_.exec(fmt::format("RELEASE {}", name_));
  if (s.isOk()) {
    open_ = false;
  }
  return s;
}

std::string sqlQuote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') {
      out += '\'';
    }
  }
  out += '\'';
  return out;
}

}  // namespace rwproxy::admin
