// The compiled mysql_query_rules: built once per LOAD MYSQL QUERY RULES TO RUNTIME, then
// evaluated for every query by every worker.
//
// Evaluation (ProxySQL semantics, made precise where ProxySQL leaves it to its loop):
//  - Only active rows take part, in rule_id order. The flag starts at ctx.flagIn.
//  - A rule is considered when its flagIN equals the current flag. It matches when every filter
//    it sets matches: username, schemaname, proxy_addr, proxy_port and digest exactly;
//    client_addr exactly or, ending in '%', as a prefix; match_digest (partial regex match) on
//    ctx.digestText; match_pattern (partial regex match) on the current query text, which is the
//    rewritten text once a replace_pattern has rewritten it; negate_match_pattern inverts the
//    match_pattern result (without a match_pattern it is ignored). A NULL or '' filter
//    matches anything.
//  - A matching rule overrides each action it sets (later rules refine earlier ones), then
//    rewrites the query with replace_pattern (first match, or all with re_modifiers GLOBAL).
//  - Then, if it sets a flagOUT different from the current flag, the current flag becomes
//    flagOUT and evaluation continues with the rules of that flag from the first one (lowest
//    rule_id), whatever the rule_id of the rule that switched. If it also has apply=1, the flag
//    changes (Decision::finalFlag) but evaluation stops.
//  - apply=1 stops evaluation. error_msg and OK_msg do not stop it; they are reported.
//  - A flagOUT leading to a flag already visited during this evaluation (a loop) stops
//    evaluation with Decision::flagLoopStopped; so does a chain of more than 64 flags.
//  - match_digest keeps matching the digest of the original query after a rewrite (the caller
//    computes the digest once).
//  - Text that is not valid UTF-8 is matched with every invalid byte standing for U+001A, so
//    `.` still matches it (RE2 would otherwise refuse to match it at all); rewrites keep the
//    original bytes.
//
// Cost: per flag group, one RE2::Set pass over the query for all match_pattern regexes (and
// one over the digest text for match_digest), plus sorted-key lookups for regex-free rules;
// only the rules these find are checked in full. So cost follows the query length and the
// number of matching rules, not the number of rules.
//
// Thread-safety: immutable after compile(); evaluate() may run concurrently on any number of
// threads, each with its own EvalScratch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "proxy/config/runtime.h"
#include "rules/compiled_rule.h"
#include "rules/decision.h"
#include "rules/flag_group.h"
#include "rules/prefilter.h"
#include "rules/result.h"

namespace rwproxy::rules {

struct CompileOptions {
  // false: check every rule of a flag group in turn, with its own regexes (a reference
  // implementation for tests, and an escape hatch).
  bool prefilter = true;
  // RE2 memory budget of each prefilter set. A set that does not fit is not used: its group's
  // rules are then checked with their own regexes (correct, slower).
  int64_t prefilterMaxMem = PatternSet::kDefaultMaxMem;
};

class RuleSet {
 public:
  // Compiles the active rows (any order; rule_id must be unique). The error names the rule_id
  // and the column: "rule 12: match_pattern: missing ): (abc".
  static Result<std::shared_ptr<const RuleSet>> compile(
      const std::vector<config::QueryRuleRow>& rows, const CompileOptions& options = {});

  // REQUIRES: the views of ctx remain live during the call. The Decision views this RuleSet
  // and `scratch`: valid while this RuleSet lives and until scratch is used again.
  Decision evaluate(const QueryContext& ctx, EvalScratch& scratch) const;

  // Whether any rule filters on digest or match_digest: only then must the caller fill
  // QueryContext::digest and digestText.
  bool needsDigest() const { return needsDigest_; }
  // Whether any rule filters on proxy_addr or proxy_port: only then must the caller fill
  // QueryContext::proxyAddr and proxyPort (a getsockname per client).
  bool needsProxyAddress() const { return needsProxyAddress_; }
  // Whether any rule filters on client_addr (QueryContext::clientAddr; a getpeername per client).
  bool needsClientAddress() const { return needsClientAddress_; }

  // Compiled (active) rules in rule_id order; Decision::matchedRuleIndexes index this list.
  size_t ruleCount() const { return rules_.size(); }
  int ruleIdAt(size_t index) const { return rules_[index].ruleId; }

  // Grows `scratch` to what evaluating this set can need, so even the first query after a
  // reload allocates nothing in the rule engine. Optional; evaluate() does it too.
  void reserve(EvalScratch& scratch) const;

  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

 private:
  friend class Evaluation;
  RuleSet() = default;

  const FlagGroup* findGroup(int flag) const;

  std::vector<CompiledRule> rules_;  // active rules, rule_id order
  std::vector<FlagGroup> groups_;    // one per flagIN in use, ascending flag
  bool needsDigest_ = false;
  bool needsProxyAddress_ = false;
  bool needsClientAddress_ = false;
  bool prefilter_ = true;
  size_t maxGroupSize_ = 0;
  size_t maxPatternWords_ = 0;
  size_t maxDigestWords_ = 0;
  size_t maxSetSize_ = 0;
};

}  // namespace rwproxy::rules
