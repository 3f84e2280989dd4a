// Validation and compilation of one mysql_query_rules row. Everything an operator can get wrong
// is caught here, at LOAD MYSQL QUERY RULES TO RUNTIME, so evaluation never meets a bad rule.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "rules/compiled_rule.h"
#include "sql/digest.h"

namespace rwproxy::rules {
namespace {

Error columnError(int ruleId, std::string_view column, std::string_view detail) {
  std::string m = "rule " + std::to_string(ruleId) + ": ";
  m.append(column).append(": ").append(detail);
  return Error(std::move(m));
}

// SQLite rows often carry '' where NULL was meant; an empty filter would match nothing useful,
// so '' means "no filter", as NULL does.
std::optional<std::string> nonEmpty(const std::optional<std::string>& s) {
  if (s && !s->empty()) return *s;
  return std::nullopt;
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// re_modifiers: comma-separated words, any case; empty words are ignored, so '' means
// case-sensitive and replace-first.
std::optional<Error> parseModifiers(const config::QueryRuleRow& row, CompiledRule& rule) {
  rule.caseless = false;
  std::string_view rest = row.reModifiers;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view word = trim(rest.substr(0, comma));
    if (equalsNoCase(word, "CASELESS")) {
      rule.caseless = true;
    } else if (equalsNoCase(word, "GLOBAL")) {
      rule.globalReplace = true;
    } else if (!word.empty()) {
      return columnError(
          row.ruleId, "re_modifiers",
          "unknown modifier '" + std::string(word) + "' (expected CASELESS, GLOBAL)");
    }
    if (comma == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(comma + 1);
  }
}

// client_addr: an address as the client's IP is written, optionally ending in '%' to match a
// prefix ("10.0.%"). '%' elsewhere, '_' wildcards, CIDR and spaces are not supported: refuse them
// rather than silently never match.
std::optional<Error> parseClientAddr(const config::QueryRuleRow& row, CompiledRule& rule) {
  const auto text = nonEmpty(row.clientAddr);
  if (!text) return std::nullopt;
  AddrFilter f;
  f.text = *text;
  if (f.text.back() == '%') {
    f.prefix = true;
    f.text.pop_back();
  }
  for (const char c : f.text) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '-';
    if (!ok) {
      return columnError(row.ruleId, "client_addr",
                         "invalid character '" + std::string(1, c) + "' in '" + *text +
                             "' (an address, optionally ending in '%')");
    }
  }
  rule.clientAddr = std::move(f);
  return std::nullopt;
}

std::optional<Error> compileRegex(const config::QueryRuleRow& row, std::string_view column,
                                  const std::optional<std::string>& text, bool caseless,
                                  std::unique_ptr<RE2>& out) {
  const auto pattern = nonEmpty(text);
  if (!pattern) return std::nullopt;
  out = std::make_unique<RE2>(*pattern, regexOptions(caseless));
  if (!out->ok()) return columnError(row.ruleId, column, out->error());
  return std::nullopt;
}

// replace_pattern: \0..\9 insert a group, \\ a backslash; any other escape is refused, as RE2
// refuses it, and so is a group the match_pattern does not have.
std::optional<Error> parseRewrite(const config::QueryRuleRow& row, CompiledRule& rule) {
  if (!row.replacePattern) return std::nullopt;
  if (!rule.matchPattern) {
    return columnError(row.ruleId, "replace_pattern", "needs a match_pattern");
  }
  const std::string& text = *row.replacePattern;
  const int groups = rule.matchPattern->NumberOfCapturingGroups();
  RewriteTemplate t;
  std::string literal;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      literal.push_back(text[i]);
      continue;
    }
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    ++i;
    if (next == '\\') {
      literal.push_back('\\');
      continue;
    }
    if (next < '0' || next > '9') {
      return columnError(row.ruleId, "replace_pattern",
                         "invalid escape (use \\0-\\9 for groups, \\\\ for a backslash)");
    }
    const int group = next - '0';
    if (group > groups) {
      // Built with append: GCC 12 reports a false -Wrestrict on "\\" + std::string(...).
      std::string detail(1, '\\');
      detail.append(1, next).append(" but match_pattern has ");
      detail.append(std::to_string(groups)).append(" group(s)");
      return columnError(row.ruleId, "replace_pattern", detail);
    }
    if (!literal.empty()) t.pieces.push_back({std::move(literal), -1});
    literal.clear();
    t.pieces.push_back({"", group});
    t.groupsNeeded = std::max(t.groupsNeeded, group + 1);
  }
  if (!literal.empty()) t.pieces.push_back({std::move(literal), -1});
  rule.replace = std::move(t);
  return std::nullopt;
}

// Ranges from the table's CHECK constraints, checked again so a runtime never holds nonsense.
struct RangeCheck {
  std::string_view column;
  std::optional<int64_t> value;
  int64_t min;
  int64_t max;
};

