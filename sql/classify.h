// Statement classification: what a query is (read, write, transaction control, SET, ...) and
// which session state it touches, read from its tokens without a full parser.
//
// The kind comes from the first statement's leading keywords, after skipping comments, hints and
// leading `(`, and reading inside executable comments (`/*!40101 SET NAMES utf8 */` is a SET).
// The flags (user variables, FOUND_ROWS(), GET_LOCK(), ...) cover every statement in the text,
// because a multi-statement query runs all of them on the same backend connection.
//
// No heap allocation, no exceptions; the text is read once, plus a few tokens of look-ahead.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sql/tokenizer.h"

namespace rwproxy::sql {

enum class StatementKind : uint8_t {
  Select,          // SELECT, TABLE t, VALUES ROW(..), WITH ... SELECT, (SELECT ..) UNION ..
  LockingRead,     // SELECT ... FOR UPDATE | FOR SHARE | LOCK IN SHARE MODE
  Insert,          // INSERT (also INSERT ... SELECT, WITH ... INSERT)
  Update,          // UPDATE, WITH ... UPDATE
  Delete,          // DELETE, WITH ... DELETE
  Replace,         // REPLACE
  Ddl,             // CREATE, ALTER, DROP, TRUNCATE, RENAME
  Begin,           // BEGIN [WORK], START TRANSACTION [READ ONLY|READ WRITE|WITH CONSISTENT ..]
  Commit,          // COMMIT [WORK] ...
  Rollback,        // ROLLBACK [WORK] (not ROLLBACK TO)
  Savepoint,       // SAVEPOINT x, RELEASE SAVEPOINT x, ROLLBACK [WORK] TO [SAVEPOINT] x
  SetAutocommit,   // SET [SESSION|LOCAL] autocommit = v, SET @@[session.]autocommit = v
  SetTransaction,  // SET [GLOBAL|SESSION] TRANSACTION ...
  Set,             // any other SET
  Use,             // USE db
  Show,            // SHOW ..., and DESCRIBE/DESC/EXPLAIN (informational, run nothing)
  Call,            // CALL proc(...)
  Lock,            // LOCK TABLES, LOCK INSTANCE, FLUSH TABLES ... WITH READ LOCK
  Unlock,          // UNLOCK TABLES
  Prepare,         // PREPARE s FROM '...'
  Execute,         // EXECUTE s [USING ...]
  Deallocate,      // DEALLOCATE PREPARE s, DROP PREPARE s
  With,            // WITH whose main statement was not found (treated as a write)
  Other,           // anything else, including empty input
};

struct Classification {
  StatementKind kind = StatementKind::Other;
  // Safe on a read-only replica: Select and Show.
  bool isRead = false;
  // Modifies data or takes row locks: Insert, Update, Delete, Replace, Ddl, LockingRead, Call,
  // unresolved With, and LOAD, GRANT, REVOKE, OPTIMIZE, REPAIR (kind Other).
  bool isWrite = false;
  // Begin, Commit, Rollback, Savepoint, SetTransaction, and any SET of session autocommit.
  bool isTransactionControl = false;
  // The session autocommit value a SET assigns (last one wins); empty when the statement does
  // not set it or the value is not a literal 0/1/ON/OFF/TRUE/FALSE.
  std::optional<bool> autocommit;
  bool transactionReadOnly = false;  // START TRANSACTION ... READ ONLY
  bool usesUserVariables = false;    // any @x
  // Every @x occurrence is a SET target assigned a literal (SET @a = 5, @b = 'x'): the session
  // state could be replayed instead of pinning the connection.
  bool userVariablesLiteralOnly = false;
  // A statement other than SET writes a user variable: `@x := expr` or `... INTO @x, @y`.
  bool assignsUserVariables = false;
  bool usesSqlCalcFoundRows = false;   // SQL_CALC_FOUND_ROWS
  bool usesFoundRows = false;          // FOUND_ROWS(
  bool usesLastInsertId = false;       // LAST_INSERT_ID(, @@identity, @@last_insert_id
  bool setsLastInsertId = false;       // LAST_INSERT_ID(expr): the call with an argument
  bool usesGetLock = false;            // GET_LOCK(
  bool createsTemporaryTable = false;  // CREATE [OR REPLACE] TEMPORARY TABLE
  // A `;` followed by more tokens that are not comments. Not set inside the body of CREATE
  // PROCEDURE/FUNCTION/TRIGGER/EVENT or BEGIN NOT ATOMIC, where `;` separates compound parts.
  bool hasMultipleStatements = false;
};

Classification classify(std::string_view query, TokenizerOptions options = {}) noexcept;

// "Select", "LockingRead", ... (the enumerator's name).
std::string_view statementKindName(StatementKind kind) noexcept;

}  // namespace rwproxy::sql
