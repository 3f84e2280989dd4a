#include "sql/session_set.h"

#include <catch2/catch.hpp>

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

}  // namespace
}  // namespace rwproxy::sql
