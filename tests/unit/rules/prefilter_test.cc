// The prefilters (RE2::Set per flag group, exact-key indexes) must never change a decision:
// large sets give the same answer as small ones, and random sets the same as a plain scan.
#include <catch2/catch.hpp>
#include <random>

#include "rules/prefilter.h"
#include "rules_test_util.h"

namespace rwproxy::rules::testing {
namespace {

std::vector<Row> manyRulesLastMatching(int count) {
  std::vector<Row> rows;
  for (int i = 1; i < count; ++i) {
    rows.push_back({.ruleId = i,
                    .active = true,
                    .matchPattern = "^SELECT .* FROM table_" + std::to_string(i) + "\\b",
                    .destinationHostgroup = 1000 + i,
                    .apply = true});
  }
  rows.push_back({.ruleId = count,
                  .active = true,
                  .matchPattern = "^SELECT .* FROM orders",
                  .destinationHostgroup = 20,
                  .cacheTtl = 500,
                  .apply = true});
  return rows;
}

TEST_CASE("1,000 rules with the last matching decide as 1 rule does", "[rules][prefilter]") {
  Harness one(manyRulesLastMatching(1));
  Harness many(manyRulesLastMatching(1000));
  for (const char* query : {"SELECT id FROM orders WHERE id=1", "SELECT 1", "UPDATE orders"}) {
    INFO(query);
    const Decision a = one.eval(query);
    const Decision b = many.eval(query);
    CHECK(a.destinationHostgroup == b.destinationHostgroup);
    CHECK(a.cacheTtl == b.cacheTtl);
    CHECK(one.matchedIds(a).size() == many.matchedIds(b).size());
  }
  CHECK(many.matchedIds("SELECT id FROM orders") == std::vector<int>{1000});
  CHECK(many.hostgroup("SELECT a FROM table_500 WHERE x") == 1500);
  CHECK(many.hostgroup("SELECT a FROM table_5000") == -1);  // \b: not table_5, table_500
}

TEST_CASE("1,000 regex-free rules keyed by username", "[rules][prefilter]") {
  std::vector<Row> rows;
  for (int i = 1; i <= 1000; ++i) {
    rows.push_back({.ruleId = i,
                    .active = true,
                    .username = "user" + std::to_string(i),
                    .destinationHostgroup = i,
                    .apply = true});
  }
  rows.push_back({.ruleId = 2000, .active = true, .destinationHostgroup = 0});
  Harness h(rows);
  CHECK(h.hostgroup("SELECT 1", {.user = "user1"}) == 1);
  CHECK(h.hostgroup("SELECT 1", {.user = "user777"}) == 777);
  CHECK(h.hostgroup("SELECT 1", {.user = "nobody"}) == 0);
}

// Random rule sets over small value pools, so that filters overlap and chains, negations and
// rewrites interact; the prefiltered engine must agree with the plain scan on every query.
Row randomRow(std::mt19937& rng, int id) {
  const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  static const char* kPatterns[] = {
      "^SELECT", "FROM t1", "for update$", "id\\s*=", "t[0-9]", "^(UPDATE|DELETE)", "x"};
  static const char* kDigests[] = {"^SELECT", "= \\?", "FROM t2"};
  Row r{.ruleId = id, .active = pick(8) != 0, .flagIn = pick(3)};
  if (pick(4) == 0) r.username = pick(2) ? "app" : "other";
  if (pick(6) == 0) r.schemaname = "shop";
  if (pick(6) == 0) r.clientAddr = pick(2) ? "10.0.%" : "10.0.0.7";
  if (pick(3) != 0) r.matchPattern = kPatterns[pick(7)];
  if (pick(5) == 0) r.matchDigest = kDigests[pick(3)];
  r.negateMatchPattern = pick(6) == 0;
  r.reModifiers = pick(4) == 0 ? "" : (pick(3) == 0 ? "CASELESS,GLOBAL" : "CASELESS");
  if (r.matchPattern && pick(8) == 0) r.replacePattern = "t9";
  if (pick(4) == 0) r.flagOut = pick(3);
  if (pick(2) == 0) r.destinationHostgroup = id;
  if (pick(4) == 0) r.cacheTtl = id;
  r.apply = pick(5) == 0;
  return r;
}

TEST_CASE("prefiltered evaluation equals a plain scan", "[rules][prefilter]") {
  std::mt19937 rng(20240607);
  const char* queries[] = {"SELECT * FROM t1 WHERE id = 1",
                           "select a from t2 for update",
                           "UPDATE t3 SET x=1 WHERE id=2",
                           "DELETE FROM t1",
                           "SELECT 1",
                           "INSERT INTO t2 VALUES (1)",
                           "SELECT x FROM T1 WHERE ID=3"};
  const Who whos[] = {{}, {.user = "other", .client = "10.0.9.9"}, {.schema = "none"}};
  int compared = 0;
  int matched = 0;
  int rewritten = 0;
  int switched = 0;
  for (int set = 0; set < 200; ++set) {
    std::vector<Row> rows;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 1; i <= n; ++i) rows.push_back(randomRow(rng, i * 10));
    // Every third set gets a budget too small for any RE2::Set: the engine must notice and
    // fall back to each rule's own regex.
    const CompileOptions options{.prefilterMaxMem = set % 3 == 0 ? 1024 : (64 << 20)};
    Harness fast(rows, options);
    Harness plain(rows, {.prefilter = false});
    for (const char* q : queries) {
      for (const Who& who : whos) {
        const Decision a = fast.eval(q, who);
        const Decision b = plain.eval(q, who);
        const bool same = fast.matchedIds(a) == plain.matchedIds(b) &&
                          a.destinationHostgroup == b.destinationHostgroup &&
                          a.cacheTtl == b.cacheTtl && a.query == b.query &&
                          a.finalFlag == b.finalFlag && a.flagLoopStopped == b.flagLoopStopped;
        if (!same) {
          FAIL_CHECK("rule set " << set << " query " << q << " user " << who.user);
        }
        ++compared;
        matched += a.matchedRuleIndexes.empty() ? 0 : 1;
        rewritten += a.rewritten ? 1 : 0;
        switched += a.finalFlag != who.flagIn ? 1 : 0;
      }
    }
  }
  CHECK(compared == 200 * 7 * 3);
  // The sets exercise what they should: matches, rewrites and flag changes all occur.
  INFO("matched " << matched << " rewritten " << rewritten << " switched " << switched);
  CHECK(matched > compared / 2);
  CHECK(rewritten > compared / 50);
  CHECK(switched > compared / 20);
}

}  // namespace
}  // namespace rwproxy::rules::testing

