// RuleSet::evaluate: walks the flag chain, and within each flag group checks only the
// candidates the prefilters found (see rule_set.h for the semantics).
#include <algorithm>
#include <array>
#include <numeric>
#include <optional>
#include <span>

#include "rules/rewrite.h"
#include "rules/rule_set.h"

namespace rwproxy::rules {
namespace {

// A flagOUT chain longer than this is a configuration loop in all but name.
constexpr size_t kMaxFlagHops = 64;

template <typename T, typename U>
void overrideIfSet(std::optional<T>& dst, const std::optional<U>& src) {
  if (src) dst = *src;
}

void mergeActions(const RuleActions& a, Decision& d) {
  overrideIfSet(d.destinationHostgroup, a.destinationHostgroup);
  overrideIfSet(d.cacheTtl, a.cacheTtl);
  overrideIfSet(d.cacheEmptyResult, a.cacheEmptyResult);
  overrideIfSet(d.cacheTimeout, a.cacheTimeout);
  overrideIfSet(d.timeout, a.timeout);
  overrideIfSet(d.retries, a.retries);
  overrideIfSet(d.delay, a.delay);
  overrideIfSet(d.nextQueryFlagIn, a.nextQueryFlagIn);
  overrideIfSet(d.mirrorFlagOut, a.mirrorFlagOut);
  overrideIfSet(d.mirrorHostgroup, a.mirrorHostgroup);
  if (a.errorMsg) d.errorMsg = std::string_view(*a.errorMsg);
  if (a.okMsg) d.okMsg = std::string_view(*a.okMsg);
  overrideIfSet(d.stickyConn, a.stickyConn);
  overrideIfSet(d.multiplex, a.multiplex);
  overrideIfSet(d.gtidFromHostgroup, a.gtidFromHostgroup);
  overrideIfSet(d.log, a.log);
  overrideIfSet(d.reconnect, a.reconnect);
}

}  // namespace

// One evaluation's state; lives on the stack of RuleSet::evaluate.
class Evaluation {
 public:
  Evaluation(const RuleSet& set, const QueryContext& ctx, EvalScratch& scratch)
      : set_(set), ctx_(ctx), s_(scratch), text_(ctx.query) {}

  Decision run();

 private:
  enum class GroupEnd { Exhausted, Stop, Switch };

  GroupEnd runGroup(const FlagGroup& group, int& nextFlag);
  bool matches(const CompiledRule& rule, const PrefilterHits& hits);
  PrefilterHits digestHits(const FlagGroup& group);
  void refreshPatternHits(const FlagGroup& group, PrefilterHits& hits);
  void collect(const FlagGroup& group, const PrefilterHits& hits, uint32_t from);
  bool rewrite(const CompiledRule& rule);
  std::string_view matchText();
  std::string_view matchDigest();

