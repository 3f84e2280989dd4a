// Internal to rules/: one active mysql_query_rules row after validation and regex compilation.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/config/runtime.h"
#include "rules/result.h"

namespace rwproxy::rules {

// The actions of one rule, owning their strings (Decision holds views of them).
struct RuleActions {
  std::optional<int> destinationHostgroup;
  std::optional<int> cacheTtl;
  std::optional<bool> cacheEmptyResult;
  std::optional<int> cacheTimeout;
  std::optional<int64_t> timeout;
  std::optional<int> retries;
  std::optional<int64_t> delay;
  std::optional<int64_t> nextQueryFlagIn;
  std::optional<int64_t> mirrorFlagOut;
  std::optional<int64_t> mirrorHostgroup;
  std::optional<std::string> errorMsg;
  std::optional<std::string> okMsg;
  std::optional<bool> stickyConn;
  std::optional<int> multiplex;
  std::optional<int64_t> gtidFromHostgroup;
  std::optional<bool> log;
  std::optional<bool> reconnect;
};

// replace_pattern, parsed once: literal pieces and \0..\9 group references.
struct RewriteTemplate {
  struct Piece {
    std::string literal;  // used when group < 0
    int group = -1;
  };
  std::vector<Piece> pieces;
  int groupsNeeded = 1;  // 1 + the highest group referenced (group 0 is the whole match)
};

// client_addr: exact, or a prefix when written with a trailing '%'.
struct AddrFilter {
  std::string text;
  bool prefix = false;
  bool matches(std::string_view addr) const {
    return prefix ? addr.starts_with(text) : addr == text;
  }
};

struct CompiledRule {
  int ruleId = 0;
  int flagIn = 0;
  // Filters; unset (or empty in the row) means "any".
  std::optional<std::string> username;
  std::optional<std::string> schemaname;
  std::optional<AddrFilter> clientAddr;
  std::optional<std::string> proxyAddr;
  std::optional<int> proxyPort;
  std::optional<uint64_t> digest;
  std::unique_ptr<RE2> matchDigest;
  std::unique_ptr<RE2> matchPattern;
  bool negateMatchPattern = false;
  bool caseless = true;        // re_modifiers CASELESS
  bool globalReplace = false;  // re_modifiers GLOBAL
  std::optional<RewriteTemplate> replace;
  // Actions.
  RuleActions actions;
  std::optional<int> flagOut;
  bool apply = false;
  // Position of the patterns in the group's RE2::Set prefilters; -1 when none.
  int patternSetIndex = -1;
  int digestSetIndex = -1;
};

// The RE2 options every rule regex uses; `caseless` from re_modifiers.
RE2::Options regexOptions(bool caseless);

// Validates and compiles one active row. The error names the rule_id and the column.
Result<CompiledRule> compileRule(const config::QueryRuleRow& row);

}  // namespace rwproxy::rules
