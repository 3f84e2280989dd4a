// apply, flagIN/flagOUT chains, and loop protection.
#include <catch2/catch.hpp>

#include "rules_test_util.h"

namespace rwproxy::rules::testing {
namespace {

using Ids = std::vector<int>;

TEST_CASE("apply=0 falls through, apply=1 stops", "[rules][flags]") {
  Harness h({
      {.ruleId = 1, .active = true, .matchPattern = "^SELECT", .destinationHostgroup = 1},
      {.ruleId = 2,
       .active = true,
       .matchPattern = "FROM t",
       .destinationHostgroup = 2,
       .apply = true},
      {.ruleId = 3, .active = true, .destinationHostgroup = 3},
  });
  CHECK(h.matchedIds("SELECT * FROM t") == Ids{1, 2});
  CHECK(h.hostgroup("SELECT * FROM t") == 2);
  CHECK(h.matchedIds("SELECT * FROM u") == Ids{1, 3});
  CHECK(h.hostgroup("SELECT * FROM u") == 3);
}

TEST_CASE("two-level chain: flagOUT moves evaluation to that flag's rules", "[rules][flags]") {
  Harness h({
      // Flag 1's rules come first by rule_id: after the switch they still run, from the top.
      {.ruleId = 1,
       .active = true,
       .flagIn = 1,
       .matchPattern = "^SELECT",
       .destinationHostgroup = 20,
       .apply = true},
      {.ruleId = 2, .active = true, .flagIn = 1, .destinationHostgroup = 10, .apply = true},
      {.ruleId = 10, .active = true, .username = "reporting", .flagOut = 1},
      {.ruleId = 11, .active = true, .destinationHostgroup = 99},
  });
  const Decision d = h.eval("SELECT 1", {.user = "reporting"});
  CHECK(d.destinationHostgroup == 20);
  CHECK(d.finalFlag == 1);
  CHECK(h.matchedIds(d) == Ids{10, 1});
  CHECK(h.matchedIds("UPDATE t SET a=1", {.user = "reporting"}) == Ids{10, 2});
  // Other users stay on flag 0 and reach rule 11.
  CHECK(h.matchedIds("SELECT 1") == Ids{11});
  CHECK(h.eval("SELECT 1").finalFlag == 0);
}

TEST_CASE("three-level chain", "[rules][flags]") {
  Harness h({
      {.ruleId = 1, .active = true, .schemaname = "shop", .flagOut = 100},
      {.ruleId = 2,
       .active = true,
       .flagIn = 100,
       .matchPattern = "^SELECT",
       .flagOut = 200,
       .cacheTtl = 10},
      {.ruleId = 3, .active = true, .flagIn = 100, .destinationHostgroup = 1, .apply = true},
      {.ruleId = 4,
       .active = true,
       .flagIn = 200,
       .matchPattern = "FROM orders",
       .destinationHostgroup = 30,
       .apply = true},
      {.ruleId = 5, .active = true, .flagIn = 200, .destinationHostgroup = 20},
  });
  Decision d = h.eval("SELECT * FROM orders");
  CHECK(h.matchedIds(d) == Ids{1, 2, 4});
  CHECK(d.destinationHostgroup == 30);
  CHECK(d.cacheTtl == 10);
  CHECK(d.finalFlag == 200);
  CHECK(h.matchedIds("SELECT * FROM items") == Ids{1, 2, 5});
  CHECK(h.matchedIds("DELETE FROM items") == Ids{1, 3});
  CHECK(h.matchedIds("SELECT 1", {.schema = "other"}).empty());
}

TEST_CASE("flagOUT equal to the current flag does not restart", "[rules][flags]") {
  Harness h({
      {.ruleId = 1, .active = true, .flagOut = 0, .destinationHostgroup = 1},
      {.ruleId = 2, .active = true, .cacheTtl = 5},
  });
  CHECK(h.matchedIds("SELECT 1") == Ids{1, 2});
}

TEST_CASE("flagOUT to a flag without rules ends evaluation there", "[rules][flags]") {
  Harness h({
      {.ruleId = 1, .active = true, .flagOut = 42, .destinationHostgroup = 1},
      {.ruleId = 2, .active = true, .destinationHostgroup = 2},
  });
  const Decision d = h.eval("SELECT 1");
  CHECK(d.destinationHostgroup == 1);
  CHECK(d.finalFlag == 42);
  CHECK_FALSE(d.flagLoopStopped);
}

TEST_CASE("apply=1 with flagOUT sets the flag and stops", "[rules][flags]") {
  Harness h({
      {.ruleId = 1, .active = true, .flagOut = 1, .apply = true},
      {.ruleId = 2, .active = true, .flagIn = 1, .destinationHostgroup = 2},
  });
  const Decision d = h.eval("SELECT 1");
  CHECK(d.finalFlag == 1);
  CHECK_FALSE(d.destinationHostgroup);
  CHECK(h.matchedIds(d) == Ids{1});
}

TEST_CASE("a flag loop stops at the first revisit", "[rules][flags]") {
  Harness h({
      {.ruleId = 1, .active = true, .flagOut = 1, .destinationHostgroup = 1},
      {.ruleId = 2, .active = true, .flagIn = 1, .flagOut = 0, .destinationHostgroup = 2},
  });
  const Decision d = h.eval("SELECT 1");
  CHECK(d.flagLoopStopped);
  CHECK(d.destinationHostgroup == 2);
  CHECK(d.finalFlag == 0);
  CHECK(h.matchedIds(d) == Ids{1, 2});
}

TEST_CASE("ctx.flagIn (next_query_flagIN) selects the starting rules", "[rules][flags]") {
  Harness h({
      {.ruleId = 1, .active = true, .destinationHostgroup = 1, .nextQueryFlagIn = 5},
      {.ruleId = 2, .active = true, .flagIn = 5, .destinationHostgroup = 10},
  });
  const Decision first = h.eval("INSERT INTO t VALUES (1)");
  CHECK(first.destinationHostgroup == 1);
  REQUIRE(first.nextQueryFlagIn == 5);
  const Decision second = h.eval("SELECT 1", {.flagIn = 5});
  CHECK(second.destinationHostgroup == 10);
  CHECK_FALSE(second.nextQueryFlagIn);
  CHECK(h.hostgroup("SELECT 1", {.flagIn = 6}) == -1);
}

TEST_CASE("mirror and multiplex actions follow the chain", "[rules][flags]") {
  Harness h({
      {.ruleId = 1, .active = true, .matchPattern = "^SELECT", .flagOut = 3, .multiplex = 0},
      {.ruleId = 2,
       .active = true,
       .flagIn = 3,
       .mirrorFlagOut = 9,
       .mirrorHostgroup = 40,
       .multiplex = 1},
  });
  const Decision d = h.eval("SELECT @a");
  CHECK(d.mirrorHostgroup == 40);
  CHECK(d.mirrorFlagOut == 9);
  CHECK(d.multiplex == 1);
}

}  // namespace
}  // namespace rwproxy::rules::testing
