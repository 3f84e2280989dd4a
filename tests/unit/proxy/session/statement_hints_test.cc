#include "proxy/session/statement_hints.h"

#include <catch2/catch.hpp>

namespace rwproxy::session {
namespace {

using Kind = StatementHints::Kind;

TEST_CASE("SELECT LAST_INSERT_ID() alone is answered by the proxy, under its own name") {
  struct Case {
    std::string_view query;
    std::string_view column;
  };
  const Case cases[] = {
      {"SELECT LAST_INSERT_ID()", "LAST_INSERT_ID()"},
      {"select last_insert_id( ) ;", "last_insert_id( )"},
      {"SELECT @@identity", "@@identity"},
      {"SELECT @@session.last_insert_id AS id", "id"},
      {"SELECT LAST_INSERT_ID() `the id`", "the id"},
  };
  for (const auto& c : cases) {
    INFO(c.query);
    StatementHints h = inspectStatement(c.query);
    CHECK(h.kind == Kind::LastInsertId);
    CHECK(h.columnName == c.column);
  }
  for (std::string_view q :
       {"SELECT LAST_INSERT_ID() + 1", "SELECT LAST_INSERT_ID(5)", "SELECT LAST_INSERT_ID() FROM t",
        "SELECT @@global.identity", "SELECT LAST_INSERT_ID(), 1"}) {
    INFO(q);
    CHECK(inspectStatement(q).kind != Kind::LastInsertId);
  }
}

TEST_CASE("reading user variables or LAST_INSERT_ID() does not pin; writing them does") {
  StatementHints read = inspectStatement("SELECT @a, LAST_INSERT_ID() + 0");
  CHECK(read.kind == Kind::Stateless);
  CHECK(read.usesLastInsertId);
  CHECK(read.watchStateChange);
  StatementHints assign = inspectStatement("SELECT @a := 5");
  CHECK(assign.kind == Kind::Stateful);
  CHECK(std::string_view(assign.reason) == "user_variable");
  StatementHints into = inspectStatement("SELECT 1 INTO @a");
  CHECK(std::string_view(into.reason) == "user_variable");
  StatementHints sets = inspectStatement("UPDATE s SET id = LAST_INSERT_ID(id + 1)");
  CHECK(std::string_view(sets.reason) == "last_insert_id");
  StatementHints set = inspectStatement("SET @a = 1");
  CHECK(set.kind == Kind::Stateful);
  CHECK(set.isSet);
  CHECK_FALSE(inspectStatement("SET autocommit = 0").isSet);
}

}  // namespace
}  // namespace rwproxy::session
