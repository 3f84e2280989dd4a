#include "rules/flag_group.h"

#include <algorithm>
#include <bit>

namespace rwproxy::rules {

template <typename Key>
void KeyedPositions<Key>::sortByKey() {
  std::sort(entries_.begin(), entries_.end());
}

template <typename Key>
template <typename Lookup>
void KeyedPositions<Key>::appendMatching(const Lookup& key, uint32_t from,
                                         std::vector<uint32_t>& out) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                             [](const auto& e, const Lookup& k) { return e.first < k; });
  for (; it != entries_.end() && it->first == key; ++it) {
    if (it->second >= from) out.push_back(it->second);
  }
}

FlagGroup::FlagGroup(int flag, std::vector<uint32_t> members, std::vector<CompiledRule>& rules,
                     int64_t setMaxMem)
    : flag_(flag), members_(std::move(members)), patterns_(setMaxMem), digests_(setMaxMem) {
  for (uint32_t pos = 0; pos < members_.size(); ++pos) indexRule(pos, rules[members_[pos]]);
  patterns_.compile();
  digests_.compile();
  byDigest_.sortByKey();
  byUsername_.sortByKey();
  bySchemaname_.sortByKey();
}

// A rule is found through exactly one source, so candidates never repeat: its pattern hit (or
// the negated list), else its digest regex hit, else one exact key, else the always list.
void FlagGroup::indexRule(uint32_t pos, CompiledRule& rule) {
  if (rule.matchPattern) {
    rule.patternSetIndex = patterns_.add(rule.matchPattern->pattern(), rule.caseless);
    patternPos_.push_back(rule.negateMatchPattern ? kNone : pos);
    if (rule.negateMatchPattern) negated_.push_back(pos);
  }
  if (rule.matchDigest) {
    rule.digestSetIndex = digests_.add(rule.matchDigest->pattern(), rule.caseless);
    digestOnlyPos_.push_back(rule.matchPattern ? kNone : pos);
  }
  if (rule.matchPattern || rule.matchDigest) return;
  if (rule.digest) {
    byDigest_.add(*rule.digest, pos);
  } else if (rule.username) {
    byUsername_.add(*rule.username, pos);
  } else if (rule.schemaname) {
    bySchemaname_.add(*rule.schemaname, pos);
  } else {
    always_.push_back(pos);
  }
}

void FlagGroup::appendBits(const uint64_t* bits, const std::vector<uint32_t>& posBySetIndex,
                           uint32_t from, std::vector<uint32_t>& out) {
  const size_t words = PatternSet::wordsFor(posBySetIndex.size());
  for (size_t w = 0; w < words; ++w) {
    for (uint64_t word = bits[w]; word != 0; word &= word - 1) {
      const uint32_t pos = posBySetIndex[w * 64 + static_cast<size_t>(std::countr_zero(word))];
      if (pos != kNone && pos >= from) out.push_back(pos);
    }
  }
}

void FlagGroup::collectCandidates(const QueryContext& ctx, const PrefilterHits& hits, uint32_t from,
                                  std::vector<uint32_t>& out) const {
  out.clear();
  const auto appendAll = [&](const std::vector<uint32_t>& positions) {
    for (const uint32_t pos : positions) {
      if (pos != kNone && pos >= from) out.push_back(pos);
    }
  };
  if (hits.patternKnown) {
    appendBits(hits.patternBits, patternPos_, from, out);
  } else {
    appendAll(patternPos_);
  }
  appendAll(negated_);
  if (hits.digestKnown) {
    appendBits(hits.digestBits, digestOnlyPos_, from, out);
  } else {
    appendAll(digestOnlyPos_);
  }
  appendAll(always_);
  byDigest_.appendMatching(ctx.digest, from, out);
  byUsername_.appendMatching(ctx.username, from, out);
  bySchemaname_.appendMatching(ctx.schemaname, from, out);
  std::sort(out.begin(), out.end());
}

}  // namespace rwproxy::rules
