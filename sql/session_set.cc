#include "sql/session_set.h"

#include <algorithm>
#include <array>

#include "sql/token_stream.h"

namespace rwproxy::sql {
namespace {

// Session variables applications set and the proxy may set again on another connection: each
// one's value is fully described by a literal and changes nothing else. Sorted (binary search).
constexpr std::array<std::string_view, 52> kReplayable = {
    "auto_increment_increment",
    "auto_increment_offset",
    "big_tables",
    "character_set_client",
    "character_set_connection",
    "character_set_results",
    "collation_connection",
    "default_storage_engine",
    "default_tmp_storage_engine",
    "default_week_format",
    "div_precision_increment",
    "explicit_defaults_for_timestamp",
    "foreign_key_checks",
    "group_concat_max_len",
    "innodb_lock_wait_timeout",
    "innodb_strict_mode",
    "interactive_timeout",
    "join_buffer_size",
    "lc_messages",
    "lc_time_names",
    "lock_wait_timeout",
    "long_query_time",
    "max_error_count",
    "max_execution_time",
    "max_heap_table_size",
    "max_join_size",
    "max_sort_length",
    "max_statement_time",
    "net_read_timeout",
    "net_write_timeout",
    "optimizer_search_depth",
    "optimizer_switch",
    "query_cache_type",
    "sort_buffer_size",
    "sql_auto_is_null",
    "sql_big_selects",
    "sql_buffer_result",
    "sql_mode",
    "sql_notes",
    "sql_quote_show_create",
    "sql_safe_updates",
    "sql_select_limit",
    "sql_warnings",
    "time_zone",
    "tmp_table_size",
    "transaction_isolation",
    "transaction_read_only",
    "tx_isolation",
    "tx_read_only",
    "unique_checks",
    "wait_timeout",
    "windowing_high_rows",
};

bool isEnd(const Token& t) noexcept { return t.kind == TokenKind::End; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// A literal whose text means the same whatever the connection's sql_mode: no double-quoted
// strings (ANSI_QUOTES makes them identifiers) and no backslashes (NO_BACKSLASH_ESCAPES).
bool isPortableLiteral(const Token& t) noexcept {
  return isLiteralValue(t) && !t.unterminated && t.kind != TokenKind::DoubleQuotedString &&
         t.text.find('\\') == std::string_view::npos;
}

// @a, @'a', @`a` -> "@a"; nullopt when the quoted name holds anything needing escapes.
std::optional<std::string> userVariableName(const Token& t) {
  if (t.unterminated || t.text.size() < 2) return std::nullopt;
  std::string_view name = t.text.substr(1);
  const char q = name.front();
  if (q == '\'' || q == '"' || q == '`') {
    if (name.size() < 2 || name.back() != q) return std::nullopt;
    name = name.substr(1, name.size() - 2);
    if (name.empty() || name.find_first_of("'\"`\\") != std::string_view::npos) {
      return std::nullopt;
    }
  }
  return "@" + lower(name);
}

// @@x, @@session.x, @@local.x -> "x"; nullopt for global or persisted scopes.
std::optional<std::string> systemVariableName(std::string_view text) {
  std::string_view name = text.substr(2);
  if (const size_t dot = name.find('.'); dot != std::string_view::npos) {
    const std::string_view scope = name.substr(0, dot);
    if (!equalsKeyword(scope, "SESSION") && !equalsKeyword(scope, "LOCAL")) return std::nullopt;
    name = name.substr(dot + 1);
  }
  return lower(name);
}

// NAMES x [COLLATE y] | CHARACTER SET x: a charset or collation name, bare or quoted, or DEFAULT.
bool isCharsetName(const Token& t) noexcept {
  return (t.kind == TokenKind::Word || t.kind == TokenKind::String) && !t.unterminated &&
         t.text.find('\\') == std::string_view::npos;
}

class SetParser {
 public:
  explicit SetParser(std::string_view query) : stream_(query) {}

  std::optional<std::vector<SessionAssignment>> parse() {
    if (!isKeyword(next(), "SET")) return std::nullopt;
    next();
    if (isKeyword(t_, "STATEMENT") || isKeyword(t_, "TRANSACTION")) return std::nullopt;
    std::vector<SessionAssignment> out;
    for (;;) {
      std::optional<SessionAssignment> a = assignment();
      if (!a) return std::nullopt;
      out.push_back(std::move(*a));
      if (t_.kind == TokenKind::Comma) {
        next();
        continue;
      }
      if (t_.kind == TokenKind::Semicolon) next();
      if (!isEnd(t_)) return std::nullopt;
      return out;
    }
  }

 private:
  const Token& next() {
    t_ = stream_.nextSignificant();
    return t_;
  }

  // Reads one assignment, leaving t_ on the token after it.
  std::optional<SessionAssignment> assignment() {
    if (isKeyword(t_, "NAMES")) return charset("names", true);
    if (isKeyword(t_, "CHARSET")) return charset("character set", false);
    if (isKeyword(t_, "CHARACTER")) {
      if (!isKeyword(next(), "SET")) return std::nullopt;
      return charset("character set", false);
    }
    if (isKeyword(t_, "SESSION") || isKeyword(t_, "LOCAL")) next();
    SessionAssignment a;
    bool user = false;
    if (t_.kind == TokenKind::UserVariable) {
      auto name = userVariableName(t_);
      if (!name) return std::nullopt;
      a.name = std::move(*name);
      user = true;
    } else if (t_.kind == TokenKind::SystemVariable) {
      auto name = systemVariableName(t_.text);
      if (!name) return std::nullopt;
      a.name = std::move(*name);
    } else if (t_.kind == TokenKind::Word) {
      a.name = lower(t_.text);
    } else {
      return std::nullopt;
    }
    if (!user && !isReplayableVariable(a.name)) return std::nullopt;
    next();
    if (t_.kind != TokenKind::Operator || (t_.text != "=" && t_.text != ":=")) return std::nullopt;
    next();
    if (t_.kind == TokenKind::Operator && (t_.text == "-" || t_.text == "+")) {
      a.value.assign(t_.text);
      next();
      if (t_.kind != TokenKind::Integer && t_.kind != TokenKind::Decimal) return std::nullopt;
    }
    // A system variable also takes a bare word: ON, OFF, DEFAULT, SYSTEM, TRADITIONAL.
    const bool word = !user && t_.kind == TokenKind::Word;
    if (!word && !isPortableLiteral(t_)) return std::nullopt;
    a.value.append(t_.text);
    next();
    return a;
  }

  std::optional<SessionAssignment> charset(const char* name, bool allowCollate) {
    if (!isCharsetName(next())) return std::nullopt;
    SessionAssignment a{name, std::string(t_.text)};
    next();
    if (allowCollate && isKeyword(t_, "COLLATE")) {
      if (!isCharsetName(next())) return std::nullopt;
      a.value.append(" COLLATE ").append(t_.text);
      next();
    }
    return a;
  }

  FlatTokenizer stream_;
  Token t_;
};

// Built-in functions an expression SET may call: no side effects and no session state, so the
// statement changes nothing but its targets. Upper case, sorted (binary search).
constexpr std::array<std::string_view, 34> kPureFunctions = {
    "ABS",
    "CEIL",
    "CEILING",
    "CHAR_LENGTH",
    "COALESCE",
    "CONCAT",
    "CONCAT_WS",
    "FIND_IN_SET",
    "FLOOR",
    "GREATEST",
    "IF",
    "IFNULL",
    "INSTR",
    "LCASE",
    "LEAST",
    "LEFT",
    "LENGTH",
    "LOCATE",
    "LOWER",
    "LPAD",
    "LTRIM",
    "NULLIF",
    "REGEXP_REPLACE",
    "REPLACE",
    "RIGHT",
    "ROUND",
    "RPAD",
    "RTRIM",
    "SUBSTR",
    "SUBSTRING",
    "SUBSTRING_INDEX",
    "TRIM",
    "UCASE",
    "UPPER",
};
static_assert(std::is_sorted(kPureFunctions.begin(), kPureFunctions.end()));

// Keywords an expression may hold besides function names. SELECT makes `(SELECT expr)`; FROM
// is not here, so a sub-query reads no table (nor a view calling a stored function).
constexpr std::array<std::string_view, 18> kExpressionKeywords = {
    "AND", "BETWEEN", "CASE", "DIV",    "ELSE",  "END",    "IN",   "IS",   "LIKE",
    "MOD", "NOT",     "OR",   "REGEXP", "RLIKE", "SELECT", "THEN", "WHEN", "XOR",
};
static_assert(std::is_sorted(kExpressionKeywords.begin(), kExpressionKeywords.end()));

template <size_t N>
bool containsUpper(const std::array<std::string_view, N>& sorted, std::string_view word) {
  std::string upper(word);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  });
  return std::binary_search(sorted.begin(), sorted.end(), std::string_view(upper));
}

bool isAssignment(const Token& t) noexcept {
  return t.kind == TokenKind::Operator && (t.text == "=" || t.text == ":=");
}

bool endsAssignment(const Token& t) noexcept {
  return isEnd(t) || t.kind == TokenKind::Semicolon || t.kind == TokenKind::Comma;
}

class TrackedSetParser {
 public:
  explicit TrackedSetParser(std::string_view query) : stream_(query) {}

