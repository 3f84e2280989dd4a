#include "sql/classify.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

namespace rwproxy::sql {
namespace {

using K = StatementKind;

struct ClassifyCase {
  std::string_view input;
  StatementKind kind;
  // Set flags, one letter each in this order: r isRead, w isWrite, x isTransactionControl,
  // 0/1 autocommit value, R transactionReadOnly, U usesUserVariables, L userVariablesLiteralOnly,
  // C usesSqlCalcFoundRows, F usesFoundRows, I usesLastInsertId, G usesGetLock,
  // T createsTemporaryTable, M hasMultipleStatements.
  std::string_view flags;
};

std::string renderFlags(const Classification& c) {
  std::string f;
  if (c.isRead) f += 'r';
  if (c.isWrite) f += 'w';
  if (c.isTransactionControl) f += 'x';
  if (c.autocommit.has_value()) f += *c.autocommit ? '1' : '0';
  if (c.transactionReadOnly) f += 'R';
  if (c.usesUserVariables) f += 'U';
  if (c.userVariablesLiteralOnly) f += 'L';
  if (c.usesSqlCalcFoundRows) f += 'C';
  if (c.usesFoundRows) f += 'F';
  if (c.usesLastInsertId) f += 'I';
  if (c.usesGetLock) f += 'G';
  if (c.createsTemporaryTable) f += 'T';
  if (c.hasMultipleStatements) f += 'M';
  return f;
}

constexpr ClassifyCase kClassifyCases[] = {
    // Reads.
    {"SELECT 1", K::Select, "r"},
    {"select * from t", K::Select, "r"},
    {"  /* c */ SELECT 1", K::Select, "r"},
    {"-- c\nSELECT 1", K::Select, "r"},
    {"# c\nSELECT 1", K::Select, "r"},
    {"(SELECT 1) UNION (SELECT 2)", K::Select, "r"},
    {"((SELECT 1))", K::Select, "r"},
    {"/*!40001 SELECT 1 */", K::Select, "r"},
    {"SELECT /*+ MAX_EXECUTION_TIME(1) */ a FROM t", K::Select, "r"},
    {"TABLE t", K::Select, "r"},
    {"VALUES ROW(1,2)", K::Select, "r"},
    {"SELECT * FROM t WHERE a = 'FOR UPDATE'", K::Select, "r"},
    {"SELECT `for`, `update` FROM t", K::Select, "r"},
    {"SELECT * FROM t /* FOR UPDATE */", K::Select, "r"},
    {"SELECT @@version_comment LIMIT 1", K::Select, "r"},
    {"SELECT 'a;b'", K::Select, "r"},
    {"SELECT get_lock FROM t", K::Select, "r"},
    {"SELECT RELEASE_LOCK('x')", K::Select, "r"},
    {"SELECT 'GET_LOCK(' FROM t", K::Select, "r"},
    // Locking reads.
    {"SELECT * FROM t FOR UPDATE", K::LockingRead, "w"},
    {"select * from t for update nowait", K::LockingRead, "w"},
    {"SELECT * FROM t FOR SHARE", K::LockingRead, "w"},
    {"SELECT * FROM t LOCK IN SHARE MODE", K::LockingRead, "w"},
    {"SELECT COUNT(*) FROM t WHERE a = 'x' LOCK IN SHARE MODE", K::LockingRead, "w"},
    {"(SELECT * FROM t FOR UPDATE)", K::LockingRead, "w"},
    {"SELECT * FROM t WHERE a = ? FOR UPDATE", K::LockingRead, "w"},
    {"select * from t where id in (select id from u for update)", K::LockingRead, "w"},
    {"SELECT * FROM t FOR /* c */ UPDATE", K::LockingRead, "w"},
    {"SELECT 1; SELECT * FROM t FOR UPDATE", K::Select, "rM"},
    // Session-state flags.
    {"SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 10", K::Select, "rC"},
    {"SELECT FOUND_ROWS()", K::Select, "rF"},
    {"SELECT found_rows ()", K::Select, "rF"},
    {"SELECT LAST_INSERT_ID()", K::Select, "rI"},
    {"SELECT @@identity", K::Select, "rI"},
    {"SELECT @@session.last_insert_id", K::Select, "rI"},
    {"SELECT GET_LOCK('x', 10)", K::Select, "rG"},
    {"SELECT @a", K::Select, "rU"},
    {"SELECT @a := 1", K::Select, "rU"},
    {"SELECT a INTO @x FROM t", K::Select, "rU"},
    {"SELECT @`quoted`", K::Select, "rU"},
    // WITH.
    {"WITH c AS (SELECT 1) SELECT * FROM c", K::Select, "r"},
    {"WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c WHERE n < 5) SELECT * FROM c",
     K::Select, "r"},
    {"WITH a AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b", K::Select, "r"},
    {"WITH c AS (SELECT id FROM t) UPDATE t JOIN c USING (id) SET a = 1", K::Update, "w"},
    {"WITH c AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM c)", K::Delete, "w"},
    {"WITH c AS (SELECT 1) INSERT INTO t SELECT * FROM c", K::Insert, "w"},
    {"WITH c AS (SELECT 1) SELECT * FROM c FOR UPDATE", K::LockingRead, "w"},
    {"WITH c AS (SELECT 1)", K::With, "w"},
    // Writes.
    {"INSERT INTO t VALUES (1)", K::Insert, "w"},
    {"insert into t select * from u", K::Insert, "w"},
    {"INSERT INTO t VALUES (LAST_INSERT_ID())", K::Insert, "wI"},
    {"REPLACE INTO t VALUES (1)", K::Replace, "w"},
    {"UPDATE t SET a = 1", K::Update, "w"},
    {"UPDATE t SET a = @x", K::Update, "wU"},
    {"DELETE FROM t", K::Delete, "w"},
    {"LOAD DATA INFILE 'f' INTO TABLE t", K::Other, "w"},
    {"GRANT SELECT ON *.* TO 'u'@'h'", K::Other, "w"},
    {"REVOKE ALL ON db.* FROM u", K::Other, "w"},
    {"OPTIMIZE TABLE t", K::Other, "w"},
    // DDL.
    {"CREATE TABLE t (a INT)", K::Ddl, "w"},
    {"CREATE TEMPORARY TABLE t (a INT)", K::Ddl, "wT"},
    {"create temporary table if not exists t select 1", K::Ddl, "wT"},
    {"CREATE OR REPLACE TEMPORARY TABLE t (a INT)", K::Ddl, "wT"},
    {"DROP TEMPORARY TABLE t", K::Ddl, "w"},
    {"ALTER TABLE t ADD c INT", K::Ddl, "w"},
    {"DROP TABLE IF EXISTS t", K::Ddl, "w"},
    {"TRUNCATE TABLE t", K::Ddl, "w"},
    {"RENAME TABLE a TO b", K::Ddl, "w"},
    {"CREATE INDEX i ON t (a)", K::Ddl, "w"},
    {"CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END", K::Ddl, "w"},
    {"CREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN SELECT 1; END", K::Ddl, "w"},
    {"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET @x = 1; SET @y = 2; END", K::Ddl,
     "wU"},
    {"CREATE TABLE t (a INT); SELECT 1", K::Ddl, "wM"},
    // Transaction control.
    {"BEGIN", K::Begin, "x"},
    {"begin work", K::Begin, "x"},
    {"BEGIN NOT ATOMIC SELECT 1; SELECT 2; END", K::Other, ""},
    {"START TRANSACTION", K::Begin, "x"},
    {"START TRANSACTION READ ONLY", K::Begin, "xR"},
    {"START TRANSACTION READ WRITE", K::Begin, "x"},
    {"START TRANSACTION WITH CONSISTENT SNAPSHOT", K::Begin, "x"},
    {"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", K::Begin, "xR"},
    {"START SLAVE", K::Other, ""},
    {"COMMIT", K::Commit, "x"},
    {"COMMIT WORK AND NO CHAIN", K::Commit, "x"},
    {"ROLLBACK", K::Rollback, "x"},
    {"ROLLBACK WORK", K::Rollback, "x"},
    {"ROLLBACK TO SAVEPOINT s", K::Savepoint, "x"},
    {"ROLLBACK TO s", K::Savepoint, "x"},
    {"ROLLBACK WORK TO SAVEPOINT s", K::Savepoint, "x"},
    {"SAVEPOINT s", K::Savepoint, "x"},
    {"RELEASE SAVEPOINT s", K::Savepoint, "x"},
    {"RELEASE s", K::Other, ""},
    {"BEGIN; SELECT 1; COMMIT", K::Begin, "xM"},
    {"XA START 'x'", K::Other, ""},
    // SET autocommit in every spelling.
    {"SET autocommit = 0", K::SetAutocommit, "x0"},
    {"SET autocommit=1", K::SetAutocommit, "x1"},
    {"set AUTOCOMMIT = ON", K::SetAutocommit, "x1"},
    {"SET autocommit = off", K::SetAutocommit, "x0"},
    {"SET autocommit = true", K::SetAutocommit, "x1"},
    {"SET autocommit = FALSE", K::SetAutocommit, "x0"},
    {"SET autocommit := 1", K::SetAutocommit, "x1"},
    {"SET @@autocommit = 0", K::SetAutocommit, "x0"},
    {"SET @@session.autocommit = 1", K::SetAutocommit, "x1"},
    {"SET @@SESSION.AUTOCOMMIT=0", K::SetAutocommit, "x0"},
    {"SET @@local.autocommit = 0", K::SetAutocommit, "x0"},
    {"SET SESSION autocommit = 0", K::SetAutocommit, "x0"},
    {"SET LOCAL autocommit = 1", K::SetAutocommit, "x1"},
    {"SET autocommit = '0'", K::SetAutocommit, "x0"},
    {"SET autocommit = 'ON'", K::SetAutocommit, "x1"},
    {"/*!40101 SET autocommit=0 */", K::SetAutocommit, "x0"},
    {"SET /* c */ autocommit /* d */ = /* e */ 1", K::SetAutocommit, "x1"},
    {"SET autocommit = 0, autocommit = 1", K::SetAutocommit, "x1"},
    {"SET autocommit = @x", K::SetAutocommit, "xU"},
    {"SET autocommit = 2", K::SetAutocommit, "x"},
    {"SET autocommit = 0, NAMES utf8", K::Set, "x0"},
    {"SET NAMES utf8, autocommit = 1", K::Set, "x1"},
    {"SET GLOBAL autocommit = 0", K::Set, ""},
    {"SET @@global.autocommit = 0", K::Set, ""},
    {"SET autocommit = 0; SELECT 1", K::SetAutocommit, "x0M"},
    // SET TRANSACTION and other SETs.
    {"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", K::SetTransaction, "x"},
    {"SET SESSION TRANSACTION READ ONLY", K::SetTransaction, "x"},
    {"SET GLOBAL TRANSACTION ISOLATION LEVEL SERIALIZABLE", K::SetTransaction, "x"},
    {"SET NAMES utf8mb4", K::Set, ""},
    {"SET NAMES 'utf8mb4' COLLATE 'utf8mb4_bin'", K::Set, ""},
    {"SET CHARACTER SET utf8", K::Set, ""},
    {"SET sql_mode = 'STRICT_ALL_TABLES'", K::Set, ""},
    {"SET SESSION sql_mode = ''", K::Set, ""},
    {"SET sql_log_bin = 0", K::Set, ""},
    {"SET PASSWORD = 'x'", K::Set, ""},
    {"/*!40101 SET NAMES utf8 */", K::Set, ""},
    // SET of user variables: literal-only or not.
    {"SET @a = 5", K::Set, "UL"},
    {"SET @a = 5, @b = 'x'", K::Set, "UL"},
    {"SET @a := -1", K::Set, "UL"},
    {"SET @a = NULL", K::Set, "UL"},
    {"SET @a = 0x1F, @b = TRUE", K::Set, "UL"},
    {"SET @a = 'it''s'", K::Set, "UL"},
    {"SET @a = 1, sql_mode = ''", K::Set, "UL"},
    {"SET @a = 1 + 1", K::Set, "U"},
    {"SET @a = (SELECT 1)", K::Set, "U"},
    {"SET @a = @b", K::Set, "U"},
    {"SET @a = NOW()", K::Set, "U"},
    {"SET @a = 'x' COLLATE utf8mb4_bin", K::Set, "U"},
    {"SET @a = (SELECT 1), @b = 2", K::Set, "U"},
    {"SET @a = 1; SELECT @a", K::Set, "UM"},
    {"SELECT @a; SET @b = 1", K::Select, "rUM"},
    // MariaDB SET STATEMENT ... FOR <statement>.
    {"SET STATEMENT max_statement_time=10 FOR SELECT * FROM t", K::Select, "r"},
    {"SET STATEMENT max_statement_time=10 FOR UPDATE t SET a = 1", K::Update, "w"},
    {"SET STATEMENT a=1, b=(SELECT 1) FOR SELECT * FROM t FOR UPDATE", K::LockingRead, "w"},
    // Use, Show, Call, locks, prepared statements.
    {"USE db", K::Use, ""},
    {"use `my db`", K::Use, ""},
    {"SHOW TABLES", K::Show, "r"},
    {"show full processlist", K::Show, "r"},
    {"DESCRIBE t", K::Show, "r"},
    {"DESC t", K::Show, "r"},
    {"EXPLAIN SELECT * FROM t", K::Show, "r"},
    {"EXPLAIN ANALYZE SELECT * FROM t", K::Other, ""},
    {"CALL p(1)", K::Call, "w"},
    {"CALL p(@out)", K::Call, "wU"},
    {"LOCK TABLES t READ", K::Lock, ""},
    {"LOCK TABLE t WRITE, u READ", K::Lock, ""},
    {"UNLOCK TABLES", K::Unlock, ""},
    {"FLUSH TABLES WITH READ LOCK", K::Lock, ""},
    {"FLUSH TABLES t1, t2 WITH READ LOCK", K::Lock, ""},
    {"FLUSH PRIVILEGES", K::Other, ""},
    {"PREPARE s FROM 'SELECT ?'", K::Prepare, ""},
    {"PREPARE s FROM @sql", K::Prepare, "U"},
    {"EXECUTE s USING @a, @b", K::Execute, "U"},
    {"EXECUTE s", K::Execute, ""},
    {"DEALLOCATE PREPARE s", K::Deallocate, ""},
    {"DROP PREPARE s", K::Deallocate, ""},
    // Other, empty and multi-statement edge cases.
    {"KILL 5", K::Other, ""},
    {"DO GET_LOCK('l', 1)", K::Other, "G"},
    {"ANALYZE TABLE t", K::Other, ""},
    {"HANDLER t OPEN", K::Other, ""},
    {"", K::Other, ""},
    {"   ", K::Other, ""},
    {"/* only a comment */", K::Other, ""},
    {";", K::Other, ""},
    {"SELECT 1;", K::Select, "r"},
    {"SELECT 1; -- c", K::Select, "r"},
    {"SELECT 1; /* c */", K::Select, "r"},
    {"SELECT 1;;", K::Select, "r"},
    {"SELECT 1; SELECT 2", K::Select, "rM"},
    {"SELECT 1 /*! ; SELECT 2 */", K::Select, "rM"},
    {"INSERT INTO t VALUES (1); SELECT LAST_INSERT_ID()", K::Insert, "wIM"},
    {"'SELECT'", K::Other, ""},
    {"SELECT 'unterminated", K::Select, "r"},
    {"SET @a = 'unterminated", K::Set, "UL"},
};

TEST_CASE("classification table", "[sql][classify]") {
  for (const ClassifyCase& c : kClassifyCases) {
    INFO("input: " << c.input);
    const Classification got = classify(c.input);
    CHECK(statementKindName(got.kind) == statementKindName(c.kind));
    CHECK(renderFlags(got) == c.flags);
  }
}

TEST_CASE("classification with ANSI_QUOTES", "[sql][classify]") {
  TokenizerOptions ansi;
  ansi.ansiQuotes = true;
  CHECK(classify("SET \"autocommit\" = 0", ansi).autocommit == std::nullopt);
  CHECK(classify("SELECT \"a\" FROM t FOR UPDATE", ansi).kind == StatementKind::LockingRead);
}

TEST_CASE("every statement kind has a distinct name", "[sql][classify]") {
  std::set<std::string_view> names;
  for (int k = 0; k <= static_cast<int>(StatementKind::Other); ++k) {
    names.insert(statementKindName(static_cast<StatementKind>(k)));
  }
  CHECK(names.size() == static_cast<size_t>(StatementKind::Other) + 1);
}

TEST_CASE("classification survives every prefix", "[sql][classify]") {
  const std::string_view query =
      "/*!40101 SET @a = 1, autocommit = 0 */; WITH c AS (SELECT 1) SELECT SQL_CALC_FOUND_ROWS "
      "`x`, 'y\\'', GET_LOCK('l', 1) FROM t LOCK IN SHARE MODE; SET STATEMENT a=1 FOR SELECT 1";
  for (size_t n = 0; n <= query.size(); ++n) {
    const std::string prefix(query.substr(0, n));
    const Classification c = classify(prefix);
    CHECK_FALSE((c.isRead && c.isWrite));
  }
}

}  // namespace
}  // namespace rwproxy::sql

namespace rwproxy::sql {
namespace {

TEST_CASE("writes to user variables outside SET are told from reads", "[sql][classify]") {
  CHECK_FALSE(classify("SELECT @a, @b + 1 FROM t WHERE x = @c").assignsUserVariables);
  CHECK_FALSE(classify("INSERT INTO t VALUES (@a)").assignsUserVariables);
  CHECK(classify("SELECT @a := @a + 1 FROM t").assignsUserVariables);
  CHECK(classify("SELECT a, b INTO @x, @y FROM t").assignsUserVariables);
  CHECK(classify("SELECT a FROM t LIMIT 1 INTO @x").assignsUserVariables);
}

TEST_CASE("LAST_INSERT_ID(expr) is told from LAST_INSERT_ID()", "[sql][classify]") {
  Classification read = classify("INSERT INTO c (p) VALUES (LAST_INSERT_ID())");
  CHECK(read.usesLastInsertId);
  CHECK_FALSE(read.setsLastInsertId);
  CHECK(classify("UPDATE s SET id = LAST_INSERT_ID(id + 1)").setsLastInsertId);
  CHECK(classify("SELECT LAST_INSERT_ID(5)").setsLastInsertId);
}

}  // namespace
}  // namespace rwproxy::sql
