// Compile-time validation: every bad row is refused with the rule_id and the column named.
#include <catch2/catch.hpp>

#include "rules_test_util.h"

namespace rwproxy::rules::testing {
namespace {

struct BadRowCase {
  Row row;
  std::string_view expectedPrefix;
};

TEST_CASE("compile errors name the rule and the column", "[rules][compile]") {
  const BadRowCase cases[] = {
      {{.ruleId = 12, .active = true, .matchPattern = "(abc"}, "rule 12: match_pattern: missing )"},
      {{.ruleId = 3, .active = true, .matchDigest = "[a-"}, "rule 3: match_digest: "},
      {{.ruleId = 4, .active = true, .replacePattern = "x"}, "rule 4: replace_pattern: needs a"},
      {{.ruleId = 5, .active = true, .matchPattern = "a", .reModifiers = "CASELESS,MULTILINE"},
       "rule 5: re_modifiers: unknown modifier 'MULTILINE'"},
      {{.ruleId = 6, .active = true, .digest = "0xZZ"}, "rule 6: digest: '0xZZ' is not a digest"},
      {{.ruleId = 7, .active = true, .digest = "1234"}, "rule 7: digest: "},
      {{.ruleId = 8, .active = true, .clientAddr = "10.%.0.1"}, "rule 8: client_addr: invalid"},
      {{.ruleId = 9, .active = true, .clientAddr = "10.0.0.0/8"}, "rule 9: client_addr: invalid"},
      {{.ruleId = 10, .active = true, .clientAddr = "10.0.0.1 "}, "rule 10: client_addr: "},
      {{.ruleId = 11, .active = true, .matchPattern = "(a)", .replacePattern = "\\2"},
       "rule 11: replace_pattern: \\2 but match_pattern has 1 group(s)"},
      {{.ruleId = 13, .active = true, .matchPattern = "a", .replacePattern = "\\x"},
       "rule 13: replace_pattern: invalid escape"},
      {{.ruleId = 14, .active = true, .multiplex = 3}, "rule 14: multiplex: value 3 out of range"},
      {{.ruleId = 15, .active = true, .retries = 1001}, "rule 15: retries: value 1001"},
      {{.ruleId = 16, .active = true, .cacheTtl = 0}, "rule 16: cache_ttl: value 0"},
      {{.ruleId = 17, .active = true, .proxyPort = 70000}, "rule 17: proxy_port: "},
      {{.ruleId = 18, .active = true, .flagIn = -1}, "rule 18: flagIN: "},
  };
  for (const auto& c : cases) {
    const std::string message = compileError({c.row});
    INFO(message);
    CHECK(message.starts_with(c.expectedPrefix));
  }
}

TEST_CASE("the first bad active rule in rule_id order is reported", "[rules][compile]") {
  const std::vector<Row> rows = {
      {.ruleId = 30, .active = true, .matchPattern = "(b"},
      {.ruleId = 20, .active = true, .matchPattern = "(a"},
      {.ruleId = 10, .active = false, .matchPattern = "(ignored-because-inactive"},
  };
  CHECK(compileError(rows).starts_with("rule 20: match_pattern: "));
}

TEST_CASE("duplicate rule_id is refused", "[rules][compile]") {
  CHECK(compileError({{.ruleId = 1, .active = true}, {.ruleId = 1, .active = true}}) ==
        "rule 1: rule_id: duplicate");
}

TEST_CASE("valid rows compile; inactive rows are left out", "[rules][compile]") {
  const std::vector<Row> rows = {
      {.ruleId = 5, .active = true, .matchPattern = "^SELECT", .reModifiers = " global , caseless"},
      {.ruleId = 2, .active = true, .digest = "0x0123456789abcdef", .reModifiers = ""},
      {.ruleId = 3, .active = false, .matchPattern = "(broken"},
      {.ruleId = 4, .active = true, .clientAddr = "192.168.%"},
      {.ruleId = 6, .active = true, .clientAddr = "::1"},
  };
  Harness h(rows);
  REQUIRE(h.set().ruleCount() == 4);
  CHECK(h.set().ruleIdAt(0) == 2);
  CHECK(h.set().ruleIdAt(1) == 4);
  CHECK(h.set().ruleIdAt(2) == 5);
  CHECK(h.set().ruleIdAt(3) == 6);
  CHECK(h.set().needsDigest());
}

TEST_CASE("needsDigest only when a rule uses digest or match_digest", "[rules][compile]") {
  CHECK_FALSE(Harness({{.ruleId = 1, .active = true, .matchPattern = "x"}}).set().needsDigest());
  CHECK(Harness({{.ruleId = 1, .active = true, .matchDigest = "x"}}).set().needsDigest());
  CHECK_FALSE(Harness({{.ruleId = 1, .active = false, .matchDigest = "x"}}).set().needsDigest());
  CHECK(Harness({}).set().ruleCount() == 0);
}

}  // namespace
}  // namespace rwproxy::rules::testing
