// The input and output of one rule evaluation: what the session knows of a query, and what the
// matching mysql_query_rules rows decided about it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rwproxy::rules {

// What rules can filter on. Every view must remain live during evaluate().
struct QueryContext {
  std::string_view query;       // the query text as received
  std::string_view digestText;  // sql::computeDigest(query).text; only if RuleSet::needsDigest()
  uint64_t digest = 0;          // sql::computeDigest(query).hash; only if RuleSet::needsDigest()
  std::string_view username;
  std::string_view schemaname;  // the session's current schema
  std::string_view clientAddr;  // client IP as text, e.g. "10.0.0.7" or "::1"
  std::string_view proxyAddr;   // address of the listener that accepted the client
  int proxyPort = 0;            // port of that listener
  int flagIn = 0;               // 0, or the previous query's next_query_flagIN
};

// Every action of the matched rules; a rule's non-NULL column overrides the value of an earlier
// matched rule. Unset (nullopt) means no matched rule set it: use the session's default.
//
// The string views point into the RuleSet (error/OK messages) or into the EvalScratch (query,
// matchedRuleIndexes): they are valid while both are live and until the scratch's next use.
struct Decision {
  std::optional<int> destinationHostgroup;
  std::optional<int> cacheTtl;  // ms
  std::optional<bool> cacheEmptyResult;
  std::optional<int> cacheTimeout;  // ms
  std::optional<int64_t> timeout;   // ms, then KILL QUERY on the backend
  std::optional<int> retries;
  std::optional<int64_t> delay;  // ms before the query is sent
  std::optional<int64_t> nextQueryFlagIn;
  std::optional<int64_t> mirrorFlagOut;
  std::optional<int64_t> mirrorHostgroup;
  std::optional<std::string_view> errorMsg;  // answer the client with this error
  std::optional<std::string_view> okMsg;     // answer the client with OK (this as info)
  std::optional<bool> stickyConn;            // stored; no effect in ProxySQL 3.0.1
  std::optional<int> multiplex;              // 0 disable, 1 re-enable if safe, 2 ignore `@`
  std::optional<int64_t> gtidFromHostgroup;
  std::optional<bool> log;
  std::optional<bool> reconnect;  // stored; no effect in ProxySQL 3.0.1

  // The text to send: ctx.query, or the result of the matched replace_patterns.
  std::string_view query;
  bool rewritten = false;  // some replace_pattern replaced at least one occurrence

  // Indexes (RuleSet::ruleIdAt) of the matched rules, in evaluation order, for hit counters.
  std::span<const uint32_t> matchedRuleIndexes;

  int finalFlag = 0;             // the flag when evaluation stopped
  bool flagLoopStopped = false;  // a flagOUT led back to a flag already visited (see RuleSet)
};

class RuleSet;

// Reusable buffers of evaluate(); one per thread (not thread-safe). Once they have grown to the
// largest rule set and query seen, evaluation allocates nothing further in this code.
class EvalScratch {
 public:
  EvalScratch() = default;
  EvalScratch(const EvalScratch&) = delete;
  EvalScratch& operator=(const EvalScratch&) = delete;
  EvalScratch(EvalScratch&&) = default;
  EvalScratch& operator=(EvalScratch&&) = default;

 private:
  friend class RuleSet;
  friend class Evaluation;

  std::vector<uint32_t> matched_;      // Decision::matchedRuleIndexes
  std::vector<uint32_t> candidates_;   // group positions still to check, ascending
  std::vector<int> setHits_;           // RE2::Set::Match output
  std::vector<uint64_t> patternBits_;  // match_pattern hits of the current group, by set index
  std::vector<uint64_t> digestBits_;   // match_digest hits of the current group, by set index
  std::string rewrite_[2];             // rewritten query text, alternating source/destination
  std::string sanitized_;              // the text with invalid UTF-8 bytes replaced (rare)
  std::string sanitizedDigest_;
};

}  // namespace rwproxy::rules
