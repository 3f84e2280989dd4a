// Building a RuleSet: compile each active row, then group the rules by flagIN and build each
// group's prefilters.
#include "rules/rule_set.h"

#include <algorithm>
#include <string>
#include <utility>

#include "rules/prefilter.h"

namespace rwproxy::rules {
namespace {

std::vector<const config::QueryRuleRow*> activeRowsById(
    const std::vector<config::QueryRuleRow>& rows) {
  std::vector<const config::QueryRuleRow*> active;
  for (const auto& row : rows) {
    if (row.active) active.push_back(&row);
  }
  std::sort(active.begin(), active.end(),
            [](const auto* a, const auto* b) { return a->ruleId < b->ruleId; });
  return active;
}

}  // namespace

Result<std::shared_ptr<const RuleSet>> RuleSet::compile(
    const std::vector<config::QueryRuleRow>& rows, const CompileOptions& options) {
  std::shared_ptr<RuleSet> set(new RuleSet());
  set->prefilter_ = options.prefilter;
  const auto active = activeRowsById(rows);
  set->rules_.reserve(active.size());
  for (size_t i = 0; i < active.size(); ++i) {
    if (i > 0 && active[i]->ruleId == active[i - 1]->ruleId) {
      return Error("rule " + std::to_string(active[i]->ruleId) + ": rule_id: duplicate");
    }
    auto rule = compileRule(*active[i]);
    if (!rule.ok()) return rule.error();
    set->rules_.push_back(std::move(rule).value());
    const CompiledRule& r = set->rules_.back();
    set->needsDigest_ = set->needsDigest_ || r.digest || r.matchDigest;
    set->needsProxyAddress_ = set->needsProxyAddress_ || r.proxyAddr || r.proxyPort;
    set->needsClientAddress_ = set->needsClientAddress_ || r.clientAddr;
  }

  // Members of each flag group, in rule_id order (rules_ already is).
  std::vector<std::pair<int, uint32_t>> byFlag;
  for (uint32_t i = 0; i < set->rules_.size(); ++i) byFlag.emplace_back(set->rules_[i].flagIn, i);
  std::stable_sort(byFlag.begin(), byFlag.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < byFlag.size();) {
    std::vector<uint32_t> members;
    const int flag = byFlag[i].first;
    for (; i < byFlag.size() && byFlag[i].first == flag; ++i) members.push_back(byFlag[i].second);
    set->groups_.emplace_back(flag, std::move(members), set->rules_, options.prefilterMaxMem);
    const FlagGroup& g = set->groups_.back();
    set->maxGroupSize_ = std::max(set->maxGroupSize_, g.size());
    set->maxPatternWords_ =
        std::max(set->maxPatternWords_, PatternSet::wordsFor(g.patterns().size()));
    set->maxDigestWords_ = std::max(set->maxDigestWords_, PatternSet::wordsFor(g.digests().size()));
    set->maxSetSize_ = std::max({set->maxSetSize_, g.patterns().size(), g.digests().size()});
  }
  return std::shared_ptr<const RuleSet>(std::move(set));
}

const FlagGroup* RuleSet::findGroup(int flag) const {
  auto it = std::lower_bound(groups_.begin(), groups_.end(), flag,
                             [](const FlagGroup& g, int f) { return g.flag() < f; });
  return it != groups_.end() && it->flag() == flag ? &*it : nullptr;
}

void RuleSet::reserve(EvalScratch& scratch) const {
  // reserve() and a growing resize() never shrink, so a scratch shared across reloads settles.
  scratch.matched_.reserve(rules_.size());
  scratch.candidates_.reserve(maxGroupSize_);
  scratch.setHits_.reserve(maxSetSize_);
  if (scratch.patternBits_.size() < maxPatternWords_) scratch.patternBits_.resize(maxPatternWords_);
  if (scratch.digestBits_.size() < maxDigestWords_) scratch.digestBits_.resize(maxDigestWords_);
}

}  // namespace rwproxy::rules
