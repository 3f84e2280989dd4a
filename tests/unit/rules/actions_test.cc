// Actions: what a matching rule sets, and how later matching rules override earlier values.
#include <catch2/catch.hpp>

#include "rules_test_util.h"

namespace rwproxy::rules::testing {
namespace {

TEST_CASE("a matching rule reports every action it sets", "[rules][actions]") {
  Harness h({{.ruleId = 1,
              .active = true,
              .matchPattern = "^SELECT",
              .destinationHostgroup = 20,
              .cacheTtl = 5000,
              .cacheEmptyResult = 0,
              .cacheTimeout = 100,
              .reconnect = 1,
              .timeout = 3000,
              .retries = 2,
              .delay = 50,
              .nextQueryFlagIn = 7,
              .mirrorFlagOut = 8,
              .mirrorHostgroup = 30,
              .stickyConn = 1,
              .multiplex = 2,
              .gtidFromHostgroup = 10,
              .log = 1}});
  const Decision d = h.eval("SELECT 1");
  CHECK(d.destinationHostgroup == 20);
  CHECK(d.cacheTtl == 5000);
  CHECK(d.cacheEmptyResult == false);
  CHECK(d.cacheTimeout == 100);
  CHECK(d.reconnect == true);
  CHECK(d.timeout == 3000);
  CHECK(d.retries == 2);
  CHECK(d.delay == 50);
  CHECK(d.nextQueryFlagIn == 7);
  CHECK(d.mirrorFlagOut == 8);
  CHECK(d.mirrorHostgroup == 30);
  CHECK(d.stickyConn == true);
  CHECK(d.multiplex == 2);
  CHECK(d.gtidFromHostgroup == 10);
  CHECK(d.log == true);
  CHECK_FALSE(d.errorMsg);
  CHECK_FALSE(d.okMsg);
  CHECK_FALSE(d.rewritten);
  CHECK(d.query == "SELECT 1");
  CHECK(d.finalFlag == 0);
}

TEST_CASE("no match leaves every action unset", "[rules][actions]") {
  Harness h({{.ruleId = 1, .active = true, .matchPattern = "^INSERT", .destinationHostgroup = 1}});
  const Decision d = h.eval("SELECT 1");
  CHECK_FALSE(d.destinationHostgroup);
  CHECK_FALSE(d.cacheTtl);
  CHECK_FALSE(d.multiplex);
  CHECK(d.matchedRuleIndexes.empty());
}

TEST_CASE("later matching rules override only what they set", "[rules][actions]") {
  Harness h({
      {.ruleId = 1, .active = true, .destinationHostgroup = 10, .cacheTtl = 100, .log = 1},
      {.ruleId = 2, .active = true, .matchPattern = "^SELECT", .destinationHostgroup = 20},
      {.ruleId = 3, .active = true, .matchPattern = "FROM hot", .cacheTtl = 900, .log = 0},
      {.ruleId = 4, .active = true, .matchPattern = "^UPDATE", .destinationHostgroup = 99},
  });
  Decision d = h.eval("SELECT * FROM hot");
  CHECK(d.destinationHostgroup == 20);
  CHECK(d.cacheTtl == 900);
  CHECK(d.log == false);
  CHECK(h.matchedIds(d) == std::vector<int>{1, 2, 3});
  d = h.eval("SELECT * FROM cold");
  CHECK(d.destinationHostgroup == 20);
  CHECK(d.cacheTtl == 100);
  CHECK(d.log == true);
  CHECK(h.hostgroup("UPDATE t SET a=1") == 99);
  CHECK(h.hostgroup("DELETE FROM t") == 10);
}

TEST_CASE("error_msg and OK_msg are reported and do not stop evaluation", "[rules][actions]") {
  Harness h({
      {.ruleId = 1, .active = true, .matchPattern = "DROP", .errorMsg = "DROP is not allowed"},
      {.ruleId = 2, .active = true, .matchPattern = "^SET sql_log_bin", .okMsg = "ignored"},
      {.ruleId = 3, .active = true, .destinationHostgroup = 5},
  });
  Decision d = h.eval("DROP TABLE t");
  REQUIRE(d.errorMsg);
  CHECK(*d.errorMsg == "DROP is not allowed");
  CHECK_FALSE(d.okMsg);
  CHECK(d.destinationHostgroup == 5);
  d = h.eval("SET sql_log_bin=0");
  REQUIRE(d.okMsg);
  CHECK(*d.okMsg == "ignored");
  CHECK_FALSE(d.errorMsg);
  CHECK(h.matchedIds(d) == std::vector<int>{2, 3});
}

TEST_CASE("the read/write split rule set routes by statement", "[rules][actions]") {
  Harness h({
      {.ruleId = 200,
       .active = true,
       .matchPattern = "^SELECT",
       .destinationHostgroup = 20,
       .apply = true},
      {.ruleId = 100,
       .active = true,
       .matchPattern = "^SELECT.*FOR UPDATE",
       .destinationHostgroup = 10,
       .apply = true},
  });
  CHECK(h.hostgroup("SELECT * FROM t WHERE id=1 FOR UPDATE") == 10);
  CHECK(h.hostgroup("select id from t for update") == 10);
  CHECK(h.hostgroup("SELECT * FROM t") == 20);
  CHECK(h.hostgroup("SELECT\n* FROM t") == 20);
  CHECK(h.hostgroup("INSERT INTO t VALUES (1)") == -1);  // the user's default hostgroup
  CHECK(h.hostgroup(" SELECT 1") == -1);                 // ^ anchors: leading space is not SELECT
  CHECK(h.matchedIds("SELECT 1 FOR UPDATE") == std::vector<int>{100});
}

}  // namespace
}  // namespace rwproxy::rules::testing