  std::optional<std::vector<std::string>> parse() {
    if (!isKeyword(next(), "SET")) return std::nullopt;
    next();
    if (isKeyword(t_, "STATEMENT") || isKeyword(t_, "TRANSACTION")) return std::nullopt;
    std::vector<std::string> targets;
    for (;;) {
      std::optional<std::string> name = target();
      if (!name || !isAssignment(next())) return std::nullopt;
      next();
      if (!expression()) return std::nullopt;
      if (std::find(targets.begin(), targets.end(), *name) == targets.end()) {
        targets.push_back(std::move(*name));
      }
      if (t_.kind == TokenKind::Comma) {
        next();
        continue;
      }
      if (t_.kind == TokenKind::Semicolon) next();
      if (!isEnd(t_)) return std::nullopt;
      return targets;
    }
  }

 private:
  const Token& next() {
    t_ = stream_.nextSignificant();
    return t_;
  }

  // `[SESSION | LOCAL] name` or `@@[session. | local.]name`, t_ on its last token.
  std::optional<std::string> target() {
    if (isKeyword(t_, "SESSION") || isKeyword(t_, "LOCAL")) next();
    std::optional<std::string> name;
    if (t_.kind == TokenKind::SystemVariable) {
      name = systemVariableName(t_.text);
    } else if (t_.kind == TokenKind::Word) {
      name = lower(t_.text);
    }
    if (!name || !isReplayableVariable(*name)) return std::nullopt;
    return name;
  }