namespace rwproxy::rules {
namespace {

TEST_CASE("PatternSet reports each hit, per-pattern case", "[rules][prefilter]") {
  PatternSet set;
  CHECK(set.add("^SELECT", true) == 0);
  CHECK(set.add("FROM t$", false) == 1);
  CHECK(set.add("nothing", true) == 2);
  set.compile();
  std::vector<int> hits;
  uint64_t bits[1] = {~uint64_t{0}};
  REQUIRE(set.match("select * FROM t", hits, bits));
  CHECK(PatternSet::test(bits, 0));
  CHECK(PatternSet::test(bits, 1));
  CHECK_FALSE(PatternSet::test(bits, 2));
  REQUIRE(set.match("select * from t", hits, bits));
  CHECK(PatternSet::test(bits, 0));
  CHECK_FALSE(PatternSet::test(bits, 1));
}

TEST_CASE("PatternSet that cannot be built declines to answer", "[rules][prefilter]") {
  PatternSet tiny(1024);
  tiny.add("^SELECT .* FROM (a|b|c)+ WHERE", true);
  tiny.compile();
  std::vector<int> hits;
  uint64_t bits[1];
  CHECK_FALSE(tiny.match("SELECT 1", hits, bits));
  PatternSet empty;
  empty.compile();
  CHECK_FALSE(empty.match("SELECT 1", hits, bits));
}

}  // namespace
}  // namespace rwproxy::rules