  const RuleSet& set_;
  const QueryContext& ctx_;
  EvalScratch& s_;
  Decision d_;
  std::string_view text_;                  // current query text: ctx.query or a rewrite_ buffer
  std::optional<std::string_view> match_;  // text_ made valid UTF-8; reset by a rewrite
  std::optional<std::string_view> digest_;
  int nextBuffer_ = 0;  // the rewrite_ buffer the next rewrite writes to
};

Decision Evaluation::run() {
  set_.reserve(s_);
  s_.matched_.clear();
  int flag = ctx_.flagIn;
  d_.finalFlag = flag;
  std::array<int, kMaxFlagHops> visited{};
  size_t hops = 0;
  visited[hops++] = flag;
  while (const FlagGroup* group = set_.findGroup(flag)) {
    int next = flag;
    const GroupEnd end = runGroup(*group, next);
    if (end == GroupEnd::Exhausted) break;
    d_.finalFlag = next;
    if (end == GroupEnd::Stop) break;
    const bool seen =
        std::find(visited.begin(), visited.begin() + hops, next) != visited.begin() + hops;
    if (seen || hops == visited.size()) {
      d_.flagLoopStopped = true;
      break;
    }
    visited[hops++] = next;
    flag = next;
  }
  d_.query = text_;
  d_.matchedRuleIndexes = std::span<const uint32_t>(s_.matched_);
  return d_;
}

Evaluation::GroupEnd Evaluation::runGroup(const FlagGroup& group, int& nextFlag) {
  PrefilterHits hits = digestHits(group);
  refreshPatternHits(group, hits);
  collect(group, hits, 0);
  size_t i = 0;
  while (i < s_.candidates_.size()) {
    const uint32_t pos = s_.candidates_[i++];
    const uint32_t index = group.ruleIndex(pos);
    const CompiledRule& rule = set_.rules_[index];
    if (!matches(rule, hits)) continue;
    s_.matched_.push_back(index);
    mergeActions(rule.actions, d_);
    const bool switches = rule.flagOut && *rule.flagOut != group.flag();
    if (rule.replace && rewrite(rule) && !rule.apply && !switches) {
      // Later rules of this group match the new text: ask the prefilter again.
      refreshPatternHits(group, hits);
      collect(group, hits, pos + 1);
      i = 0;
      continue;
    }
    if (switches) {
      nextFlag = *rule.flagOut;
      return rule.apply ? GroupEnd::Stop : GroupEnd::Switch;
    }
    if (rule.apply) return GroupEnd::Stop;
  }
  return GroupEnd::Exhausted;
}

bool Evaluation::matches(const CompiledRule& r, const PrefilterHits& hits) {
  // Cheap exact filters first: most candidates fail here without touching a regex.
  if (r.username && *r.username != ctx_.username) return false;
  if (r.schemaname && *r.schemaname != ctx_.schemaname) return false;
  if (r.clientAddr && !r.clientAddr->matches(ctx_.clientAddr)) return false;
  if (r.proxyAddr && *r.proxyAddr != ctx_.proxyAddr) return false;
  if (r.proxyPort && *r.proxyPort != ctx_.proxyPort) return false;
  if (r.digest && *r.digest != ctx_.digest) return false;
  if (r.matchDigest) {
    const bool hit = hits.digestKnown ? PatternSet::test(hits.digestBits, r.digestSetIndex)
                                      : RE2::PartialMatch(matchDigest(), *r.matchDigest);
    if (!hit) return false;
  }
  if (r.matchPattern) {
    const bool hit = hits.patternKnown ? PatternSet::test(hits.patternBits, r.patternSetIndex)
                                       : RE2::PartialMatch(matchText(), *r.matchPattern);
    if (hit == r.negateMatchPattern) return false;
  }
  return true;
}

PrefilterHits Evaluation::digestHits(const FlagGroup& group) {
  PrefilterHits hits;
  hits.digestBits = s_.digestBits_.data();
  if (set_.prefilter_ && !group.digests().empty()) {
    hits.digestKnown = group.digests().match(matchDigest(), s_.setHits_, s_.digestBits_.data());
  }
  return hits;
}

void Evaluation::refreshPatternHits(const FlagGroup& group, PrefilterHits& hits) {
  hits.patternBits = s_.patternBits_.data();
  hits.patternKnown = false;
  if (set_.prefilter_ && !group.patterns().empty()) {
    hits.patternKnown = group.patterns().match(matchText(), s_.setHits_, s_.patternBits_.data());
  }
}

void Evaluation::collect(const FlagGroup& group, const PrefilterHits& hits, uint32_t from) {
  if (set_.prefilter_) {
    group.collectCandidates(ctx_, hits, from, s_.candidates_);
    return;
  }
  s_.candidates_.resize(group.size() - std::min<size_t>(from, group.size()));
  std::iota(s_.candidates_.begin(), s_.candidates_.end(), from);
}

bool Evaluation::rewrite(const CompiledRule& rule) {
  std::string& out = s_.rewrite_[nextBuffer_];
  if (rewriteText(*rule.matchPattern, *rule.replace, rule.globalReplace, text_, matchText(), out) ==
      0) {
    return false;
  }
  text_ = out;
  nextBuffer_ ^= 1;  // the next rewrite reads `out` and writes the other buffer
  match_.reset();
  d_.rewritten = true;
  return true;
}

std::string_view Evaluation::matchText() {
  if (!match_) {
    if (isValidUtf8(text_)) {
      match_ = text_;
    } else {
      sanitizeUtf8(text_, s_.sanitized_);
      match_ = std::string_view(s_.sanitized_);
    }
  }
  return *match_;
}

std::string_view Evaluation::matchDigest() {
  if (!digest_) {
    if (isValidUtf8(ctx_.digestText)) {
      digest_ = ctx_.digestText;
    } else {
      sanitizeUtf8(ctx_.digestText, s_.sanitizedDigest_);
      digest_ = std::string_view(s_.sanitizedDigest_);
    }
  }
  return *digest_;
}

Decision RuleSet::evaluate(const QueryContext& ctx, EvalScratch& scratch) const {
  return Evaluation(*this, ctx, scratch).run();
}

}  // namespace rwproxy::rules
