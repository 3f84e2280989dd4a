#include "admin/commands.h"

#include <catch2/catch.hpp>

using namespace rwproxy::admin;

TEST_CASE("patterns match case-insensitively with any whitespace", "[commands]") {
  auto m = matchPattern("LOAD {module} TO RUNTIME|RUN", "load   mysql\tquery\nrules to run");
  REQUIRE(m);
  CHECK(m->module == Module::MysqlQueryRules);
  CHECK(matchPattern("LOAD {module} TO RUNTIME|RUN", "LOAD ADMIN VARIABLES TO RUNTIME"));
  CHECK_FALSE(matchPattern("LOAD {module} TO RUNTIME|RUN", "LOAD MYSQL RULES TO RUNTIME"));
  CHECK_FALSE(matchPattern("LOAD {module} TO RUNTIME|RUN", "LOAD MYSQL USERS TO RUNTIME NOW"));
  CHECK_FALSE(matchPattern("LOAD {module} TO RUNTIME|RUN", "LOAD MYSQL USERS TO"));
}

TEST_CASE("{rest} captures the remaining text", "[commands]") {
  auto m = matchPattern("SHOW TABLES {rest}", "show tables from stats like 'x%'");
  REQUIRE(m);
  CHECK(m->rest == "from stats like 'x%'");
  m = matchPattern("SHOW TABLES {rest}", "SHOW TABLES");
  REQUIRE(m);
  CHECK(m->rest.empty());
}

TEST_CASE("admin verbs are recognised", "[commands]") {
  CHECK(isAdminVerb("load something"));
  CHECK(isAdminVerb("SAVE x"));
  CHECK(isAdminVerb("proxysql whatever"));
  CHECK_FALSE(isAdminVerb("SELECT 1"));
  CHECK_FALSE(isAdminVerb("loader"));
}
