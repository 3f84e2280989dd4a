#pragma once

// A thin RAII layer over SQLite's C API: one connection (Db), one prepared statement (Stmt) and
// a savepoint guard (Savepoint). Nothing here throws. Not thread-safe: a Db belongs to the admin
// thread.

#include <sqlite3.h>

#include <string>
#include <string_view>
#include <vector>

#include "admin/reply.h"
#include "admin/status.h"

namespace rwproxy::admin {

class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(stmt_); }

  sqlite3_stmt* get() const { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  // An in-memory connection (the `main` schema is the memory layer).
  static Result<Db> openInMemory();

  Db(Db&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  sqlite3* handle() const { return db_; }

  // Runs a script of statements that return no rows.
  Status exec(std::string_view sql);
  // Runs one statement with text parameters bound to ?1, ?2, ...; returns every row as text.
  Result<ResultSet> query(std::string_view sql, const Row& params = {});
  // Runs one statement as an operator typed it: a ResultSet if it has columns, else Ok with
  // the number of changed rows. Trailing text after the statement is an error.
  AdminReply run(std::string_view sql);

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  Failure lastFailure(std::string_view context) const;

  sqlite3* db_ = nullptr;
};

// RAII savepoint: rolled back unless release() succeeds. Savepoints nest, so a guarded
// operation may run inside another one; the outermost makes the change atomic on disk.
class Savepoint {
 public:
  // REQUIRES: db outlives the Savepoint.
  explicit Savepoint(Db& db);
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  ~Savepoint();

  const Status& started() const { return started_; }
  Status release();

 private:
  Db& db_;
  std::string name_;
  Status started_;
  bool open_ = false;
};

// 'text' as an SQL string literal (single quotes doubled).
std::string sqlQuote(std::string_view text);

}  // namespace rwproxy::admin
