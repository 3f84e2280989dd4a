// SET forms applications send: SET autocommit=0, SET @@session.autocommit = ON,
// SET SESSION TRANSACTION ISOLATION LEVEL ..., SET NAMES utf8mb4, SET @a = 5, @b := 'x', ...
// Understanding them (instead of pinning on "unable to parse SET") is how we keep multiplexing.
#include "sql/classify_set.h"

namespace rwproxy::sql {
namespace {

enum class Scope : uint8_t { Session, Global };

bool isStatementEnd(const Token& t) noexcept {
  return t.kind == TokenKind::End || t.kind == TokenKind::Semicolon;
}

bool isSign(const Token& t) noexcept {
  return t.kind == TokenKind::Operator && (t.text == "-" || t.text == "+");
}

// Strips quotes from a simple quoted literal: 'ON' -> ON. Escapes are not expected in booleans.
std::string_view unquote(const Token& t) noexcept {
  const bool quoted = t.kind == TokenKind::String || t.kind == TokenKind::DoubleQuotedString;
  if (!quoted || t.unterminated || t.text.size() < 2) return t.text;
  return t.text.substr(1, t.text.size() - 2);
}

// autocommit accepts 0, 1, ON, OFF, TRUE, FALSE, bare or quoted.
std::optional<bool> parseBool(const Token& t) noexcept {
  if (t.kind == TokenKind::Word || t.kind == TokenKind::Boolean || t.kind == TokenKind::Integer ||
      t.kind == TokenKind::String || t.kind == TokenKind::DoubleQuotedString) {
    const std::string_view v = unquote(t);
    if (v == "1" || equalsKeyword(v, "ON") || equalsKeyword(v, "TRUE")) return true;
    if (v == "0" || equalsKeyword(v, "OFF") || equalsKeyword(v, "FALSE")) return false;
  }
  return std::nullopt;
}

// Splits a system variable token: @@global.x -> Global, "x"; @@session.x / @@local.x / @@x ->
// Session, "x". Other prefixes (persist) count as Global: they do not change this session.
Scope splitSystemVariable(std::string_view text, std::string_view& name) noexcept {
  name = text.substr(2);
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos) return Scope::Session;
  const std::string_view prefix = name.substr(0, dot);
  name = name.substr(dot + 1);
  return equalsKeyword(prefix, "SESSION") || equalsKeyword(prefix, "LOCAL") ? Scope::Session
                                                                            : Scope::Global;
}

// Advances from `t` to the comma that ends the current assignment (or the statement's end),
// stepping over parenthesized expressions.
Token skipToComma(FlatTokenizer& stream, Token t) noexcept {
  int depth = 0;
  while (!isStatementEnd(t) && !(depth == 0 && t.kind == TokenKind::Comma)) {
    if (t.kind == TokenKind::LeftParen) ++depth;
    if (t.kind == TokenKind::RightParen && depth > 0) --depth;
    t = stream.nextSignificant();
  }
  return t;
}

struct Assignment {
  bool autocommit = false;  // the target is the session's autocommit
  bool userVariable = false;
};

// Reads `[scope] target`, leaving `t` on the token after the target.
Assignment readTarget(FlatTokenizer& stream, Token& t) noexcept {
  Scope scope = Scope::Session;
  if (isKeyword(t, "GLOBAL") || isKeyword(t, "PERSIST") || isKeyword(t, "PERSIST_ONLY")) {
    scope = Scope::Global;
    t = stream.nextSignificant();
  } else if (isKeyword(t, "SESSION") || isKeyword(t, "LOCAL")) {
    t = stream.nextSignificant();
  }
  Assignment a;
  std::string_view name;
  if (t.kind == TokenKind::SystemVariable) {
    scope = splitSystemVariable(t.text, name);
  } else if (t.kind == TokenKind::Word) {
    name = t.text;
  } else if (t.kind == TokenKind::UserVariable) {
    a.userVariable = true;
  }
  a.autocommit = scope == Scope::Session && equalsKeyword(name, "AUTOCOMMIT");
  t = stream.nextSignificant();
  return a;
}

bool isTransactionWord(const Token& t, FlatTokenizer stream) noexcept {
  if (isKeyword(t, "TRANSACTION")) return true;
  const bool scoped = isKeyword(t, "GLOBAL") || isKeyword(t, "SESSION") || isKeyword(t, "LOCAL");
  return scoped && isKeyword(stream.nextSignificant(), "TRANSACTION");
}

}  // namespace

SetSummary parseSet(FlatTokenizer& stream) noexcept {
  SetSummary summary;
  Token t = stream.nextSignificant();
  if (isTransactionWord(t, stream)) {
    summary.kind = StatementKind::SetTransaction;
    return summary;
  }
  bool onlyAutocommit = true;
  bool anyAutocommit = false;
  while (!isStatementEnd(t)) {
    const Assignment target = readTarget(stream, t);
    const bool assigns = t.kind == TokenKind::Operator && (t.text == "=" || t.text == ":=");
    if (assigns) {
      t = stream.nextSignificant();
      while (isSign(t)) t = stream.nextSignificant();
      const Token value = t;
      t = stream.nextSignificant();
      const bool single = isStatementEnd(t) || t.kind == TokenKind::Comma;
      if (target.userVariable && single && isLiteralValue(value)) {
        ++summary.literalUserVariableTargets;
      }
      if (target.autocommit) summary.autocommit = single ? parseBool(value) : std::nullopt;
    }
    anyAutocommit = anyAutocommit || (assigns && target.autocommit);
    onlyAutocommit = onlyAutocommit && assigns && target.autocommit;
    t = skipToComma(stream, t);
    if (t.kind == TokenKind::Comma) t = stream.nextSignificant();
  }
  if (anyAutocommit && onlyAutocommit) summary.kind = StatementKind::SetAutocommit;
  return summary;
}

}  // namespace rwproxy::sql
