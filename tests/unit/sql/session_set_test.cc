#include "sql/session_set.h"

#include <catch2/catch.hpp>

#include <algorithm>

namespace rwproxy::sql {
namespace {

using Assignments = std::vector<SessionAssignment>;

TEST_CASE("replayable SET statements give their assignments") {
  struct Case {
    std::string_view query;
    Assignments expected;
  };
  const Case cases[] = {
      {"SET sql_mode = 'ANSI'", {{"sql_mode", "'ANSI'"}}},
      {"set SESSION time_zone='+00:00';", {{"time_zone", "'+00:00'"}}},
      {"SET @@session.sql_select_limit = 10, @@max_join_size=DEFAULT",
       {{"sql_select_limit", "10"}, {"max_join_size", "DEFAULT"}}},
      {"SET LOCAL sql_safe_updates = ON", {{"sql_safe_updates", "ON"}}},
      {"SET NAMES utf8mb4", {{"names", "utf8mb4"}}},
      {"SET NAMES 'utf8mb4' COLLATE 'utf8mb4_bin'", {{"names", "'utf8mb4' COLLATE 'utf8mb4_bin'"}}},
      {"/*!40101 SET NAMES latin1 */", {{"names", "latin1"}}},
      {"SET CHARACTER SET latin1", {{"character set", "latin1"}}},
      {"SET CHARSET utf8", {{"character set", "utf8"}}},
      {"SET @a = 5, @B := 'x', @`c` = NULL, @'d' = -1.5",
       {{"@a", "5"}, {"@b", "'x'"}, {"@c", "NULL"}, {"@d", "-1.5"}}},
      {"SET NAMES utf8, character_set_results = NULL",
       {{"names", "utf8"}, {"character_set_results", "NULL"}}},
      {"SET tx_isolation = 'READ-COMMITTED'", {{"tx_isolation", "'READ-COMMITTED'"}}},
  };
  for (const auto& c : cases) {
    INFO(c.query);
    auto parsed = parseReplayableSet(c.query);
    REQUIRE(parsed);
    CHECK(*parsed == c.expected);
  }
}

TEST_CASE("SET statements the proxy cannot replay exactly are refused") {
  const std::string_view refused[] = {
      "SELECT 1",
      "SET GLOBAL sql_mode = ''",
      "SET @@global.time_zone = '+00:00'",
      "SET PERSIST max_join_size = 10",
      "SET autocommit = 0",
      "SET sql_mode = 'ANSI', autocommit = 1",
      "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
      "SET SESSION TRANSACTION READ ONLY",
      "SET STATEMENT max_statement_time = 1 FOR SELECT 1",
      "SET sql_mode = CONCAT(@@sql_mode, ',ANSI')",
      "SET @a = @b",
      "SET @a = NOW()",
      "SET @a = (SELECT 1)",
      "SET @a = col",
      "SET @a = \"double quoted\"",
      "SET @a = 'back\\\\slash'",
      "SET @a = 1 + 1",
      "SET some_unknown_variable = 1",
      "SET insert_id = 5",
      "SET last_insert_id = 5",
      "SET PASSWORD = 'x'",
      "SET ROLE admin",
      "SET sql_mode = 'a'; SELECT 1",
      "SET @a = 'unterminated",
      "SET NAMES",
      "SET",
  };
  for (std::string_view q : refused) {
    INFO(q);
    CHECK_FALSE(parseReplayableSet(q));
  }
}

TEST_CASE("SET statements with expressions name the session variables they assign") {
  using Targets = std::vector<std::string>;
  struct Case {
    std::string_view query;
    Targets expected;
  };
  const Case cases[] = {
      {"SET sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')", {"sql_mode"}},
      {"SET SESSION sql_mode=(SELECT REPLACE(@@sql_mode,'ONLY_FULL_GROUP_BY',''))", {"sql_mode"}},
      {"SET time_zone = @@global.time_zone", {"time_zone"}},
      {"SET @@session.max_join_size = 1000*1000", {"max_join_size"}},
      {"set LOCAL SQL_MODE = replace(@@SESSION.sql_mode, 'ANSI', '');", {"sql_mode"}},
      {"SET @@local.sql_select_limit = IF(@limit IS NULL, 10, @limit + 1), max_join_size = 5",
       {"sql_select_limit", "max_join_size"}},
      {"SET sql_mode = CONCAT(@@sql_mode, ',A'), sql_mode = CONCAT(@@sql_mode, ',B')",
       {"sql_mode"}},
      {"SET group_concat_max_len = GREATEST(@@group_concat_max_len, 1 << 20)",
       {"group_concat_max_len"}},
      {"SET sql_safe_updates = NOT @@sql_safe_updates, sql_select_limit = DEFAULT",
       {"sql_safe_updates", "sql_select_limit"}},
      {"SET time_zone = CASE WHEN @@time_zone IN ('SYSTEM', '+00:00') THEN '+01:00' END",
       {"time_zone"}},
      {"/*!40101 SET sql_mode = IFNULL(CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO'), '') */",
       {"sql_mode"}},
      {"SET sql_mode = 'ANSI'", {"sql_mode"}},
  };
  for (const auto& c : cases) {
    INFO(c.query);
    auto parsed = parseTrackedSet(c.query);
    REQUIRE(parsed);
    CHECK(*parsed == c.expected);
  }
}

TEST_CASE("SET statements whose effect the server cannot fully report are refused") {
  const std::string_view refused[] = {
      "SELECT CONCAT(@@sql_mode, 'x')",
      "SET @a = CONCAT(@@sql_mode, 'x')",
      "SET sql_mode = CONCAT(@@sql_mode, 'x'), @a = 1",
      "SET GLOBAL sql_mode = CONCAT(@@sql_mode, 'x')",
      "SET @@global.max_join_size = 1000*1000",
      "SET PERSIST max_join_size = 1000*1000",
      "SET some_unknown_variable = 1 + 1",
      "SET autocommit = IF(1, 0, 1)",
      "SET sql_mode = CONCAT(@@sql_mode, 'x'), autocommit = 0",
      "SET NAMES utf8mb4, sql_mode = CONCAT(@@sql_mode, 'x')",
      "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
      "SET STATEMENT max_statement_time = 1 FOR SELECT 1",
      // Anything that could change more than the target: assignments, tables, stored
      // functions (qualified, unknown, or a built-in name followed by a space), locks.
      "SET sql_mode = (@m := 'ANSI')",
      "SET sql_mode = (SELECT mode FROM modes LIMIT 1)",
      "SET sql_mode = (SELECT 'ANSI' INTO @x)",
      "SET sql_mode = my_function()",
      "SET sql_mode = rwtest.concat('a')",
      "SET sql_mode = CONCAT ('a')",
      "SET sql_mode = `concat`('a')",
      "SET time_zone = END('x')",
      "SET sql_select_limit = GET_LOCK('x', 0)",
      "SET sql_select_limit = LAST_INSERT_ID(5)",
      "SET sql_mode = column_name + 1",
      "SET sql_mode = ?",
      // Malformed.
      "SET sql_mode = CONCAT(@@sql_mode, 'x'",
      "SET sql_mode = CONCAT(@@sql_mode, 'x'))",
      "SET sql_mode = 'unterminated",
      "SET sql_mode =",
      "SET sql_mode",
      "SET sql_mode = CONCAT('a'); SELECT 1",
      "SET",
  };
  for (std::string_view q : refused) {
    INFO(q);
    CHECK_FALSE(parseTrackedSet(q));
  }
}

TEST_CASE("a value the server reports replays as a literal giving the same value") {
  CHECK(replayableLiteral("max_join_size", "1000000") == "1000000");
  CHECK(replayableLiteral("max_join_size", "18446744073709551615") == "18446744073709551615");
  CHECK(replayableLiteral("long_query_time", "10.000000") == "10.000000");
  CHECK(replayableLiteral("auto_increment_offset", "-1") == "-1");
  CHECK(replayableLiteral("sql_mode", "PIPES_AS_CONCAT,STRICT_TRANS_TABLES") ==
        "'PIPES_AS_CONCAT,STRICT_TRANS_TABLES'");
  CHECK(replayableLiteral("time_zone", "+01:00") == "'+01:00'");
  CHECK(replayableLiteral("time_zone", "1.") == "'1.'");
  CHECK(replayableLiteral("time_zone", "-") == "'-'");
  CHECK(replayableLiteral("lc_time_names", "it's") == "'it''s'");
  CHECK(replayableLiteral("sql_mode", "") == "''");
  CHECK(replayableLiteral("character_set_results", "") == "NULL");
  CHECK(replayableLiteral("default_tmp_storage_engine", "") == "NULL");
  CHECK_FALSE(replayableLiteral("time_zone", ""));
  CHECK_FALSE(replayableLiteral("time_zone", "a\\b"));
  CHECK_FALSE(replayableLiteral("time_zone", "a\nb"));
  CHECK_FALSE(replayableLiteral("lc_messages", "caf\xc3\xa9"));
}

TEST_CASE("the replayable variables are listed sorted and each is recognised") {
  auto all = replayableVariables();
  REQUIRE(all.size() > 40);
  CHECK(std::is_sorted(all.begin(), all.end()));
  for (std::string_view name : all) {
    CHECK(isReplayableVariable(name));
  }
  CHECK_FALSE(isReplayableVariable("autocommit"));
}

}  // namespace
}  // namespace rwproxy::sql
