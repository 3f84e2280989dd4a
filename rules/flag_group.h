// Internal to rules/: the rules that share one flagIN, with the indexes that find, for a query,
// the few rules worth checking (candidates) without looking at the others.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/compiled_rule.h"
#include "rules/decision.h"
#include "rules/prefilter.h"

namespace rwproxy::rules {

// Group positions keyed by one exact filter value (username, schemaname or digest).
template <typename Key>
class KeyedPositions {
 public:
  void add(Key key, uint32_t pos) { entries_.emplace_back(std::move(key), pos); }
  void sortByKey();
  template <typename Lookup>
  void appendMatching(const Lookup& key, uint32_t from, std::vector<uint32_t>& out) const;

 private:
  std::vector<std::pair<Key, uint32_t>> entries_;
};

// What the two prefilters said about the current texts; `known` false means "ask each regex".
struct PrefilterHits {
  const uint64_t* patternBits = nullptr;
  bool patternKnown = false;
  const uint64_t* digestBits = nullptr;
  bool digestKnown = false;
};

class FlagGroup {
 public:
  // `members`: indexes into `rules` of the rules with this flagIN, in rule_id order. Assigns
  // each rule's patternSetIndex / digestSetIndex.
  FlagGroup(int flag, std::vector<uint32_t> members, std::vector<CompiledRule>& rules,
            int64_t setMaxMem);

  int flag() const { return flag_; }
  size_t size() const { return members_.size(); }
  uint32_t ruleIndex(uint32_t pos) const { return members_[pos]; }
  const PatternSet& patterns() const { return patterns_; }
  const PatternSet& digests() const { return digests_; }

  // Fills `out` with the ascending positions >= `from` of the rules that may match: those whose
  // regex hit, negated rules, and regex-free rules whose key filter equals the context's.
  // Every candidate must still be checked in full; no other rule can match.
  void collectCandidates(const QueryContext& ctx, const PrefilterHits& hits, uint32_t from,
                         std::vector<uint32_t>& out) const;

 private:
  void indexRule(uint32_t pos, CompiledRule& rule);
  static void appendBits(const uint64_t* bits, const std::vector<uint32_t>& posBySetIndex,
                         uint32_t from, std::vector<uint32_t>& out);

  static constexpr uint32_t kNone = UINT32_MAX;

  int flag_;
  std::vector<uint32_t> members_;
  PatternSet patterns_;
  PatternSet digests_;
  std::vector<uint32_t> patternPos_;     // set index -> position; kNone for negated rules
  std::vector<uint32_t> digestOnlyPos_;  // set index -> position; kNone if it has a pattern
  std::vector<uint32_t> negated_;        // positions of negate_match_pattern rules
  std::vector<uint32_t> always_;         // regex-free rules without a key filter
  KeyedPositions<uint64_t> byDigest_;    // regex-free rules, by digest (checked first)
  KeyedPositions<std::string> byUsername_;
  KeyedPositions<std::string> bySchemaname_;
};

}  // namespace rwproxy::rules
