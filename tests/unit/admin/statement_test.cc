#include "admin/statement.h"

#include <catch2/catch.hpp>

using namespace rwproxy::admin;

TEST_CASE("stripStatement removes comments, whitespace and trailing semicolons", "[statement]") {
  CHECK(stripStatement("  LOAD MYSQL USERS TO RUNTIME ;; \n") == "LOAD MYSQL USERS TO RUNTIME");
  CHECK(stripStatement("/* hi */ -- x\n# y\n SELECT 1;") == "SELECT 1");
  CHECK(stripStatement(" ;  ").empty());
}

TEST_CASE("splitWords keeps offsets", "[statement]") {
  auto w = splitWords("  SHOW \t TABLES\nFROM stats");
  REQUIRE(w.size() == 4);
  CHECK(w[1].text == "TABLES");
  CHECK(w[3].offset == 21);
}

TEST_CASE("splitScript handles comments, blank lines and multi-line statements", "[statement]") {
  const char* script =
      "# rwproxy config\n"
      "\n"
      "-- servers\n"
      "INSERT INTO mysql_servers (hostgroup_id, hostname)\n"
      "  VALUES (0, 'db1');  /* trailing */\n"
      "SET mysql-threads = 2;\n"
      "INSERT INTO mysql_users (username, password) VALUES ('a;b', 'it''s # not a comment');\n"
      "LOAD MYSQL SERVERS TO RUNTIME";
  auto r = splitScript(script);
  REQUIRE(r.isOk());
  const auto& st = r.value();
  REQUIRE(st.size() == 4);
  CHECK(st[0].line == 4);
  CHECK(st[0].text.find("VALUES (0, 'db1')") != std::string::npos);
  CHECK(st[1].text == "SET mysql-threads = 2");
  CHECK(st[1].line == 6);
  CHECK(st[2].text.find("'it''s # not a comment'") != std::string::npos);
  CHECK(st[3].text == "LOAD MYSQL SERVERS TO RUNTIME");
  CHECK(st[3].line == 8);
}

TEST_CASE("splitScript rejects unterminated quotes and comments", "[statement]") {
  auto r = splitScript("SELECT 1;\nINSERT INTO t VALUES ('oops);\n");
  REQUIRE_FALSE(r.isOk());
  CHECK(r.failure().message.find("line 2") != std::string::npos);
  CHECK_FALSE(splitScript("SELECT 1; /* never closed").isOk());
}

TEST_CASE("unquote", "[statement]") {
  size_t used = 0;
  CHECK(unquote("'a''b' rest", &used) == "a'b");
  CHECK(used == 6);
  CHECK(unquote("`tbl`") == "tbl");
  CHECK(unquote("plain rest", &used) == "plain");
  CHECK(used == 5);
}
