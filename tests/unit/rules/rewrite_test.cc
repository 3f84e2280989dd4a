// replace_pattern: first vs GLOBAL, groups, chaining, and the text later rules see.
#include <catch2/catch.hpp>

#include "rules_test_util.h"

namespace rwproxy::rules::testing {
namespace {

struct RewriteCase {
  std::string_view pattern;
  std::string_view replace;
  std::string_view modifiers;
  std::string_view query;
  std::string_view expected;
};

TEST_CASE("replace_pattern rewrites the query", "[rules][rewrite]") {
  const RewriteCase cases[] = {
      {"t1", "t2", "CASELESS", "SELECT * FROM t1 JOIN t1", "SELECT * FROM t2 JOIN t1"},
      {"t1", "t2", "CASELESS,GLOBAL", "SELECT * FROM t1 JOIN T1", "SELECT * FROM t2 JOIN t2"},
      {"t1", "t2", "GLOBAL", "SELECT * FROM t1 JOIN T1", "SELECT * FROM t2 JOIN T1"},
      {"^SELECT (.*) FROM (\\w+)", "SELECT \\1 FROM archive.\\2", "", "SELECT a, b FROM logs",
       "SELECT a, b FROM archive.logs"},
      {"(\\d+)", "<\\1>", "GLOBAL", "SELECT 1, 22, 333", "SELECT <1>, <22>, <333>"},
      {"(\\d+)", "[\\0]", "", "LIMIT 10", "LIMIT [10]"},
      {"\\s+", " ", "GLOBAL", "SELECT  a,\n\tb   FROM t", "SELECT a, b FROM t"},
      {"x*", "-", "GLOBAL", "ab", "-a-b-"},
      {"(a)|(b)", "[\\1\\2]", "GLOBAL", "abc", "[a][b]c"},  // unmatched group is empty
      {"back", "\\\\slash", "", "back", "\\slash"},
      {"^", "/* hint */ ", "", "SELECT 1", "/* hint */ SELECT 1"},
      {"SQL_NO_CACHE ", "", "", "SELECT SQL_NO_CACHE 1", "SELECT 1"},
      {"nomatch", "x", "", "SELECT 1", "SELECT 1"},
  };
  for (const auto& c : cases) {
    Harness h({{.ruleId = 1,
                .active = true,
                .matchPattern = std::string(c.pattern),
                .reModifiers = std::string(c.modifiers),
                .replacePattern = std::string(c.replace)}});
    INFO(c.pattern << " -> " << c.replace << " on " << c.query);
    const Decision d = h.eval(c.query);
    CHECK(d.query == c.expected);
    CHECK(d.rewritten == (c.query != c.expected));
  }
}

TEST_CASE("later rules match the rewritten text", "[rules][rewrite]") {
  Harness h({
      {.ruleId = 1,
       .active = true,
       .matchPattern = "FROM old_orders",
       .replacePattern = "FROM orders"},
      {.ruleId = 2, .active = true, .matchPattern = "old_orders", .destinationHostgroup = 99},
      {.ruleId = 3, .active = true, .matchPattern = "FROM orders", .destinationHostgroup = 30},
      {.ruleId = 4, .active = true, .matchPattern = "orders", .replacePattern = "orders_v2"},
      {.ruleId = 5, .active = true, .matchPattern = "orders_v2", .cacheTtl = 1000},
  });
  const Decision d = h.eval("SELECT * FROM old_orders");
  CHECK(d.rewritten);
  CHECK(d.query == "SELECT * FROM orders_v2");
  CHECK(d.destinationHostgroup == 30);
  CHECK(d.cacheTtl == 1000);
  CHECK(h.matchedIds(d) == std::vector<int>{1, 3, 4, 5});
}

TEST_CASE("a rewrite carries over into the next flag", "[rules][rewrite]") {
  Harness h({
      {.ruleId = 1,
       .active = true,
       .matchPattern = "^select",
       .flagOut = 1,
       .replacePattern = "SELECT"},
      {.ruleId = 2,
       .active = true,
       .flagIn = 1,
       .matchPattern = "^SELECT",
       .reModifiers = "",
       .destinationHostgroup = 20},
  });
  const Decision d = h.eval("select 1");
  CHECK(d.query == "SELECT 1");
  CHECK(d.destinationHostgroup == 20);
}

TEST_CASE("rewrites keep invalid UTF-8 bytes", "[rules][rewrite][utf8]") {
  Harness h({{.ruleId = 1,
              .active = true,
              .matchPattern = "'(.)'",
              .reModifiers = "GLOBAL",
              .replacePattern = "UPPER('\\1')"}});
  CHECK(h.sent("SELECT '\xe9', 'a'") == "SELECT UPPER('\xe9'), UPPER('a')");
}

TEST_CASE("the scratch is reused across evaluations", "[rules][rewrite]") {
  Harness h({{.ruleId = 1,
              .active = true,
              .matchPattern = "a",
              .reModifiers = "GLOBAL",
              .replacePattern = "bb"}});
  CHECK(h.sent("aaaa") == "bbbbbbbb");
  CHECK(h.sent("xa") == "xbb");
  CHECK(h.sent("none") == "none");
}

}  // namespace
}  // namespace rwproxy::rules::testing