  // One value, from t_ up to the comma, ';' or end after it (t_ is left there).
  bool expression() {
    int depth = 0;
    for (size_t count = 0;; ++count, next()) {
      if (depth == 0 && endsAssignment(t_)) return count > 0;
      if (isEnd(t_) || t_.kind == TokenKind::Semicolon || t_.unterminated) return false;
      if (isLiteralValue(t_)) continue;
      switch (t_.kind) {
        case TokenKind::LeftParen:
          ++depth;
          break;
        case TokenKind::RightParen:
          if (--depth < 0) return false;
          break;
        case TokenKind::Operator:
          // := assigns a user variable; @ only appears in account names.
          if (t_.text == ":=" || t_.text == "@") return false;
          break;
        case TokenKind::Word:
          if (!allowedWord(count)) return false;
          break;
        case TokenKind::Comma:  // inside parentheses
        case TokenKind::SystemVariable:
        case TokenKind::UserVariable:  // read: the client's own, synced or pinned
          break;
        default:  // quoted identifiers, qualified names, placeholders, stray bytes
          return false;
      }
    }
  }

  // A word inside a value: a pure built-in called with its parenthesis right after the name
  // (with a space, or qualified, a name may be a stored function), an expression keyword (all
  // reserved words but END, which therefore may not come before a parenthesis), or the whole
  // value (ON, OFF, DEFAULT, SYSTEM).
  bool allowedWord(size_t position) const {
    FlatTokenizer ahead = stream_;
    const Token after = ahead.next();
    if (after.kind == TokenKind::LeftParen &&
        after.text.data() == t_.text.data() + t_.text.size() &&
        containsUpper(kPureFunctions, t_.text)) {
      return true;
    }
    FlatTokenizer rest = stream_;
    const Token following = rest.nextSignificant();
    if (containsUpper(kExpressionKeywords, t_.text)) {
      return following.kind != TokenKind::LeftParen || !equalsKeyword(t_.text, "END");
    }
    return position == 0 && endsAssignment(following);
  }

  FlatTokenizer stream_;
  Token t_;
};

bool isNumber(std::string_view v) noexcept {
  size_t i = !v.empty() && v[0] == '-' ? 1 : 0;
  const size_t digitsStart = i;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
  if (i == digitsStart) return false;
  if (i == v.size()) return true;
  if (v[i] != '.' || ++i == v.size()) return false;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
  return i == v.size();
}

}  // namespace

bool isReplayableVariable(std::string_view name) noexcept {
  return std::binary_search(kReplayable.begin(), kReplayable.end(), name);
}

std::span<const std::string_view> replayableVariables() noexcept { return kReplayable; }

std::optional<std::vector<SessionAssignment>> parseReplayableSet(std::string_view query) {
  return SetParser(query).parse();
}

std::optional<std::vector<std::string>> parseTrackedSet(std::string_view query) {
  return TrackedSetParser(query).parse();
}

std::optional<std::string> replayableLiteral(std::string_view name, std::string_view value) {
  if (value.empty()) {
    // The server reports NULL as an empty value; only these take NULL, and only sql_mode ''.
    if (name == "character_set_results" || name == "default_tmp_storage_engine") return "NULL";
    if (name == "sql_mode") return "''";
    return std::nullopt;
  }
  if (isNumber(value)) return std::string(value);
  std::string out = "'";
  for (char c : value) {
    if (c < 0x20 || c > 0x7E || c == '\\') return std::nullopt;
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace rwproxy::sql
