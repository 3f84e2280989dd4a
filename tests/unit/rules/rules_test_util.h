// Shared helpers of the rule-engine tests: compile rows, evaluate a query with a typical
// session, read the matched rule_ids back.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/config/runtime.h"
#include "rules/rule_set.h"
#include "sql/digest.h"

namespace rwproxy::rules::testing {

using Row = config::QueryRuleRow;

// Who sends the query; defaults are the typical session of these tests.
struct Who {
  std::string_view user = "app";
  std::string_view schema = "shop";
  std::string_view client = "10.0.0.7";
  std::string_view proxyAddr = "127.0.0.1";
  int proxyPort = 6033;
  int flagIn = 0;
};

inline std::string compileError(const std::vector<Row>& rows) {
  auto result = RuleSet::compile(rows);
  return result.ok() ? std::string("(compiled)") : result.error().message();
}

class Harness {
 public:
  explicit Harness(const std::vector<Row>& rows, CompileOptions options = {}) {
    auto result = RuleSet::compile(rows, options);
    INFO((result.ok() ? std::string() : result.error().message()));
    REQUIRE(result.ok());
    set_ = std::move(result).value();
  }

  Decision eval(std::string_view query, const Who& who = {}) {
    const auto digest = sql::computeDigest(query, digestText_);
    QueryContext ctx;
    ctx.query = query;
    ctx.digestText = digest.text;
    ctx.digest = digest.hash;
    ctx.username = who.user;
    ctx.schemaname = who.schema;
    ctx.clientAddr = who.client;
    ctx.proxyAddr = who.proxyAddr;
    ctx.proxyPort = who.proxyPort;
    ctx.flagIn = who.flagIn;
    return set_->evaluate(ctx, scratch_);
  }

  // The destination hostgroup, -1 when no rule set one.
  int hostgroup(std::string_view query, const Who& who = {}) {
    return eval(query, who).destinationHostgroup.value_or(-1);
  }

  // The text sent after rewrites.
  std::string sent(std::string_view query, const Who& who = {}) {
    return std::string(eval(query, who).query);
  }

  std::vector<int> matchedIds(const Decision& d) const {
    std::vector<int> ids;
    for (const uint32_t i : d.matchedRuleIndexes) ids.push_back(set_->ruleIdAt(i));
    return ids;
  }

  std::vector<int> matchedIds(std::string_view query, const Who& who = {}) {
    return matchedIds(eval(query, who));
  }

  const RuleSet& set() const { return *set_; }

 private:
  std::shared_ptr<const RuleSet> set_;
  EvalScratch scratch_;
  std::string digestText_;
};

}  // namespace rwproxy::rules::testing