std::optional<Error> checkRanges(const config::QueryRuleRow& r) {
  constexpr int64_t kMax = INT64_MAX;
  const RangeCheck checks[] = {
      {"flagIN", r.flagIn, 0, kMax},
      {"proxy_port", r.proxyPort, 0, 65535},
      {"flagOUT", r.flagOut, 0, kMax},
      {"cache_ttl", r.cacheTtl, 1, kMax},
      {"cache_empty_result", r.cacheEmptyResult, 0, 1},
      {"cache_timeout", r.cacheTimeout, 0, kMax},
      {"reconnect", r.reconnect, 0, 1},
      {"timeout", r.timeout, 0, kMax},
      {"retries", r.retries, 0, 1000},
      {"delay", r.delay, 0, kMax},
      {"next_query_flagIN", r.nextQueryFlagIn, 0, kMax},
      {"mirror_flagOUT", r.mirrorFlagOut, 0, kMax},
      {"mirror_hostgroup", r.mirrorHostgroup, 0, kMax},
      {"sticky_conn", r.stickyConn, 0, 1},
      {"multiplex", r.multiplex, 0, 2},
      {"gtid_from_hostgroup", r.gtidFromHostgroup, 0, kMax},
      {"log", r.log, 0, 1},
  };
  for (const auto& c : checks) {
    if (c.value && (*c.value < c.min || *c.value > c.max)) {
      return columnError(r.ruleId, c.column,
                         "value " + std::to_string(*c.value) + " out of range [" +
                             std::to_string(c.min) + ", " +
                             (c.max == kMax ? std::string("...") : std::to_string(c.max)) + "]");
    }
  }
  return std::nullopt;
}

std::optional<bool> asBool(std::optional<int> v) {
  if (!v) return std::nullopt;
  return *v != 0;
}

RuleActions actionsOf(const config::QueryRuleRow& r) {
  RuleActions a;
  a.destinationHostgroup = r.destinationHostgroup;
  a.cacheTtl = r.cacheTtl;
  a.cacheEmptyResult = asBool(r.cacheEmptyResult);
  a.cacheTimeout = r.cacheTimeout;
  a.timeout = r.timeout;
  a.retries = r.retries;
  a.delay = r.delay;
  a.nextQueryFlagIn = r.nextQueryFlagIn;
  a.mirrorFlagOut = r.mirrorFlagOut;
  a.mirrorHostgroup = r.mirrorHostgroup;
  a.errorMsg = r.errorMsg;
  a.okMsg = r.okMsg;
  a.stickyConn = asBool(r.stickyConn);
  a.multiplex = r.multiplex;
  a.gtidFromHostgroup = r.gtidFromHostgroup;
  a.log = asBool(r.log);
  a.reconnect = asBool(r.reconnect);
  return a;
}

std::optional<Error> compileFilters(const config::QueryRuleRow& row, CompiledRule& rule) {
  rule.username = nonEmpty(row.username);
  rule.schemaname = nonEmpty(row.schemaname);
  rule.proxyAddr = nonEmpty(row.proxyAddr);
  rule.proxyPort = row.proxyPort;
  if (const auto d = nonEmpty(row.digest)) {
    rule.digest = sql::parseDigestHash(*d);
    if (!rule.digest) {
      return columnError(row.ruleId, "digest",
                         "'" + *d + "' is not a digest (expected 0x and 1 to 16 hex digits)");
    }
  }
  if (auto e = parseClientAddr(row, rule)) return e;
  if (auto e = parseModifiers(row, rule)) return e;
  if (auto e = compileRegex(row, "match_digest", row.matchDigest, rule.caseless, rule.matchDigest))
    return e;
  return compileRegex(row, "match_pattern", row.matchPattern, rule.caseless, rule.matchPattern);
}

}  // namespace

RE2::Options regexOptions(bool caseless) {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingUTF8);
  o.set_case_sensitive(!caseless);
  o.set_log_errors(false);  // errors go to the operator through Result, not to stderr
  o.set_never_capture(false);
  return o;
}

Result<CompiledRule> compileRule(const config::QueryRuleRow& row) {
  CompiledRule rule;
  rule.ruleId = row.ruleId;
  rule.flagIn = row.flagIn;
  if (auto e = checkRanges(row)) return *std::move(e);
  if (auto e = compileFilters(row, rule)) return *std::move(e);
  rule.negateMatchPattern = row.negateMatchPattern && rule.matchPattern != nullptr;
  if (auto e = parseRewrite(row, rule)) return *std::move(e);
  rule.actions = actionsOf(row);
  rule.flagOut = row.flagOut;
  rule.apply = row.apply;
  return rule;
}

}  // namespace rwproxy::rules
