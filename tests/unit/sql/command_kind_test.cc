#include "sql/command_kind.h"

#include <catch2/catch.hpp>

using rwproxy::sql::CommandKind;
using rwproxy::sql::commandKindOf;
using rwproxy::sql::commandName;
using rwproxy::sql::kCommandKindCount;

TEST_CASE("first keywords name the command") {
  CHECK(commandKindOf("SELECT 1") == CommandKind::Select);
  CHECK(commandKindOf("  select * from t") == CommandKind::Select);
  CHECK(commandKindOf("(SELECT 1) UNION (SELECT 2)") == CommandKind::Select);
  CHECK(commandKindOf("WITH x AS (SELECT 1) SELECT * FROM x") == CommandKind::Select);
  CHECK(commandKindOf("INSERT INTO t VALUES (1)") == CommandKind::Insert);
  CHECK(commandKindOf("update t set a=1") == CommandKind::Update);
  CHECK(commandKindOf("DELETE FROM t") == CommandKind::Delete);
  CHECK(commandKindOf("REPLACE INTO t VALUES (1)") == CommandKind::Replace);
  CHECK(commandKindOf("BEGIN") == CommandKind::Begin);
  CHECK(commandKindOf("START TRANSACTION READ ONLY") == CommandKind::StartTransaction);
  CHECK(commandKindOf("COMMIT") == CommandKind::Commit);
  CHECK(commandKindOf("ROLLBACK") == CommandKind::Rollback);
  CHECK(commandKindOf("SAVEPOINT a") == CommandKind::Savepoint);
  CHECK(commandKindOf("SET autocommit=0") == CommandKind::Set);
  CHECK(commandKindOf("USE db") == CommandKind::Use);
  CHECK(commandKindOf("SHOW TABLES") == CommandKind::Show);
  CHECK(commandKindOf("show table status like 't'") == CommandKind::ShowTableStatus);
  CHECK(commandKindOf("DESC t") == CommandKind::Describe);
  CHECK(commandKindOf("EXPLAIN SELECT 1") == CommandKind::Explain);
  CHECK(commandKindOf("CALL p()") == CommandKind::Call);
  CHECK(commandKindOf("KILL 5") == CommandKind::Kill);
  CHECK(commandKindOf("TRUNCATE TABLE t") == CommandKind::TruncateTable);
}

TEST_CASE("DDL is told apart by its object") {
  CHECK(commandKindOf("CREATE TABLE t (a INT)") == CommandKind::CreateTable);
  CHECK(commandKindOf("CREATE TEMPORARY TABLE t (a INT)") == CommandKind::CreateTemporary);
  CHECK(commandKindOf("CREATE UNIQUE INDEX i ON t (a)") == CommandKind::CreateIndex);
  CHECK(commandKindOf("CREATE OR REPLACE VIEW v AS SELECT 1") == CommandKind::CreateView);
  CHECK(commandKindOf("CREATE DEFINER=`u`@`h` TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET "
                      "@a = 1") == CommandKind::CreateTrigger);
  CHECK(commandKindOf("CREATE DATABASE d") == CommandKind::CreateDatabase);
  CHECK(commandKindOf("CREATE SCHEMA d") == CommandKind::CreateDatabase);
  CHECK(commandKindOf("CREATE USER u") == CommandKind::CreateUser);
  CHECK(commandKindOf("CREATE PROCEDURE p() SELECT 1") == CommandKind::Unknown);
  CHECK(commandKindOf("ALTER TABLE t ADD b INT") == CommandKind::AlterTable);
  CHECK(commandKindOf("ALTER ONLINE TABLE t ADD b INT") == CommandKind::AlterTable);
  CHECK(commandKindOf("ALTER ALGORITHM=MERGE VIEW v AS SELECT 1") == CommandKind::AlterView);
  CHECK(commandKindOf("DROP TABLE IF EXISTS t") == CommandKind::DropTable);
  CHECK(commandKindOf("DROP TEMPORARY TABLE t") == CommandKind::DropTable);
  CHECK(commandKindOf("DROP PREPARE s") == CommandKind::Deallocate);
  CHECK(commandKindOf("DROP FUNCTION f") == CommandKind::Unknown);
  CHECK(commandKindOf("LOCK TABLES t READ") == CommandKind::LockTable);
  CHECK(commandKindOf("UNLOCK TABLES") == CommandKind::UnlockTables);
  CHECK(commandKindOf("RENAME TABLE a TO b") == CommandKind::RenameTable);
  CHECK(commandKindOf("RESET SLAVE") == CommandKind::ResetSlave);
  CHECK(commandKindOf("CHANGE MASTER TO MASTER_HOST='h'") == CommandKind::ChangeMaster);
}

TEST_CASE("comments and executable comments are seen through") {
  CHECK(commandKindOf("/* app=web */ SELECT 1") == CommandKind::Select);
  CHECK(commandKindOf("-- note\nINSERT INTO t VALUES (1)") == CommandKind::Insert);
  CHECK(commandKindOf("/*!40101 SET NAMES utf8 */") == CommandKind::Set);
}

TEST_CASE("anything else is UNKNOWN, never None") {
  CHECK(commandKindOf("") == CommandKind::Unknown);
  CHECK(commandKindOf("   ") == CommandKind::Unknown);
  CHECK(commandKindOf("HELLO world") == CommandKind::Unknown);
  CHECK(commandKindOf("'SELECT'") == CommandKind::Unknown);
  CHECK(commandKindOf("START SLAVE") == CommandKind::Unknown);
  CHECK(commandKindOf("CREATE") == CommandKind::Unknown);
}

TEST_CASE("every command has ProxySQL's name") {
  CHECK(commandName(CommandKind::None).empty());
  CHECK(commandName(CommandKind::Select) == "SELECT");
  CHECK(commandName(CommandKind::ShowTableStatus) == "SHOW_TABLE_STATUS");
  CHECK(commandName(CommandKind::StartTransaction) == "START_TRANSACTION");
  CHECK(commandName(CommandKind::Unknown) == "UNKNOWN");
  for (size_t k = 1; k < kCommandKindCount; ++k) {
    CHECK_FALSE(commandName(static_cast<CommandKind>(k)).empty());
  }
}
