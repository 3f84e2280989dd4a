#include "proxy/session/session_vars.h"

#include <catch2/catch.hpp>

namespace rwproxy::session {
namespace {

SessionVars varsOf(std::string_view setStatement) {
  SessionVars v;
  auto parsed = sql::parseReplayableSet(setStatement);
  REQUIRE(parsed);
  v.apply(*parsed);
  return v;
}

std::string syncSql(const SessionVars& to, const SessionVars& from, uint8_t collation = 45) {
  std::string out;
  REQUIRE(to.appendSyncFrom(from, collation, out));
  return out;
}

TEST_CASE("a fresh connection gets exactly the client's assignments") {
  SessionVars client = varsOf("SET time_zone = '+01:00', NAMES latin1, @a = 5, sql_mode = ''");
  CHECK(syncSql(client, SessionVars()) ==
        "NAMES latin1, @a = 5, sql_mode = '', time_zone = '+01:00'");
  CHECK(syncSql(client, client).empty());
  CHECK(syncSql(SessionVars(), SessionVars()).empty());
}

TEST_CASE("only what differs is sent, and what the client lacks is undone") {
  SessionVars conn = varsOf("SET time_zone = '+01:00', @a = 5, @b = 6, sql_select_limit = 10");
  SessionVars client = varsOf("SET time_zone = '+01:00', @a = 7");
  CHECK(syncSql(client, conn) == "@a = 7, @b = NULL, sql_select_limit = DEFAULT");
}

TEST_CASE("DEFAULT forgets a variable; the last assignment wins") {
  SessionVars v = varsOf("SET sql_mode = 'ANSI', time_zone = '+01:00'");
  v.apply(*sql::parseReplayableSet("SET sql_mode = DEFAULT, time_zone = '+02:00'"));
  REQUIRE(v.size() == 1);
  CHECK(v.entries()[0] == sql::SessionAssignment{"time_zone", "'+02:00'"});
}

TEST_CASE("SET NAMES replaces the charset variables set before it") {
  SessionVars v = varsOf("SET character_set_results = NULL, collation_connection = 'utf8_bin'");
  v.apply(*sql::parseReplayableSet("SET NAMES utf8mb4"));
  REQUIRE(v.size() == 1);
  CHECK(v.entries()[0].name == "names");
  v.apply(*sql::parseReplayableSet("SET character_set_results = NULL"));
  CHECK(syncSql(v, SessionVars()) == "NAMES utf8mb4, character_set_results = NULL");
}

TEST_CASE("undoing a charset goes back to the login collation") {
  SessionVars conn = varsOf("SET NAMES latin1");
  CHECK(syncSql(SessionVars(), conn, 45) == "NAMES utf8mb4 COLLATE utf8mb4_general_ci");
  SessionVars client = varsOf("SET character_set_results = NULL");
  CHECK(syncSql(client, conn, 33) ==
        "NAMES utf8 COLLATE utf8_general_ci, character_set_results = NULL");
  // A login collation we cannot name: the connection cannot be brought back.
  std::string out;
  CHECK_FALSE(SessionVars().appendSyncFrom(conn, 200, out));
  // ...unless the client's own NAMES replaces it anyway.
  CHECK(syncSql(varsOf("SET NAMES utf8mb4"), conn, 200) == "NAMES utf8mb4");
}

}  // namespace
}  // namespace rwproxy::session
