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

}  // namespace

bool isReplayableVariable(std::string_view name) noexcept {
  return std::binary_search(kReplayable.begin(), kReplayable.end(), name);
}

std::optional<std::vector<SessionAssignment>> parseReplayableSet(std::string_view query) {
  return SetParser(query).parse();
}

}  // namespace rwproxy::sql
